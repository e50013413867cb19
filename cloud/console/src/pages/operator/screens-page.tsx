// The screen network: fleet counts from the server's summary (over every screen), filters kept in the
// URL (city, building, status, group, search, connection), a table paged to its last row and grouped by
// city or building with each screen's health, provisioning with a one-time enrolment code (text and QR),
// new codes, rename and move, revocation, and replacing or reinstating a revoked screen.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Code,
  CopyButton,
  Group,
  Modal,
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
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useMemo, useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { useScreenGroupPages } from '../../api/hooks/screen-groups.ts';
import {
  useLongOfflineScreens,
  useNewEnrolmentCode,
  useProvisionScreen,
  useReprovisionScreen,
  useRevokeScreen,
  useScreenListPages,
  useScreenLocations,
  useScreenSummary,
  type ScreenConnection,
} from '../../api/hooks/screens.ts';
import type { EnrolmentCode, Screen, ScreenStatus } from '../../api/types.ts';
import { Empty, ErrorAlert, notifyError, notifySuccess, QueryState } from '../../components/feedback.tsx';
import { LoadMore } from '../../components/load-more.tsx';
import { QrCode } from '../../components/qr-code.tsx';
import {
  formatAgo,
  formatCount,
  formatDateTime,
  isOnline,
  OFFLINE_ALERT_AFTER_MS,
  offlineSince,
} from '../../lib/format.ts';
import {
  BADGE_STYLES,
  DeckLevels,
  LastClaim,
  EditScreenModal,
  ScreenStatusBadge,
  Truncated,
  useNowMs,
} from './screen-parts.tsx';
import { ImportScreensModal } from './screen-import.tsx';
import { BulkActionsModal } from './screen-bulk-actions.tsx';

type GroupBy = 'none' | 'city' | 'building';

/** How often the screens are fetched again: presence reports a dropped screen within seconds. */
const SCREENS_REFETCH_MS = 10_000;
/** The fleet's counts are one pass over every screen (about a second at 10^6): fetched less often. */
const SUMMARY_REFETCH_MS = 30_000;
/** Long-offline screens named in the alert; the rest are counted ("and 40 more"). */
const ALERT_NAMES_MAX = 10;
/** Cities shown with their counts above the table. */
const CITY_CHIPS_MAX = 12;

/** The list's filters, as the URL's search params hold them: a reload or a shared link keeps them. */
const FILTER_KEYS = ['city', 'building', 'status', 'group', 'q', 'connection', 'by'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];

function useFilters() {
  const [params, setParams] = useSearchParams();
  const filter = Object.fromEntries(FILTER_KEYS.map((key) => [key, params.get(key)])) as Record<
    FilterKey,
    string | null
  >;
  const setFilter = (patch: Partial<Record<FilterKey, string | null>>) =>
    setParams(
      (previous) => {
        const next = new URLSearchParams(previous);
        for (const [key, value] of Object.entries(patch))
          if (value === null || value === '') next.delete(key);
          else next.set(key, value);
        return next;
      },
      { replace: true },
    );
  return { filter, setFilter };
}

function StatCard({ label, value, color }: { label: string; value: number | undefined; color: string }) {
  const { i18n } = useTranslation();
  return (
    <Card withBorder radius="md" padding="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text fz={28} fw={700} c={color} data-testid={`stat-${label}`}>
        {value === undefined ? '—' : formatCount(value, i18n.language)}
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
      <Text size="xs" c="red.8" data-testid={`offline-since-${screen.id}`} truncate="end">
        {t('screens.offlineSince', { time: formatDateTime(since, i18n.language) })}
      </Text>
    </Tooltip>
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
  const [form, setForm] = useState({ name: '', city: '', building: '', elevator: '' });
  const create = useProvisionScreen({
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
    create.mutate(form);
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

/** The screens the alert names: the first few long-offline ones, by id. */
function LongOfflineAlert(props: { count: number; onShow: () => void }) {
  const { t } = useTranslation();
  const named = useLongOfflineScreens(ALERT_NAMES_MAX, SCREENS_REFETCH_MS);
  const names = named.data?.items.map((screen) => screen.name) ?? [];
  const more = props.count - names.length;
  return (
    <Alert
      color="red"
      title={t('screens.offlineAlertTitle', { count: props.count })}
      data-testid="offline-alert"
    >
      <Stack gap={6}>
        <Text size="sm" lineClamp={3}>
          {t('screens.offlineAlertBody', {
            minutes: OFFLINE_ALERT_AFTER_MS / 60_000,
            names: names.join(', '),
          })}
          {more > 0 ? ` ${t('fleet.andMore', { count: more })}` : ''}
        </Text>
        <Group>
          <Button size="compact-sm" variant="light" color="red" onClick={props.onShow}>
            {t('fleet.showLongOffline')}
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

/**
 * A location filter's choices: the distinct places loaded, sorted. When the server cut the list, what is
 * typed is offered as a choice too (the screens are then asked for by that exact name), and a place
 * chosen from a shared link still shows as chosen.
 */
function placeOptions(loaded: string[], truncated: boolean, typed: string, chosen: string | null): string[] {
  const options = [...new Set(loaded)].sort();
  const extra = [truncated ? typed.trim() : '', chosen ?? ''];
  for (const value of extra) if (value !== '' && !options.includes(value)) options.push(value);
  return options;
}

export function ScreensPage() {
  const { t, i18n } = useTranslation();
  const { filter, setFilter } = useFilters();
  const groupBy: GroupBy = filter.by === 'none' || filter.by === 'building' ? filter.by : 'city';
  const [search, setSearch] = useState(filter.q ?? '');
  const [debouncedSearch] = useDebouncedValue(search.trim(), 300);
  useEffect(() => {
    if (debouncedSearch !== (filter.q ?? '')) setFilter({ q: debouncedSearch });
    // Only a change of what was typed writes the URL; the URL's own changes come in through `filter`.
  }, [debouncedSearch]);
  const [provisioning, setProvisioning] = useState(false);
  const [shownCode, setShownCode] = useState<{ screen: Screen; code: EnrolmentCode } | null>(null);
  const [revoking, setRevoking] = useState<Screen | null>(null);
  const [editing, setEditing] = useState<Screen | null>(null);
  const [reprovisioning, setReprovisioning] = useState<{
    screen: Screen;
    action: 'replace' | 'reinstate';
  } | null>(null);

  const [bulk, setBulk] = useState<'import' | 'actions' | null>(null);
  const listFilter = {
    city: filter.city ?? undefined,
    building: filter.building ?? undefined,
    // The URL's words as they stand: the server refuses one it does not know.
    status: (filter.status ?? undefined) as ScreenStatus | undefined,
    groupId: filter.group === null ? undefined : Number(filter.group),
    search: filter.q ?? undefined,
    connection: (filter.connection ?? undefined) as ScreenConnection | undefined,
  };
  // The enrolment sheet takes the list's whole filter, in the list's own URL words (it issues codes for
  // the pending screens among them).
  const sheetQuery = new URLSearchParams(
    Object.entries({
      city: filter.city,
      building: filter.building,
      status: filter.status,
      group: filter.group,
      q: filter.q,
      connection: filter.connection,
    }).filter((entry): entry is [string, string] => entry[1] !== null),
  ).toString();
  const screens = useScreenListPages(listFilter, SCREENS_REFETCH_MS);
  const summary = useScreenSummary(SUMMARY_REFETCH_MS);
  const locations = useScreenLocations();
  // The buildings of the chosen city are asked of the server, so a cut network-wide list misses none.
  const cityLocations = useScreenLocations(filter.city ?? undefined);
  const [citySearch, setCitySearch] = useState('');
  const [buildingSearch, setBuildingSearch] = useState('');
  const groups = useScreenGroupPages();
  const newCode = useNewEnrolmentCode({
    onSuccess: setShownCode,
    onError: notifyError,
  });
  const revoke = useRevokeScreen({
    onSuccess: (screen) => {
      setRevoking(null);
      notifySuccess(t('screens.revokedToast', { name: screen.name }));
    },
    onError: notifyError,
  });

  // Replace: a new screen at the same place; reinstate: the same screen enrols again. Both hand back
  // a one-time enrolment code, shown like a new screen's; the old key stays revoked either way.
  const reprovision = useReprovisionScreen({
    onSuccess: ({ screen, code, expiresAt }) => {
      setReprovisioning(null);
      setShownCode({ screen, code: { code, expiresAt } });
    },
    onError: notifyError,
  });

  const cities = useMemo(
    () =>
      placeOptions(
        locations.data?.items.map((l) => l.city) ?? [],
        locations.data?.truncated === true,
        citySearch,
        filter.city,
      ),
    [locations.data, citySearch, filter.city],
  );
  const buildingSource = filter.city === null ? locations.data : cityLocations.data;
  const buildings = useMemo(
    () =>
      placeOptions(
        buildingSource?.items.map((l) => l.building) ?? [],
        buildingSource?.truncated === true,
        buildingSearch,
        filter.building,
      ),
    [buildingSource, buildingSearch, filter.building],
  );
  const groupOptions = useMemo(() => {
    const options = groups.items.map((g) => ({ value: String(g.id), label: g.name }));
    // A group from a shared link that is not among the loaded ones still shows as chosen.
    if (filter.group !== null && !options.some((option) => option.value === filter.group))
      options.push({ value: filter.group, label: `#${filter.group}` });
    return options;
  }, [groups.items, filter.group]);
  const nowMs = useNowMs();
  const items = screens.items;
  const grouped = useMemo(() => {
    const map = new Map<string, Screen[]>();
    for (const screen of items) {
      const key =
        groupBy === 'none' ? '' : groupBy === 'city' ? screen.city : `${screen.city} · ${screen.building}`;
      map.set(key, [...(map.get(key) ?? []), screen]);
    }
    return [...map.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [items, groupBy]);
  const filtered = FILTER_KEYS.some((key) => key !== 'by' && filter[key] !== null);
  const connectionOptions: { value: ScreenConnection; label: string }[] = [
    { value: 'online', label: t('fleet.connectionOnline') },
    { value: 'offline', label: t('fleet.connectionOffline') },
    {
      value: 'long-offline',
      label: t('fleet.connectionLongOffline', { minutes: OFFLINE_ALERT_AFTER_MS / 60_000 }),
    },
  ];

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('screens.title')}</Title>
        <Group gap="xs">
          <Button variant="default" onClick={() => setBulk('actions')}>
            {t('bulk.actions')}
          </Button>
          <Button variant="default" component={Link} to={`/operator/screens/enrolment-sheet?${sheetQuery}`}>
            {t('bulk.printCodes')}
          </Button>
          <Button variant="light" onClick={() => setBulk('import')}>
            {t('bulk.importCsv')}
          </Button>
          <Button onClick={() => setProvisioning(true)}>{t('screens.provision')}</Button>
        </Group>
      </Group>
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <StatCard label={t('screens.total')} value={summary.data?.total} color="dark" />
        <StatCard label={t('screens.online')} value={summary.data?.online} color="teal.8" />
        <StatCard label={t('screens.offline')} value={summary.data?.offline} color="red.8" />
        <StatCard label={t('screens.pending')} value={summary.data?.byStatus.pending} color="yellow.9" />
      </SimpleGrid>
      {summary.error === null ? null : <ErrorAlert error={summary.error} />}
      {(summary.data?.longOffline ?? 0) > 0 && (
        <LongOfflineAlert
          count={summary.data?.longOffline ?? 0}
          onShow={() => setFilter({ connection: 'long-offline', status: null })}
        />
      )}
      {summary.data === undefined || summary.data.cities.length < 2 ? null : (
        <Group gap={6} data-testid="city-counts">
          <Text size="sm" fw={500}>
            {summary.data.citiesTruncated
              ? t('fleet.citiesTruncated', { count: summary.data.cities.length })
              : t('fleet.byCity')}
          </Text>
          {summary.data.cities.slice(0, CITY_CHIPS_MAX).map((city) => (
            <Tooltip
              key={city.city}
              label={`${t('screens.online')} ${city.online} · ${t('screens.offline')} ${city.offline}`}
            >
              <Badge
                variant={filter.city === city.city ? 'filled' : 'light'}
                styles={{ root: { cursor: 'pointer', maxWidth: 220, textTransform: 'none' } }}
                onClick={() =>
                  setFilter({ city: filter.city === city.city ? null : city.city, building: null })
                }
              >
                {city.city} · {formatCount(city.total, i18n.language)}
              </Badge>
            </Tooltip>
          ))}
        </Group>
      )}
      <Card withBorder radius="md">
        <Group align="end" wrap="wrap">
          <TextInput
            label={t('fleet.search')}
            placeholder={t('fleet.searchPlaceholder')}
            value={search}
            maxLength={100}
            onChange={(event) => setSearch(event.currentTarget.value)}
            w={200}
          />
          <Select
            label={t('screens.filterCity')}
            data={cities}
            value={filter.city}
            clearable
            searchable
            searchValue={citySearch}
            onSearchChange={setCitySearch}
            description={
              locations.data?.truncated === true
                ? t('fleet.placesTruncated', { count: locations.data.items.length })
                : undefined
            }
            onChange={(city) => setFilter({ city, building: null })}
            w={180}
          />
          <Select
            label={t('screens.filterBuilding')}
            data={buildings}
            value={filter.building}
            clearable
            searchable
            searchValue={buildingSearch}
            onSearchChange={setBuildingSearch}
            description={
              buildingSource?.truncated === true
                ? t('fleet.placesTruncated', { count: buildingSource.items.length })
                : undefined
            }
            onChange={(building) => setFilter({ building })}
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
            onChange={(status) => setFilter({ status })}
            w={160}
          />
          <Select
            label={t('fleet.filterConnection')}
            data={connectionOptions}
            value={filter.connection}
            clearable
            onChange={(connection) => setFilter({ connection })}
            w={190}
          />
          <Select
            label={t('screens.filterGroup')}
            data={groupOptions}
            value={filter.group}
            clearable
            searchable
            onChange={(group) => setFilter({ group })}
            w={180}
          />
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              {t('screens.groupBy')}
            </Text>
            <SegmentedControl
              value={groupBy}
              onChange={(value) => setFilter({ by: value === 'city' ? null : value })}
              data={[
                { value: 'none', label: t('screens.groupByNone') },
                { value: 'city', label: t('screens.groupByCity') },
                { value: 'building', label: t('screens.groupByBuilding') },
              ]}
            />
          </Stack>
          {filtered ? (
            <Button
              variant="subtle"
              onClick={() => {
                setSearch('');
                setFilter({
                  city: null,
                  building: null,
                  status: null,
                  group: null,
                  q: null,
                  connection: null,
                });
              }}
            >
              {t('fleet.clearFilters')}
            </Button>
          ) : null}
        </Group>
      </Card>
      <QueryState
        query={screens.query}
        isEmpty={(data) => data.pages.every((page) => page.items.length === 0)}
        empty={filtered ? <Empty /> : <Empty title={t('screens.emptyTitle')}>{t('screens.emptyBody')}</Empty>}
      >
        {() => (
          <Card withBorder radius="md" p={0}>
            <Table.ScrollContainer minWidth={1260}>
              <Table layout="fixed" verticalSpacing="sm" highlightOnHover aria-label={t('screens.title')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w="22%">{t('common.name')}</Table.Th>
                    <Table.Th w="9%">{t('screens.elevator')}</Table.Th>
                    <Table.Th w={96}>{t('common.status')}</Table.Th>
                    <Table.Th w="12%">{t('screens.lastSeen')}</Table.Th>
                    <Table.Th w={80}>{t('screens.backlog')}</Table.Th>
                    <Table.Th w="11%">{t('screens.decks')}</Table.Th>
                    <Table.Th w="11%">{t('stickers.lastClaim')}</Table.Th>
                    <Table.Th w={80}>{t('stickers.count')}</Table.Th>
                    <Table.Th w={84}>{t('screens.clockSkew')}</Table.Th>
                    <Table.Th w={84}>{t('screens.version')}</Table.Th>
                    <Table.Th w={250}>{t('common.actions')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {grouped.flatMap(([key, rows]) => [
                    ...(groupBy === 'none'
                      ? []
                      : [
                          <Table.Tr key={`group-${key}`} bg="var(--mantine-color-gray-1)">
                            <Table.Td colSpan={11}>
                              <Group gap={6} wrap="nowrap">
                                <Truncated text={key} fw={700} size="sm" />
                                <Badge size="xs" variant="light" styles={BADGE_STYLES}>
                                  {rows.length}
                                </Badge>
                              </Group>
                            </Table.Td>
                          </Table.Tr>,
                        ]),
                    ...rows.map((screen) => (
                      <Table.Tr key={screen.id} data-testid={`screen-row-${screen.id}`}>
                        <Table.Td>
                          <Anchor
                            component={Link}
                            to={`/operator/screens/${screen.id}`}
                            fw={600}
                            size="sm"
                            display="block"
                            style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}
                            title={screen.name}
                            data-testid={`screen-name-${screen.id}`}
                          >
                            {screen.name}
                          </Anchor>
                          <Truncated
                            text={`#${screen.id} · ${screen.city} · ${screen.building}`}
                            size="xs"
                            c="dimmed"
                          />
                        </Table.Td>
                        <Table.Td>
                          <Truncated text={screen.elevator} size="sm" />
                        </Table.Td>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>
                          <ScreenStatusBadge screen={screen} nowMs={nowMs} />
                        </Table.Td>
                        <Table.Td>
                          {screen.health === null ? (
                            <Text size="xs" c="dimmed">
                              {t('screens.neverSeen')}
                            </Text>
                          ) : (
                            <>
                              <Tooltip label={formatDateTime(screen.health.lastSeenAt, i18n.language)}>
                                <Text size="sm" data-testid={`last-seen-${screen.id}`} truncate="end">
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
                        <Table.Td data-testid={`last-claim-${screen.id}`}>
                          <Text size="sm" truncate="end">
                            <LastClaim screen={screen} nowMs={nowMs} />
                          </Text>
                        </Table.Td>
                        <Table.Td data-testid={`stickers-${screen.id}`}>{screen.stickers}</Table.Td>
                        <Table.Td>
                          {screen.health === null ? (
                            '—'
                          ) : (
                            <Text size="sm" c={Math.abs(screen.health.clockSkewS) > 60 ? 'red.8' : 'inherit'}>
                              {screen.health.clockSkewS} s
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td>
                          <Truncated text={screen.health?.appVersion ?? '—'} size="sm" />
                        </Table.Td>
                        <Table.Td>
                          <Group gap={6} wrap="wrap">
                            <Button size="compact-sm" variant="subtle" onClick={() => setEditing(screen)}>
                              {t('fleet.edit')}
                            </Button>
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
            <LoadMore list={screens} total={filtered ? undefined : summary.data?.total} />
          </Card>
        )}
      </QueryState>
      <ImportScreensModal opened={bulk === 'import'} onClose={() => setBulk(null)} />
      <BulkActionsModal opened={bulk === 'actions'} onClose={() => setBulk(null)} filter={listFilter} />
      <ProvisionModal
        opened={provisioning}
        onClose={() => setProvisioning(false)}
        onCreated={(screen, code) => {
          setProvisioning(false);
          setShownCode({ screen, code });
        }}
      />
      <EditScreenModal screen={editing} onClose={() => setEditing(null)} />
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
          <Text style={{ overflowWrap: 'anywhere' }}>
            {t('screens.revokeConfirm', { name: revoking?.name ?? '' })}
          </Text>
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
          <Text style={{ overflowWrap: 'anywhere' }}>
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
