// The screen network: counts, filters, a table grouped by city or building with each screen's health,
// provisioning with a one-time enrolment code (text and QR), new codes, revocation, and replacing or
// reinstating a revoked screen.
import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  CopyButton,
  Group,
  Modal,
  Progress,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { apiJson } from '../../api/client.ts';
import type { EnrolmentCode, Page, Screen, ScreenGroup, ScreenLocation } from '../../api/types.ts';
import { Empty, ErrorAlert, notifyError, notifySuccess, QueryState } from '../../components/feedback.tsx';
import { QrCode } from '../../components/qr-code.tsx';
import { useToken } from '../../components/session-context.tsx';
import {
  formatAgo,
  formatDateTime,
  isLongOffline,
  isOnline,
  OFFLINE_ALERT_AFTER_MS,
  offlineSince,
} from '../../lib/format.ts';

type GroupBy = 'none' | 'city' | 'building';

/** How often the ages ("12 s ago") and online states are recomputed between fetches. */
const CLOCK_TICK_MS = 5_000;
/** How often the screens are fetched again: presence reports a dropped screen within seconds. */
const SCREENS_REFETCH_MS = 10_000;

/** The current time, re-read every `CLOCK_TICK_MS`, so a screen that goes quiet turns offline on time. */
function useNowMs(): number {
  const [nowMs, setNowMs] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNowMs(Date.now()), CLOCK_TICK_MS);
    return () => clearInterval(timer);
  }, []);
  return nowMs;
}

/** Badges keep their whole label: a narrow cell wraps around them instead of cutting "offline" short. */
const BADGE_STYLES = {
  root: { flexShrink: 0, maxWidth: 'none', overflow: 'visible' },
  label: { overflow: 'visible', textOverflow: 'clip' },
} as const;

function StatCard({ label, value, color }: { label: string; value: number; color: string }) {
  return (
    <Card withBorder radius="md" padding="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text fz={28} fw={700} c={color} data-testid={`stat-${label}`}>
        {value}
      </Text>
    </Card>
  );
}

/** "offline since …" under the last-seen age, when the broker reported the screen's connection gone. */
function OfflineSince({ screen, nowMs }: { screen: Screen; nowMs: number }) {
  const { t, i18n } = useTranslation();
  const since = screen.status === 'active' ? offlineSince(screen.health) : null;
  if (since === null) return null;
  return (
    <Tooltip label={formatAgo(since, nowMs, i18n.language)}>
      <Text size="xs" c="red.8" data-testid={`offline-since-${screen.id}`}>
        {t('screens.offlineSince', { time: formatDateTime(since, i18n.language) })}
      </Text>
    </Tooltip>
  );
}

function DeckLevels({ screen }: { screen: Screen }) {
  const { t } = useTranslation();
  const decks = screen.health?.decks ?? [];
  if (decks.length === 0)
    return (
      <Text size="xs" c="dimmed">
        {t('screens.noDecks')}
      </Text>
    );
  return (
    <Stack gap={4} miw={120}>
      {decks.map((deck) => (
        <Tooltip key={deck.deckId} label={`#${deck.deckId} · campaign ${deck.campaignId}`}>
          <div>
            <Text size="xs">
              {deck.remaining}/{deck.count}
            </Text>
            <Progress
              size="sm"
              value={deck.count === 0 ? 0 : (deck.remaining / deck.count) * 100}
              color={deck.remaining / Math.max(1, deck.count) < 0.2 ? 'orange' : 'teal'}
              aria-label={`deck ${deck.deckId}`}
            />
          </div>
        </Tooltip>
      ))}
    </Stack>
  );
}

export function EnrolmentCodeModal(props: {
  screen: Screen | null;
  code: EnrolmentCode | null;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const { screen, code } = props;
  return (
    <Modal
      opened={screen !== null && code !== null}
      onClose={props.onClose}
      title={screen === null ? '' : t('screens.codeTitle', { name: screen.name })}
      centered
    >
      {code === null ? null : (
        <Stack align="center">
          <Text size="sm" c="dimmed">
            {t('screens.codeHelp', { expires: formatDateTime(code.expiresAt, i18n.language) })}
          </Text>
          <Code
            data-testid="enrolment-code"
            aria-label={t('screens.codeLabel')}
            fz={32}
            fw={700}
            px="lg"
            py="sm"
            style={{ letterSpacing: '0.2em' }}
          >
            {code.code}
          </Code>
          <CopyButton value={code.code}>
            {({ copied, copy }) => (
              <Button variant="light" size="xs" onClick={copy}>
                {copied ? t('common.copied') : t('common.copy')}
              </Button>
            )}
          </CopyButton>
          <QrCode value={code.code} label={`${t('screens.codeLabel')} ${code.code}`} size={220} />
        </Stack>
      )}
    </Modal>
  );
}

function ProvisionModal(props: {
  opened: boolean;
  onClose: () => void;
  onCreated: (screen: Screen, code: EnrolmentCode) => void;
}) {
  const { t } = useTranslation();
  const token = useToken();
  const [form, setForm] = useState({ name: '', city: '', building: '', elevator: '' });
  const create = useMutation({
    mutationFn: async () => {
      const screen = await apiJson<Screen>('/v1/screens', { token, body: form });
      const code = await apiJson<EnrolmentCode>(`/v1/screens/${screen.id}/enrolment-codes`, {
        token,
        method: 'POST',
      });
      return { screen, code };
    },
    onSuccess: ({ screen, code }) => {
      setForm({ name: '', city: '', building: '', elevator: '' });
      props.onCreated(screen, code);
    },
  });
  const field = (key: keyof typeof form, label: string) => (
    <TextInput
      label={label}
      required
      maxLength={100}
      value={form[key]}
      onChange={(event) => {
        const value = event.currentTarget.value;
        setForm((previous) => ({ ...previous, [key]: value }));
      }}
    />
  );
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <Modal opened={props.opened} onClose={props.onClose} title={t('screens.provision')} centered>
      <form onSubmit={submit}>
        <Stack>
          {field('name', t('common.name'))}
          {field('city', t('screens.city'))}
          {field('building', t('screens.building'))}
          {field('elevator', t('screens.elevator'))}
          {create.error === null ? null : <ErrorAlert error={create.error} />}
          <Button type="submit" loading={create.isPending}>
            {t('common.create')}
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}

export function ScreensPage() {
  const { t, i18n } = useTranslation();
  const token = useToken();
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState<{
    city: string | null;
    building: string | null;
    status: string | null;
    groupId: string | null;
  }>({
    city: null,
    building: null,
    status: null,
    groupId: null,
  });
  const [groupBy, setGroupBy] = useState<GroupBy>('city');
  const [provisioning, setProvisioning] = useState(false);
  const [shownCode, setShownCode] = useState<{ screen: Screen; code: EnrolmentCode } | null>(null);
  const [revoking, setRevoking] = useState<Screen | null>(null);
  const [reprovisioning, setReprovisioning] = useState<{
    screen: Screen;
    action: 'replace' | 'reinstate';
  } | null>(null);

  const screens = useQuery({
    queryKey: ['screens', filter],
    queryFn: () =>
      apiJson<Page<Screen>>('/v1/screens', {
        token,
        query: {
          limit: 100,
          city: filter.city ?? undefined,
          building: filter.building ?? undefined,
          status: filter.status ?? undefined,
          groupId: filter.groupId ?? undefined,
        },
      }),
    refetchInterval: SCREENS_REFETCH_MS,
  });
  const locations = useQuery({
    queryKey: ['screen-locations'],
    queryFn: () =>
      apiJson<{ items: ScreenLocation[] }>('/v1/screens/locations', { token, query: { limit: 1000 } }),
  });
  const groups = useQuery({
    queryKey: ['screen-groups'],
    queryFn: () => apiJson<Page<ScreenGroup>>('/v1/screen-groups', { token, query: { limit: 100 } }),
  });
  const newCode = useMutation({
    mutationFn: (screen: Screen) =>
      apiJson<EnrolmentCode>(`/v1/screens/${screen.id}/enrolment-codes`, { token, method: 'POST' }).then(
        (code) => ({
          screen,
          code,
        }),
      ),
    onSuccess: setShownCode,
    onError: notifyError,
  });
  const revoke = useMutation({
    mutationFn: (screen: Screen) =>
      apiJson<Screen>(`/v1/screens/${screen.id}/revoke`, { token, method: 'POST' }),
    onSuccess: (screen) => {
      setRevoking(null);
      notifySuccess(t('screens.revokedToast', { name: screen.name }));
      void queryClient.invalidateQueries({ queryKey: ['screens'] });
    },
    onError: notifyError,
  });

  // Replace: a new screen at the same place; reinstate: the same screen enrols again. Both hand back
  // a one-time enrolment code, shown like a new screen's; the old key stays revoked either way.
  const reprovision = useMutation({
    mutationFn: ({ screen, action }: { screen: Screen; action: 'replace' | 'reinstate' }) =>
      apiJson<{ screen: Screen } & EnrolmentCode>(`/v1/screens/${screen.id}/${action}`, {
        token,
        method: 'POST',
      }),
    onSuccess: ({ screen, code, expiresAt }) => {
      setReprovisioning(null);
      setShownCode({ screen, code: { code, expiresAt } });
      void queryClient.invalidateQueries({ queryKey: ['screens'] });
      void queryClient.invalidateQueries({ queryKey: ['screen-locations'] });
    },
    onError: notifyError,
  });

  const cities = useMemo(
    () => [...new Set(locations.data?.items.map((l) => l.city) ?? [])].sort(),
    [locations.data],
  );
  const buildings = useMemo(
    () =>
      [
        ...new Set(
          locations.data?.items
            .filter((l) => filter.city === null || l.city === filter.city)
            .map((l) => l.building) ?? [],
        ),
      ].sort(),
    [locations.data, filter.city],
  );
  const nowMs = useNowMs();
  const items = screens.data?.items ?? [];
  const counts = {
    total: items.length,
    online: items.filter((s) => s.status === 'active' && isOnline(s.health, nowMs)).length,
    offline: items.filter((s) => s.status === 'active' && !isOnline(s.health, nowMs)).length,
    pending: items.filter((s) => s.status === 'pending').length,
  };
  // Counted from the disconnect the broker reported when there is one, else from the last heartbeat.
  const longOffline = items.filter((s) => s.status === 'active' && isLongOffline(s.health, nowMs));
  const grouped = useMemo(() => {
    const map = new Map<string, Screen[]>();
    for (const screen of items) {
      const key =
        groupBy === 'none' ? '' : groupBy === 'city' ? screen.city : `${screen.city} · ${screen.building}`;
      map.set(key, [...(map.get(key) ?? []), screen]);
    }
    return [...map.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [items, groupBy]);

  const statusBadge = (screen: Screen) => {
    if (screen.status === 'revoked')
      return (
        <Badge color="gray" styles={BADGE_STYLES}>
          {t('screens.statusRevoked')}
        </Badge>
      );
    if (screen.status === 'pending')
      return (
        <Badge color="yellow" styles={BADGE_STYLES}>
          {t('screens.statusPending')}
        </Badge>
      );
    return isOnline(screen.health, nowMs) ? (
      <Badge color="teal" styles={BADGE_STYLES}>
        {t('screens.onlineBadge')}
      </Badge>
    ) : (
      <Badge color="red" variant="outline" styles={BADGE_STYLES}>
        {t('screens.offlineBadge')}
      </Badge>
    );
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('screens.title')}</Title>
        <Button onClick={() => setProvisioning(true)}>{t('screens.provision')}</Button>
      </Group>
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <StatCard label={t('screens.total')} value={counts.total} color="dark" />
        <StatCard label={t('screens.online')} value={counts.online} color="teal.8" />
        <StatCard label={t('screens.offline')} value={counts.offline} color="red.8" />
        <StatCard label={t('screens.pending')} value={counts.pending} color="yellow.9" />
      </SimpleGrid>
      {longOffline.length > 0 && (
        <Alert
          color="red"
          title={t('screens.offlineAlertTitle', { count: longOffline.length })}
          data-testid="offline-alert"
        >
          {t('screens.offlineAlertBody', {
            minutes: OFFLINE_ALERT_AFTER_MS / 60_000,
            names: longOffline.map((s) => s.name).join(', '),
          })}
        </Alert>
      )}
      <Card withBorder radius="md">
        <Group align="end" wrap="wrap">
          <Select
            label={t('screens.filterCity')}
            data={cities}
            value={filter.city}
            clearable
            searchable
            onChange={(city) => setFilter((f) => ({ ...f, city, building: null }))}
            w={180}
          />
          <Select
            label={t('screens.filterBuilding')}
            data={buildings}
            value={filter.building}
            clearable
            searchable
            onChange={(building) => setFilter((f) => ({ ...f, building }))}
            w={200}
          />
          <Select
            label={t('screens.filterStatus')}
            data={[
              { value: 'active', label: t('screens.statusActive') },
              { value: 'pending', label: t('screens.statusPending') },
              { value: 'revoked', label: t('screens.statusRevoked') },
            ]}
            value={filter.status}
            clearable
            onChange={(status) => setFilter((f) => ({ ...f, status }))}
            w={160}
          />
          <Select
            label={t('screens.filterGroup')}
            data={groups.data?.items.map((g) => ({ value: String(g.id), label: g.name })) ?? []}
            value={filter.groupId}
            clearable
            onChange={(groupId) => setFilter((f) => ({ ...f, groupId }))}
            w={180}
          />
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              {t('screens.groupBy')}
            </Text>
            <SegmentedControl
              value={groupBy}
              onChange={(value) => setGroupBy(value as GroupBy)}
              data={[
                { value: 'none', label: t('screens.groupByNone') },
                { value: 'city', label: t('screens.groupByCity') },
                { value: 'building', label: t('screens.groupByBuilding') },
              ]}
            />
          </Stack>
        </Group>
      </Card>
      <QueryState
        query={screens}
        isEmpty={(page) => page.items.length === 0}
        empty={<Empty title={t('screens.emptyTitle')}>{t('screens.emptyBody')}</Empty>}
      >
        {() => (
          <Card withBorder radius="md" p={0}>
            <Table.ScrollContainer minWidth={980}>
              <Table verticalSpacing="sm" highlightOnHover aria-label={t('screens.title')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('common.name')}</Table.Th>
                    <Table.Th>{t('screens.elevator')}</Table.Th>
                    <Table.Th>{t('common.status')}</Table.Th>
                    <Table.Th>{t('screens.lastSeen')}</Table.Th>
                    <Table.Th>{t('screens.backlog')}</Table.Th>
                    <Table.Th>{t('screens.decks')}</Table.Th>
                    <Table.Th>{t('screens.clockSkew')}</Table.Th>
                    <Table.Th>{t('screens.version')}</Table.Th>
                    <Table.Th>{t('common.actions')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {grouped.flatMap(([key, rows]) => [
                    ...(groupBy === 'none'
                      ? []
                      : [
                          <Table.Tr key={`group-${key}`} bg="var(--mantine-color-gray-1)">
                            <Table.Td colSpan={9}>
                              <Text fw={700} size="sm">
                                {key}{' '}
                                <Badge size="xs" variant="light" ml={6} styles={BADGE_STYLES}>
                                  {rows.length}
                                </Badge>
                              </Text>
                            </Table.Td>
                          </Table.Tr>,
                        ]),
                    ...rows.map((screen) => (
                      <Table.Tr key={screen.id} data-testid={`screen-row-${screen.id}`}>
                        <Table.Td>
                          <Text fw={600} size="sm">
                            {screen.name}
                          </Text>
                          <Text size="xs" c="dimmed">
                            #{screen.id} · {screen.city} · {screen.building}
                          </Text>
                        </Table.Td>
                        <Table.Td>{screen.elevator}</Table.Td>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>{statusBadge(screen)}</Table.Td>
                        <Table.Td>
                          {screen.health === null ? (
                            <Text size="xs" c="dimmed">
                              {t('screens.neverSeen')}
                            </Text>
                          ) : (
                            <>
                              <Tooltip label={formatDateTime(screen.health.lastSeenAt, i18n.language)}>
                                <Text size="sm" data-testid={`last-seen-${screen.id}`}>
                                  {formatAgo(screen.health.lastSeenAt, nowMs, i18n.language)}
                                </Text>
                              </Tooltip>
                              <OfflineSince screen={screen} nowMs={nowMs} />
                            </>
                          )}
                        </Table.Td>
                        <Table.Td data-testid={`backlog-${screen.id}`}>
                          {screen.health === null ? (
                            '—'
                          ) : isOnline(screen.health, nowMs) ? (
                            screen.health.backlog
                          ) : (
                            // A quiet kiosk may have queued taps since: its last report is a floor.
                            <Tooltip label={t('screens.backlogStale')}>
                              <Text size="sm" c="dimmed">
                                ≥ {screen.health.backlog}
                              </Text>
                            </Tooltip>
                          )}
                        </Table.Td>
                        <Table.Td>
                          <DeckLevels screen={screen} />
                        </Table.Td>
                        <Table.Td>
                          {screen.health === null ? (
                            '—'
                          ) : (
                            <Text size="sm" c={Math.abs(screen.health.clockSkewS) > 60 ? 'red.8' : 'inherit'}>
                              {screen.health.clockSkewS} s
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td>{screen.health?.appVersion ?? '—'}</Table.Td>
                        <Table.Td>
                          <Group gap={6} wrap="nowrap">
                            {screen.status === 'pending' ? (
                              <Button
                                size="compact-sm"
                                variant="light"
                                onClick={() => newCode.mutate(screen)}
                              >
                                {t('screens.newCode')}
                              </Button>
                            ) : null}
                            {screen.status === 'revoked' ? null : (
                              <Button
                                size="compact-sm"
                                variant="subtle"
                                color="red"
                                onClick={() => setRevoking(screen)}
                              >
                                {t('screens.revoke')}
                              </Button>
                            )}
                            {screen.status === 'revoked' && screen.replacedById === null ? (
                              <>
                                <Button
                                  size="compact-sm"
                                  variant="light"
                                  onClick={() => setReprovisioning({ screen, action: 'replace' })}
                                >
                                  {t('screens.replace')}
                                </Button>
                                <Button
                                  size="compact-sm"
                                  variant="subtle"
                                  onClick={() => setReprovisioning({ screen, action: 'reinstate' })}
                                >
                                  {t('screens.reinstate')}
                                </Button>
                              </>
                            ) : null}
                            {screen.replacedById === null ? null : (
                              <Text size="xs" c="dimmed">
                                {t('screens.replacedBy', { id: screen.replacedById })}
                              </Text>
                            )}
                          </Group>
                        </Table.Td>
                      </Table.Tr>
                    )),
                  ])}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Card>
        )}
      </QueryState>
      <ProvisionModal
        opened={provisioning}
        onClose={() => setProvisioning(false)}
        onCreated={(screen, code) => {
          setProvisioning(false);
          setShownCode({ screen, code });
          void queryClient.invalidateQueries({ queryKey: ['screens'] });
          void queryClient.invalidateQueries({ queryKey: ['screen-locations'] });
        }}
      />
      <EnrolmentCodeModal
        screen={shownCode?.screen ?? null}
        code={shownCode?.code ?? null}
        onClose={() => setShownCode(null)}
      />
      <Modal
        opened={revoking !== null}
        onClose={() => setRevoking(null)}
        title={t('screens.revoke')}
        centered
      >
        <Stack>
          <Text>{t('screens.revokeConfirm', { name: revoking?.name ?? '' })}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setRevoking(null)}>
              {t('common.cancel')}
            </Button>
            <Button
              color="red"
              loading={revoke.isPending}
              onClick={() => revoking !== null && revoke.mutate(revoking)}
            >
              {t('screens.revoke')}
            </Button>
          </Group>
        </Stack>
      </Modal>
      <Modal
        opened={reprovisioning !== null}
        onClose={() => setReprovisioning(null)}
        title={reprovisioning?.action === 'reinstate' ? t('screens.reinstate') : t('screens.replace')}
        centered
      >
        <Stack>
          <Text>
            {reprovisioning?.action === 'reinstate'
              ? t('screens.reinstateConfirm', { name: reprovisioning.screen.name })
              : t('screens.replaceConfirm', { name: reprovisioning?.screen.name ?? '' })}
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setReprovisioning(null)}>
              {t('common.cancel')}
            </Button>
            <Button
              loading={reprovision.isPending}
              onClick={() => reprovisioning !== null && reprovision.mutate(reprovisioning)}
            >
              {reprovisioning?.action === 'reinstate' ? t('screens.reinstate') : t('screens.replace')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
