// Payouts: export the pending withdrawals as one batch for the payment provider (marked exported, in
// flight, after a confirmation), the batches with how many are in flight, paid or failed (each file
// downloadable again, the same bytes), the import of the provider's result file for a batch, and the
// ledger invariant check.
import {
  Alert,
  Badge,
  Button,
  Card,
  FileInput,
  Group,
  Modal,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client.ts';
import {
  fetchSettlementCsv,
  useImportPayoutResults,
  useLedgerCheck,
  useSettle,
  useSettlementExports,
} from '../../api/hooks/settlements.ts';
import type { SettlementExport } from '../../api/types.ts';
import { ErrorAlert, notifyError, notifySuccess, QueryState } from '../../components/feedback.tsx';
import { useToken } from '../../components/session-context.tsx';
import { downloadText } from '../../lib/download.ts';
import { formatDateTime } from '../../lib/format.ts';
import { formatFen } from '../../lib/money.ts';

/** The provider's result file for one batch: applied all or nothing; a refusal names its line. */
function ImportModal({ batch, onClose }: { batch: SettlementExport; onClose: () => void }) {
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const upload = useImportPayoutResults(batch, {
    onSuccess: (outcome) => {
      notifySuccess(t('settlements.imported', { ...outcome, batch: outcome.batchId }));
      onClose();
    },
  });
  return (
    <Modal
      opened
      onClose={onClose}
      title={t('settlements.importTitle', { batch: batch.settlementId })}
      centered
    >
      <Stack>
        <Text size="sm" c="dimmed">
          {t('settlements.importBody')}
        </Text>
        <FileInput
          label={t('settlements.importFile')}
          accept=".csv,text/csv"
          value={file}
          onChange={setFile}
          data-testid="import-file"
        />
        {upload.error === null ? null : (
          <Stack gap={4} data-testid="import-error">
            <ErrorAlert error={upload.error} />
            {upload.error instanceof ApiError ? (
              <Text size="xs" c="dimmed" ff="monospace">
                {upload.error.code}: {upload.error.message}
              </Text>
            ) : null}
          </Stack>
        )}
        <Group justify="flex-end">
          <Button
            disabled={file === null}
            loading={upload.isPending}
            onClick={() => {
              if (file !== null) upload.mutate(file);
            }}
          >
            {t('settlements.importButton')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function PastExports() {
  const { t, i18n } = useTranslation();
  const token = useToken();
  const [importing, setImporting] = useState<SettlementExport | null>(null);
  const exports = useSettlementExports();
  // A re-download reads the stored file: nothing is marked paid or moved again.
  const download = useMutation({
    mutationFn: async (item: SettlementExport) => {
      const text = await fetchSettlementCsv(token, item);
      downloadText(`redtap-${item.settlementId}.csv`, text);
    },
    onError: notifyError,
  });
  return (
    <Card withBorder radius="md">
      <Stack>
        <Title order={4}>{t('settlements.historyTitle')}</Title>
        <QueryState
          query={exports}
          isEmpty={(page) => page.items.length === 0}
          empty={
            <Text size="sm" c="dimmed">
              {t('settlements.historyEmpty')}
            </Text>
          }
        >
          {(page) => (
            <Table verticalSpacing="xs" aria-label={t('settlements.historyTitle')}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('settlements.settlementId')}</Table.Th>
                  <Table.Th>{t('settlements.exportedAt')}</Table.Th>
                  <Table.Th>{t('settlements.withdrawals')}</Table.Th>
                  <Table.Th>{t('common.amount')}</Table.Th>
                  <Table.Th>{t('settlements.inFlight')}</Table.Th>
                  <Table.Th>{t('settlements.paid')}</Table.Th>
                  <Table.Th>{t('settlements.failed')}</Table.Th>
                  <Table.Th>{t('common.actions')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.items.map((item) => (
                  <Table.Tr key={item.id} data-testid={`settlement-export-${item.id}`}>
                    <Table.Td>{item.settlementId}</Table.Td>
                    <Table.Td>{formatDateTime(item.createdAt, i18n.language)}</Table.Td>
                    <Table.Td>{item.withdrawalCount}</Table.Td>
                    <Table.Td>{formatFen(item.totalFen)}</Table.Td>
                    <Table.Td data-testid="batch-in-flight">{item.inFlightCount}</Table.Td>
                    <Table.Td data-testid="batch-paid">{item.paidCount}</Table.Td>
                    <Table.Td data-testid="batch-failed">{item.failedCount}</Table.Td>
                    <Table.Td>
                      <Group gap={6} wrap="nowrap">
                        <Button size="compact-sm" variant="light" onClick={() => download.mutate(item)}>
                          {t('settlements.downloadAgain')}
                        </Button>
                        <Button size="compact-sm" variant="default" onClick={() => setImporting(item)}>
                          {t('settlements.importResults')}
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </QueryState>
      </Stack>
      {importing === null ? null : (
        <ImportModal key={importing.id} batch={importing} onClose={() => setImporting(null)} />
      )}
    </Card>
  );
}

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
  // Exporting hands a batch to the provider: the operator confirms first.
  const [confirming, setConfirming] = useState(false);
  const ledger = useLedgerCheck();
  const settle = useSettle({
    onSuccess: ({ text }) => {
      downloadText(
        `redtap-settlement-${new Date().toISOString().slice(0, 19).replaceAll(':', '')}.csv`,
        text,
      );
      setConfirming(false);
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
              <Button onClick={() => setConfirming(true)} loading={settle.isPending}>
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
                      {check.idsTruncated ? ` · ${t('settlements.idsTruncated')}` : ''}
                    </Alert>
                  )}
                </Stack>
              )}
            </QueryState>
          </Stack>
        </Card>
      </SimpleGrid>
      <PastExports />
      <Modal
        opened={confirming}
        onClose={() => setConfirming(false)}
        title={t('settlements.confirmTitle')}
        centered
      >
        <Stack>
          <Text size="sm">{t('settlements.confirmBody')}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              {t('common.cancel')}
            </Button>
            <Button loading={settle.isPending} onClick={() => settle.mutate()}>
              {t('settlements.confirmExport')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
