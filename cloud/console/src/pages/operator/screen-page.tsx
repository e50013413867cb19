// One screen: where it is and how it is, what it is set to play now (its config's campaigns and its latest
// proof of play), its deck levels, uptime and presence history, and its taps, paged to the first one.
import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Timeline,
  Title,
  Tooltip,
} from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useScreen, useScreenActivity, useScreenTaps } from '../../api/hooks/screens.ts';
import { Empty, QueryState } from '../../components/feedback.tsx';
import { LoadMore } from '../../components/load-more.tsx';
import { formatAgo, formatDateTime, formatPercent } from '../../lib/format.ts';
import {
  BADGE_STYLES,
  DeckLevels,
  EditScreenModal,
  LastClaim,
  ScreenStatusBadge,
  Truncated,
  useNowMs,
} from './screen-parts.tsx';
import { ScreenStickers } from './screen-stickers.tsx';

/** The page follows a screen as the list does. */
const SCREEN_REFETCH_MS = 10_000;

function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <Card withBorder radius="md" padding="sm">
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text component="div" size="lg" fw={600} data-testid={testId} truncate="end">
        {children}
      </Text>
    </Card>
  );
}

function NowPlaying({ screenId }: { screenId: number }) {
  const { t, i18n } = useTranslation();
  const activity = useScreenActivity(screenId, SCREEN_REFETCH_MS);
  return (
    <QueryState query={activity}>
      {({ nowPlaying, presence }) => (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <Card withBorder radius="md" data-testid="now-playing">
            <Group justify="space-between" mb="xs">
              <Title order={4}>{t('fleet.nowPlaying')}</Title>
              {nowPlaying.configVersion === null ? null : (
                <Badge variant="light" styles={BADGE_STYLES}>
                  {t('fleet.configVersion', { version: nowPlaying.configVersion })}
                </Badge>
              )}
            </Group>
            {nowPlaying.configVersion === null ? (
              <Text size="sm" c="dimmed">
                {t('fleet.noConfig')}
              </Text>
            ) : nowPlaying.campaigns.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t('fleet.noCampaigns')}
              </Text>
            ) : (
              <Stack gap={6}>
                {nowPlaying.campaigns.map((campaign) => (
                  <Group key={campaign.campaignId} justify="space-between" wrap="nowrap">
                    <Truncated
                      text={`#${campaign.campaignId} ${campaign.name} · ${campaign.sponsor}`}
                      size="sm"
                    />
                    <Badge
                      color={campaign.scheduledNow ? 'teal' : 'gray'}
                      variant="light"
                      styles={BADGE_STYLES}
                    >
                      {campaign.scheduledNow ? t('fleet.scheduledNow') : t('fleet.notScheduledNow')}
                    </Badge>
                  </Group>
                ))}
              </Stack>
            )}
            <Title order={5} mt="md" mb="xs">
              {t('fleet.recentPlays')}
            </Title>
            {nowPlaying.recentPlays.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t('fleet.noPlays')}
              </Text>
            ) : (
              <Table layout="fixed" verticalSpacing={4} fz="sm">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={110}>{t('fleet.day')}</Table.Th>
                    <Table.Th w={90}>{t('fleet.campaign')}</Table.Th>
                    <Table.Th>{t('fleet.creative')}</Table.Th>
                    <Table.Th w={80}>{t('fleet.plays')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {nowPlaying.recentPlays.map((play) => (
                    <Table.Tr key={`${play.day}-${play.campaignId}-${play.creativeSha256}`}>
                      <Table.Td>{play.day}</Table.Td>
                      <Table.Td>#{play.campaignId}</Table.Td>
                      <Table.Td>
                        <Truncated text={play.creativeSha256} size="xs" ff="monospace" />
                      </Table.Td>
                      <Table.Td>{play.plays}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Card>
          <Card withBorder radius="md" data-testid="presence-history">
            <Title order={4} mb="xs">
              {t('fleet.presence')}
            </Title>
            <Group mb="sm">
              <Text size="sm" data-testid="uptime-24h">
                {t('fleet.uptime24h')}:{' '}
                <b>
                  {presence.uptime.last24h === null
                    ? t('fleet.unknown')
                    : formatPercent(presence.uptime.last24h, i18n.language)}
                </b>
              </Text>
              <Text size="sm" data-testid="uptime-7d">
                {t('fleet.uptime7d')}:{' '}
                <b>
                  {presence.uptime.last7d === null
                    ? t('fleet.unknown')
                    : formatPercent(presence.uptime.last7d, i18n.language)}
                </b>
              </Text>
            </Group>
            {presence.changes.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t('fleet.noPresence')}
              </Text>
            ) : (
              <PresenceTimeline changes={presence.changes} />
            )}
            {presence.changesTruncated ? (
              <Text size="xs" c="dimmed" mt="xs" data-testid="presence-truncated">
                {t('fleet.presenceTruncated', { count: presence.changes.length })}
              </Text>
            ) : null}
          </Card>
        </SimpleGrid>
      )}
    </QueryState>
  );
}

function PresenceTimeline({ changes }: { changes: { connected: boolean; at: string }[] }) {
  const { t, i18n } = useTranslation();
  return (
    <Timeline bulletSize={12} lineWidth={2} active={-1}>
      {changes.map((change) => (
        <Timeline.Item
          key={`${change.at}-${String(change.connected)}`}
          color={change.connected ? 'teal' : 'red'}
          title={change.connected ? t('fleet.connected') : t('fleet.disconnected')}
        >
          <Text size="xs" c="dimmed">
            {formatDateTime(change.at, i18n.language)}
          </Text>
        </Timeline.Item>
      ))}
    </Timeline>
  );
}

function RecentTaps({ screenId }: { screenId: number }) {
  const { t, i18n } = useTranslation();
  const taps = useScreenTaps(screenId);
  return (
    <Card withBorder radius="md" p={0}>
      <Title order={4} p="md" pb={0}>
        {t('fleet.recentTaps')}
      </Title>
      <QueryState
        query={taps.query}
        isEmpty={(data) => data.pages.every((page) => page.items.length === 0)}
        empty={
          <Text size="sm" c="dimmed" p="md">
            {t('fleet.noTaps')}
          </Text>
        }
      >
        {() => (
          <>
            <Table.ScrollContainer minWidth={720}>
              <Table layout="fixed" verticalSpacing="xs" fz="sm" aria-label={t('fleet.recentTaps')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={90}>{t('fleet.counter')}</Table.Th>
                    <Table.Th w={90}>{t('fleet.wallet')}</Table.Th>
                    <Table.Th w={90}>{t('fleet.campaign')}</Table.Th>
                    <Table.Th w={90}>{t('fleet.amount')}</Table.Th>
                    <Table.Th>{t('fleet.result')}</Table.Th>
                    <Table.Th w={170}>{t('fleet.tapTime')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {taps.items.map((tap) => (
                    <Table.Tr key={tap.counter} data-testid={`tap-${tap.counter}`}>
                      <Table.Td>{tap.counter}</Table.Td>
                      <Table.Td>#{tap.walletId}</Table.Td>
                      <Table.Td>#{tap.campaignId}</Table.Td>
                      <Table.Td>¥{(tap.amountFen / 100).toFixed(2)}</Table.Td>
                      <Table.Td>
                        <Truncated
                          text={
                            tap.code === null
                              ? tap.status
                              : `${tap.status} · ${t(`errors.${tap.code}`, { defaultValue: tap.code })}`
                          }
                          size="sm"
                        />
                      </Table.Td>
                      <Table.Td>
                        <Tooltip
                          label={`${t('fleet.received')} ${formatDateTime(tap.receivedAt, i18n.language)}`}
                        >
                          <Text size="sm">{formatDateTime(tap.tapTs, i18n.language)}</Text>
                        </Tooltip>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <LoadMore list={taps} />
          </>
        )}
      </QueryState>
    </Card>
  );
}

export function ScreenPage() {
  const { t, i18n } = useTranslation();
  const params = useParams();
  const screenId = Number(params.id);
  const valid = Number.isSafeInteger(screenId) && screenId > 0;
  const [editing, setEditing] = useState(false);
  const nowMs = useNowMs();
  const screen = useScreen(screenId, { enabled: valid, refetchIntervalMs: SCREEN_REFETCH_MS });
  const back = (
    <Anchor component={Link} to="/operator/screens" size="sm">
      ← {t('fleet.back')}
    </Anchor>
  );
  if (!valid)
    return (
      <Stack>
        {back}
        <Empty>{t('fleet.notFound')}</Empty>
      </Stack>
    );
  return (
    <Stack>
      {back}
      <QueryState query={screen}>
        {(data) => (
          <Stack>
            <Group justify="space-between" wrap="nowrap" align="start">
              <Stack gap={2} style={{ minWidth: 0 }}>
                <Group gap="sm" wrap="nowrap" style={{ minWidth: 0 }}>
                  <Title order={2} style={{ minWidth: 0 }}>
                    <Truncated text={data.name} inherit data-testid="screen-title" />
                  </Title>
                  <ScreenStatusBadge screen={data} nowMs={nowMs} />
                </Group>
                <Truncated
                  text={`#${data.id} · ${data.city} · ${data.building} · ${data.elevator} · ${data.timezone}`}
                  c="dimmed"
                  size="sm"
                  data-testid="screen-location"
                />
              </Stack>
              <Button variant="light" onClick={() => setEditing(true)}>
                {t('fleet.edit')}
              </Button>
            </Group>
            <SimpleGrid cols={{ base: 2, md: 3, lg: 6 }}>
              <Fact label={t('screens.lastSeen')} testId="screen-last-seen">
                {data.health === null
                  ? t('screens.neverSeen')
                  : formatAgo(data.health.lastSeenAt, nowMs, i18n.language)}
              </Fact>
              <Fact label={t('screens.backlog')}>{data.health?.backlog ?? '—'}</Fact>
              <Fact label={t('screens.clockSkew')}>
                {data.health === null ? '—' : `${data.health.clockSkewS} s`}
              </Fact>
              <Fact label={t('screens.version')}>{data.health?.appVersion ?? '—'}</Fact>
              <Fact label={t('screens.decks')}>
                <DeckLevels screen={data} />
              </Fact>
              <Fact label={t('stickers.lastClaim')} testId="screen-last-claim">
                <LastClaim screen={data} nowMs={nowMs} />
              </Fact>
            </SimpleGrid>
            <NowPlaying screenId={data.id} />
            <ScreenStickers screenId={data.id} count={data.stickers} />
            <RecentTaps screenId={data.id} />
            <EditScreenModal screen={editing ? data : null} onClose={() => setEditing(false)} />
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}
