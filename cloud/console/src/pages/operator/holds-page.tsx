// Fraud-hold review: taps a fraud rule held, oldest first; release pays the wallet, refuse returns the
// cash to the campaign budget.
import { Badge, Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { apiJson } from '../../api/client.ts';
import type { HeldTap, Page } from '../../api/types.ts';
import { Empty, notifyError, notifySuccess, QueryState } from '../../components/feedback.tsx';
import { useToken } from '../../components/session-context.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { formatFen } from '../../lib/money.ts';

export function HoldsPage() {
  const { t, i18n } = useTranslation();
  const token = useToken();
  const queryClient = useQueryClient();
  const holds = useQuery({
    queryKey: ['holds'],
    queryFn: () => apiJson<Page<HeldTap>>('/v1/holds', { token, query: { limit: 100 } }),
    refetchInterval: 15_000,
  });
  const review = useMutation({
    mutationFn: (input: { hold: HeldTap; decision: 'release' | 'refuse' }) =>
      apiJson<{ id: number; status: string }>(`/v1/holds/${input.hold.id}/${input.decision}`, {
        token,
        method: 'POST',
      }),
    onSuccess: (reply, input) => {
      notifySuccess(t(input.decision === 'release' ? 'holds.released' : 'holds.refused', { id: reply.id }));
      void queryClient.invalidateQueries({ queryKey: ['holds'] });
    },
    onError: notifyError,
  });
  return (
    <Stack>
      <Title order={2}>{t('holds.title')}</Title>
      <Text c="dimmed" size="sm">
        {t('holds.subtitle')}
      </Text>
      <QueryState
        query={holds}
        isEmpty={(page) => page.items.length === 0}
        empty={<Empty icon="✓">{t('holds.emptyBody')}</Empty>}
      >
        {(page) => (
          <Card withBorder radius="md" p={0}>
            <Table.ScrollContainer minWidth={860}>
              <Table verticalSpacing="sm" aria-label={t('holds.title')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('common.id')}</Table.Th>
                    <Table.Th>{t('holds.reason')}</Table.Th>
                    <Table.Th>{t('common.amount')}</Table.Th>
                    <Table.Th>{t('holds.wallet')}</Table.Th>
                    <Table.Th>{t('holds.screen')}</Table.Th>
                    <Table.Th>{t('holds.campaign')}</Table.Th>
                    <Table.Th>{t('holds.time')}</Table.Th>
                    <Table.Th>{t('common.actions')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {page.items.map((hold) => (
                    <Table.Tr key={hold.id} data-testid={`hold-${hold.id}`}>
                      <Table.Td>#{hold.id}</Table.Td>
                      <Table.Td>
                        <Badge color="orange" variant="light">
                          {hold.reason ?? 'HELD_FOR_REVIEW'}
                        </Badge>
                        {i18n.exists(`wallet.reason.${hold.reason ?? 'HELD_FOR_REVIEW'}`) ? (
                          <Text size="xs" c="dimmed" mt={4}>
                            {t(`wallet.reason.${hold.reason ?? 'HELD_FOR_REVIEW'}`)}
                          </Text>
                        ) : null}
                      </Table.Td>
                      <Table.Td fw={600}>{formatFen(hold.amountFen)}</Table.Td>
                      <Table.Td>#{hold.walletId}</Table.Td>
                      <Table.Td>
                        #{hold.screenId} · {t('holds.counter')} {hold.counter}
                      </Table.Td>
                      <Table.Td>#{hold.campaignId}</Table.Td>
                      <Table.Td>{formatDateTime(hold.tapTs, i18n.language)}</Table.Td>
                      <Table.Td>
                        <Group gap={6} wrap="nowrap">
                          <Button
                            size="compact-sm"
                            color="teal"
                            onClick={() => review.mutate({ hold, decision: 'release' })}
                          >
                            {t('holds.release')}
                          </Button>
                          <Button
                            size="compact-sm"
                            variant="default"
                            onClick={() => review.mutate({ hold, decision: 'refuse' })}
                          >
                            {t('holds.refuse')}
                          </Button>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Card>
        )}
      </QueryState>
    </Stack>
  );
}
