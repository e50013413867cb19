// The envelope distribution a prize plan produces: a lucky plan is drawn client-side with the cloud's
// double-mean algorithm (seeded, so the chart is stable), tiers are shown as they are.
import { BarChart } from '@mantine/charts';
import { Button, Card, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { ENVELOPES_PER_PLAN_MAX, planLucky, seededRandomInt, type PrizePlan } from '@redtap/shared/money';
import { histogram } from '../lib/histogram.ts';
import { formatFen } from '../lib/money.ts';

function amountsOf(plan: PrizePlan, seed: number): number[] | null {
  if (plan.kind === 'lucky') {
    const drawn = planLucky(plan, seededRandomInt(seed));
    return drawn.ok ? drawn.value : null;
  }
  return plan.tiers.flatMap((tier) =>
    Array.from({ length: Math.min(tier.count, ENVELOPES_PER_PLAN_MAX) }, () => tier.amountFen),
  );
}

export function PrizeChart({
  plan,
  seed,
  onReshuffle,
}: {
  plan: PrizePlan;
  seed: number;
  onReshuffle: () => void;
}) {
  const { t } = useTranslation();
  const amounts = useMemo(() => amountsOf(plan, seed), [plan, seed]);
  if (amounts === null || amounts.length === 0) return null;
  const bins =
    plan.kind === 'tiers'
      ? plan.tiers.map((tier) => ({ label: formatFen(tier.amountFen), envelopes: tier.count }))
      : histogram(amounts).map((bin) => ({
          label:
            bin.fromFen === bin.toFen
              ? formatFen(bin.fromFen)
              : `${formatFen(bin.fromFen)}–${formatFen(bin.toFen)}`,
          envelopes: bin.envelopes,
        }));
  const total = amounts.reduce((sum, amount) => sum + amount, 0);
  const stats = [
    [t('wizard.mean'), formatFen(Math.round(total / amounts.length))],
    [t('wizard.smallest'), formatFen(Math.min(...amounts))],
    [t('wizard.largest'), formatFen(Math.max(...amounts))],
    [t('common.total'), formatFen(total)],
  ] as const;
  return (
    <Card withBorder radius="md" data-testid="prize-chart">
      <Stack gap="sm">
        <Group justify="space-between">
          <div>
            <Text fw={700}>{t('wizard.chartTitle')}</Text>
            {plan.kind === 'lucky' ? (
              <Text size="xs" c="dimmed">
                {t('wizard.chartHelp', { seed })}
              </Text>
            ) : null}
          </div>
          {plan.kind === 'lucky' ? (
            <Button size="xs" variant="light" onClick={onReshuffle}>
              {t('wizard.reshuffle')}
            </Button>
          ) : null}
        </Group>
        <BarChart
          h={240}
          data={bins}
          dataKey="label"
          series={[{ name: 'envelopes', label: t('wizard.envelopes'), color: 'packet.6' }]}
          tickLine="y"
          gridAxis="y"
          xAxisProps={{ interval: 0, angle: -30, textAnchor: 'end', height: 60, fontSize: 11 }}
        />
        <SimpleGrid cols={4}>
          {stats.map(([label, value]) => (
            <div key={label}>
              <Text size="xs" c="dimmed">
                {label}
              </Text>
              <Text fw={600} size="sm" data-testid={`plan-${label}`}>
                {value}
              </Text>
            </div>
          ))}
        </SimpleGrid>
      </Stack>
    </Card>
  );
}
