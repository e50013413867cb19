// Campaign reports: impressions, taps, tap-through rate and spend over time, then by city, by screen and
// by path (a wallet app's tap or an online claim of a screen's QR code, reader tag or sticker),
// with CSV export of the same rows; then coupon redemptions. Days are labelled with the zone they are
// counted in, and a rate is shown only where plays were reported (— otherwise), never taps over nothing.
import { BarChart, LineChart } from '@mantine/charts';
import {
  Button,
  Card,
  Group,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiText } from '../../api/client.ts';
import { useCampaignPages } from '../../api/hooks/campaigns.ts';
import { useEveryPage } from '../../api/hooks/paging.ts';
import { useReport } from '../../api/hooks/reports.ts';
import type { ReportRow } from '../../api/types.ts';
import { CouponReport } from '../../components/coupon-report.tsx';
import { Empty, notifyError, QueryState } from '../../components/feedback.tsx';
import { useToken } from '../../components/session-context.tsx';
import { downloadText } from '../../lib/download.ts';
import { formatCount, formatPercent } from '../../lib/format.ts';
import { formatFen } from '../../lib/money.ts';
import { totals } from '../../lib/report-totals.ts';

type Dimension = 'day' | 'city' | 'screen' | 'path';
const DIMENSIONS: readonly Dimension[] = ['day', 'city', 'screen', 'path'];
const byKey = {
  day: 'reports.byDay',
  city: 'reports.byCity',
  screen: 'reports.byScreen',
  path: 'reports.byPath',
} as const;

function isoDay(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

function screenLabel(row: ReportRow): string {
  return row.label === row.key ? `#${row.key}` : `#${row.key} ${row.label}`;
}

/** A row's name: a screen by id and name, a path in the reader's words, a day or city as it is. */
function rowLabel(row: ReportRow, by: Dimension, t: (key: string) => string): string {
  if (by === 'screen') return screenLabel(row);
  if (by === 'path') return t(`reports.paths.${row.key}`);
  return row.key;
}

function RowsTable({ rows, by, timezone }: { rows: ReportRow[]; by: Dimension; timezone: string }) {
  const { t, i18n } = useTranslation();
  return (
    <Table.ScrollContainer minWidth={700}>
      <Table striped verticalSpacing="xs" aria-label={t(byKey[by])}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{by === 'day' ? t('reports.dayIn', { zone: timezone }) : t(byKey[by])}</Table.Th>
            <Table.Th ta="right">{t('reports.impressions')}</Table.Th>
            <Table.Th ta="right">{t('reports.taps')}</Table.Th>
            <Table.Th ta="right">{t('reports.ctr')}</Table.Th>
            <Table.Th ta="right">{t('reports.uniqueWallets')}</Table.Th>
            <Table.Th ta="right">{t('reports.spend')}</Table.Th>
            <Table.Th ta="right">{t('reports.coupons')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.key} data-testid={`report-row-${row.key}`}>
              <Table.Td>{rowLabel(row, by, t)}</Table.Td>
              <Table.Td ta="right">{formatCount(row.impressions, i18n.language)}</Table.Td>
              <Table.Td ta="right">{formatCount(row.taps, i18n.language)}</Table.Td>
              <Table.Td ta="right" data-testid="report-ctr">
                {formatPercent(row.tapThroughRate, i18n.language)}
              </Table.Td>
              <Table.Td ta="right">{formatCount(row.uniqueWallets, i18n.language)}</Table.Td>
              <Table.Td ta="right">{formatFen(row.cashFen)}</Table.Td>
              <Table.Td ta="right">{formatCount(row.coupons, i18n.language)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function ReportsPage() {
  const { t, i18n } = useTranslation();
  const token = useToken();
  const [campaignId, setCampaignId] = useState<string | null>(null);
  const [range, setRange] = useState({ from: isoDay(-29), to: isoDay(1) });
  const [by, setBy] = useState<Dimension>('day');
  const campaigns = useEveryPage(useCampaignPages());
  const query = (dimension: Dimension) => ({
    by: dimension,
    ...(campaignId === null ? {} : { campaignId: Number(campaignId) }),
    from: range.from,
    to: range.to,
  });
  const daily = useReport(query('day'));
  const breakdown = useReport(query(by));
  const csv = useMutation({
    mutationFn: () => apiText('/v1/reports', { token, query: { ...query(by), format: 'csv' } }),
    onSuccess: ({ text }) => downloadText(`redtap-report-${by}-${range.from}-${range.to}.csv`, text),
    onError: notifyError,
  });
  const sum = totals(daily.data?.items ?? []);
  const timezone = daily.data?.timezone ?? breakdown.data?.timezone;
  const kpis = [
    [t('reports.impressions'), formatCount(sum.impressions, i18n.language)],
    [t('reports.taps'), formatCount(sum.taps, i18n.language)],
    [t('reports.ctr'), formatPercent(sum.ctr, i18n.language)],
    [t('reports.spend'), formatFen(sum.cashFen)],
    [t('reports.coupons'), formatCount(sum.coupons, i18n.language)],
  ] as const;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('reports.title')}</Title>
        <Button variant="light" onClick={() => csv.mutate()} loading={csv.isPending}>
          {t('reports.csv')}
        </Button>
      </Group>
      <Card withBorder radius="md">
        <Group align="end">
          <Select
            label={t('reports.campaign')}
            placeholder={t('reports.allCampaigns')}
            clearable
            w={280}
            data={campaigns.items.map((c) => ({ value: String(c.id), label: `#${c.id} ${c.name}` }))}
            value={campaignId}
            onChange={setCampaignId}
          />
          <TextInput
            type="date"
            label={t('reports.from')}
            value={range.from}
            onChange={(e) => {
              const from = e.currentTarget.value;
              setRange((r) => ({ ...r, from }));
            }}
          />
          <TextInput
            type="date"
            label={t('reports.to')}
            value={range.to}
            onChange={(e) => {
              const to = e.currentTarget.value;
              setRange((r) => ({ ...r, to }));
            }}
          />
        </Group>
        <Text size="xs" c="dimmed" mt="sm" data-testid="report-zone-note">
          {timezone === undefined ? null : `${t('reports.zoneNote', { zone: timezone })} `}
          {t('reports.ctrNote')}
          {[...(daily.data?.items ?? []), ...(breakdown.data?.items ?? [])].some(
            (row) => row.uniqueWallets === null,
          )
            ? ` ${t('reports.walletsNote')}`
            : null}
        </Text>
      </Card>
      <SimpleGrid cols={{ base: 2, md: 5 }}>
        {kpis.map(([label, value]) => (
          <Card key={label} withBorder radius="md">
            <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
              {label}
            </Text>
            <Text fz={24} fw={700} data-testid={`kpi-${label}`}>
              {value}
            </Text>
          </Card>
        ))}
      </SimpleGrid>
      <QueryState
        query={daily}
        isEmpty={(data) => data.items.length === 0}
        empty={<Empty>{t('reports.emptyBody')}</Empty>}
      >
        {(data) => {
          const points = data.items.map((row) => ({
            day: row.key,
            impressions: row.impressions,
            taps: row.taps,
            // A gap, not a zero, where the rate is unknown.
            ctr: row.tapThroughRate === null ? null : Math.round(row.tapThroughRate * 1000) / 10,
            spend: row.cashFen / 100,
          }));
          return (
            <SimpleGrid cols={{ base: 1, lg: 2 }}>
              <Card withBorder radius="md">
                <Text fw={700} mb="sm">
                  {t('reports.overTime')}
                </Text>
                <LineChart
                  h={240}
                  data={points}
                  dataKey="day"
                  xAxisLabel={t('reports.dayIn', { zone: data.timezone })}
                  withLegend
                  series={[
                    { name: 'impressions', label: t('reports.impressions'), color: 'blue.6' },
                    { name: 'taps', label: t('reports.taps'), color: 'packet.6' },
                    { name: 'ctr', label: `${t('reports.ctr')} %`, color: 'teal.6', yAxisId: 'right' },
                  ]}
                  withRightYAxis
                  curveType="monotone"
                />
              </Card>
              <Card withBorder radius="md">
                <Text fw={700} mb="sm">
                  {t('reports.spendOverTime')}
                </Text>
                <BarChart
                  h={240}
                  data={points}
                  dataKey="day"
                  valueFormatter={(value) => `¥${value.toFixed(2)}`}
                  series={[{ name: 'spend', label: t('reports.spend'), color: 'packet.6' }]}
                />
              </Card>
            </SimpleGrid>
          );
        }}
      </QueryState>
      <Card withBorder radius="md">
        <Tabs
          value={by}
          onChange={(value) => setBy(DIMENSIONS.find((dimension) => dimension === value) ?? 'day')}
        >
          <Tabs.List>
            {DIMENSIONS.map((dimension) => (
              <Tabs.Tab key={dimension} value={dimension}>
                {t(byKey[dimension])}
              </Tabs.Tab>
            ))}
          </Tabs.List>
        </Tabs>
        <Stack mt="md">
          <QueryState
            query={breakdown}
            isEmpty={(data) => data.items.length === 0}
            empty={<Empty>{t('reports.emptyBody')}</Empty>}
          >
            {(data) => (
              <>
                {by === 'day' ? null : (
                  <BarChart
                    h={220}
                    data={data.items.map((row) => ({
                      key: rowLabel(row, by, t),
                      taps: row.taps,
                      impressions: row.impressions ?? 0,
                    }))}
                    dataKey="key"
                    withLegend
                    series={[
                      { name: 'impressions', label: t('reports.impressions'), color: 'blue.6' },
                      { name: 'taps', label: t('reports.taps'), color: 'packet.6' },
                    ]}
                  />
                )}
                <RowsTable rows={data.items} by={by} timezone={data.timezone} />
              </>
            )}
          </QueryState>
        </Stack>
      </Card>
      <CouponReport campaignId={campaignId} from={range.from} to={range.to} />
    </Stack>
  );
}
