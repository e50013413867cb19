// The coupon part of the reports: issued, redeemed, redemption rate and time to redeem (median, p90) by
// campaign, offer, store or city, with its own CSV export.
import { Button, Card, Group, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiText } from '../api/client.ts';
import { useCouponReport } from '../api/hooks/reports.ts';
import { downloadText } from '../lib/download.ts';
import { formatCount, formatPercent } from '../lib/format.ts';
import { Empty, notifyError, QueryState } from './feedback.tsx';
import { useToken } from './session-context.tsx';

type Dimension = 'campaign' | 'offer' | 'store' | 'city';
const DIMENSIONS: Dimension[] = ['campaign', 'offer', 'store', 'city'];
const LABELS = {
  campaign: 'couponReport.byCampaign',
  offer: 'couponReport.byOffer',
  store: 'couponReport.byStore',
  city: 'couponReport.byCity',
} as const;

/** Seconds as the largest sensible unit: 45 s, 12 min, 3.5 h, 2.1 d. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3_600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${(seconds / 3_600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

export function CouponReport(props: { campaignId: string | null; from: string; to: string }) {
  const { t, i18n } = useTranslation();
  const token = useToken();
  const [by, setBy] = useState<Dimension>('campaign');
  const query = { by, campaignId: props.campaignId ?? undefined, from: props.from, to: props.to };
  const report = useCouponReport({
    by,
    ...(props.campaignId === null ? {} : { campaignId: Number(props.campaignId) }),
    from: props.from,
    to: props.to,
  });
  const csv = useMutation({
    mutationFn: () => apiText('/v1/reports/coupons', { token, query: { ...query, format: 'csv' } }),
    onSuccess: ({ text }) => downloadText(`redtap-coupons-${by}-${props.from}-${props.to}.csv`, text),
    onError: notifyError,
  });
  return (
    <Card withBorder radius="md">
      <Stack>
        <Group justify="space-between">
          <Text fw={700}>{t('couponReport.title')}</Text>
          <Group>
            <SegmentedControl
              value={by}
              onChange={(value) => setBy(DIMENSIONS.find((d) => d === value) ?? 'campaign')}
              data={DIMENSIONS.map((d) => ({ value: d, label: t(LABELS[d]) }))}
            />
            <Button variant="light" onClick={() => csv.mutate()} loading={csv.isPending}>
              {t('couponReport.csv')}
            </Button>
          </Group>
        </Group>
        <QueryState
          query={report}
          isEmpty={(data) => data.items.length === 0}
          empty={<Empty>{t('couponReport.empty')}</Empty>}
        >
          {(data) => (
            <Table.ScrollContainer minWidth={700}>
              <Table striped verticalSpacing="xs" aria-label={t('couponReport.title')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t(LABELS[by])}</Table.Th>
                    <Table.Th ta="right">{t('couponReport.issued')}</Table.Th>
                    <Table.Th ta="right">{t('couponReport.redeemed')}</Table.Th>
                    <Table.Th ta="right">{t('couponReport.rate')}</Table.Th>
                    <Table.Th ta="right">{t('couponReport.expired')}</Table.Th>
                    <Table.Th ta="right">{t('couponReport.median')}</Table.Th>
                    <Table.Th ta="right">{t('couponReport.p90')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.items.map((row) => (
                    <Table.Tr key={row.key} data-testid={`coupon-row-${by}-${row.key}`}>
                      <Table.Td>{row.label}</Table.Td>
                      <Table.Td ta="right">{formatCount(row.issued, i18n.language)}</Table.Td>
                      <Table.Td ta="right" data-testid="coupon-redeemed">
                        {formatCount(row.redeemed, i18n.language)}
                      </Table.Td>
                      <Table.Td ta="right" data-testid="coupon-rate">
                        {formatPercent(row.redemptionRate, i18n.language)}
                      </Table.Td>
                      <Table.Td ta="right">{formatCount(row.expired, i18n.language)}</Table.Td>
                      <Table.Td ta="right">{formatDuration(row.redeemMedianS)}</Table.Td>
                      <Table.Td ta="right">{formatDuration(row.redeemP90S)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </QueryState>
      </Stack>
    </Card>
  );
}
