// Payout settlement (CSV download of pending withdrawals, which the cloud marks paid) and the ledger
// invariant check.
import { Alert, Badge, Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { apiJson, apiText } from '../../api/client.ts';
import type { LedgerCheck } from '../../api/types.ts';
import { notifyError, QueryState } from '../../components/feedback.tsx';
import { useToken } from '../../components/session-context.tsx';
import { downloadText } from '../../lib/download.ts';
import { formatFen } from '../../lib/money.ts';

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text fw={700} size="lg">
        {value}
      </Text>
    </div>
  );
}

export function SettlementsPage() {
  const { t } = useTranslation();
  const token = useToken();
  const ledger = useQuery({
    queryKey: ['ledger-check'],
    queryFn: () => apiJson<LedgerCheck>('/v1/ledger/check', { token }),
  });
  const settle = useMutation({
    mutationFn: () => apiText('/v1/settlements', { token, method: 'POST' }),
    onSuccess: ({ text }) => {
      downloadText(
        `redtap-settlement-${new Date().toISOString().slice(0, 19).replaceAll(':', '')}.csv`,
        text,
      );
      void ledger.refetch();
    },
    onError: notifyError,
  });
  const last =
    settle.data === undefined
      ? null
      : {
          count: Number(settle.data.headers.get('x-settlement-count') ?? '0'),
          totalFen: Number(settle.data.headers.get('x-settlement-total-fen') ?? '0'),
        };
  return (
    <Stack>
      <Title order={2}>{t('settlements.title')}</Title>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Card withBorder radius="md">
          <Stack>
            <Title order={4}>{t('settlements.exportTitle')}</Title>
            <Text size="sm" c="dimmed">
              {t('settlements.exportBody')}
            </Text>
            <Group>
              <Button onClick={() => settle.mutate()} loading={settle.isPending}>
                {t('settlements.export')}
              </Button>
            </Group>
            {last === null ? null : (
              <Alert
                color="teal"
                variant="light"
                title={t('settlements.lastFile')}
                data-testid="settlement-result"
              >
                {t('settlements.exported', { count: last.count, amount: formatFen(last.totalFen) })}
              </Alert>
            )}
          </Stack>
        </Card>
        <Card withBorder radius="md">
          <Stack>
            <Group justify="space-between">
              <Title order={4}>{t('settlements.ledgerTitle')}</Title>
              <Button
                size="xs"
                variant="light"
                onClick={() => void ledger.refetch()}
                loading={ledger.isFetching}
              >
                {t('common.refresh')}
              </Button>
            </Group>
            <Text size="sm" c="dimmed">
              {t('settlements.ledgerBody')}
            </Text>
            <QueryState query={ledger}>
              {(check) => (
                <Stack>
                  <Badge size="lg" color={check.ok ? 'teal' : 'red'} data-testid="ledger-status">
                    {check.ok ? t('settlements.ledgerOk') : t('settlements.ledgerBad')}
                  </Badge>
                  <SimpleGrid cols={3}>
                    <Figure label={t('settlements.accounts')} value={String(check.accounts)} />
                    <Figure label={t('settlements.transfers')} value={String(check.transfers)} />
                    <Figure label={t('settlements.sum')} value={formatFen(check.totalFen)} />
                  </SimpleGrid>
                  {check.negativeAccountIds.length + check.mismatchedAccountIds.length === 0 ? null : (
                    <Alert color="red">
                      {t('settlements.negative')}: {check.negativeAccountIds.join(', ') || '—'} ·{' '}
                      {t('settlements.mismatched')}: {check.mismatchedAccountIds.join(', ') || '—'}
                    </Alert>
                  )}
                </Stack>
              )}
            </QueryState>
          </Stack>
        </Card>
      </SimpleGrid>
    </Stack>
  );
}
