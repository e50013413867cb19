// Advertiser accounts: create one with its first user, see its unallocated cash, fund it (after a
// confirmation) and read its statement: every ledger transfer of its account with the balance after it.
import {
  Button,
  Card,
  Group,
  Modal,
  PasswordInput,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { newTransferId } from '../../api/client.ts';
import {
  useAdvertiserBalance,
  useAdvertiserPages,
  useAdvertiserStatement,
  useCreateAdvertiser,
  useFundAdvertiser,
} from '../../api/hooks/advertisers.ts';
import type { Advertiser, StatementLine } from '../../api/types.ts';
import { Empty, ErrorAlert, notifySuccess, QueryState } from '../../components/feedback.tsx';
import { MoneyInput } from '../../components/money-input.tsx';
import { LoadMore } from '../../components/load-more.tsx';
import { Truncated } from './screen-parts.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { formatFen } from '../../lib/money.ts';

function Balance({ advertiserId }: { advertiserId: number }) {
  const balance = useAdvertiserBalance(advertiserId);
  return (
    <Text fw={600} data-testid={`advertiser-balance-${advertiserId}`}>
      {balance.data === undefined ? '…' : formatFen(balance.data.balanceFen)}
    </Text>
  );
}

function FundModal({ advertiser, onClose }: { advertiser: Advertiser | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [fen, setFen] = useState<number | null>(null);
  // One transfer id per dialog: a double click or a retry posts the same transfer once.
  const [transferId] = useState(newTransferId);
  // Funding moves real money in: the amount is confirmed on a second step before it is posted.
  const [reviewing, setReviewing] = useState(false);
  const fund = useFundAdvertiser({
    onSuccess: ({ advertiser: target }) => {
      notifySuccess(t('advertisers.funded', { name: target.name, amount: formatFen(fen ?? 0) }));
      onClose();
    },
  });
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    if (advertiser === null || fen === null) return;
    if (reviewing) fund.mutate({ advertiser, amountFen: fen, transferId });
    else setReviewing(true);
  };
  return (
    <Modal
      opened={advertiser !== null}
      onClose={onClose}
      title={t('advertisers.fundTitle', { name: advertiser?.name ?? '' })}
      centered
    >
      <form onSubmit={submit}>
        <Stack>
          {reviewing ? (
            <Text size="sm" data-testid="fund-confirm">
              {t('advertisers.fundConfirm', { name: advertiser?.name ?? '', amount: formatFen(fen ?? 0) })}
            </Text>
          ) : (
            <MoneyInput label={t('common.amount')} onFen={setFen} required />
          )}
          {fund.error === null ? null : <ErrorAlert error={fund.error} />}
          {reviewing ? (
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setReviewing(false)}>
                {t('advertisers.fundBack')}
              </Button>
              <Button type="submit" loading={fund.isPending}>
                {t('advertisers.fundConfirmButton')}
              </Button>
            </Group>
          ) : (
            <Button type="submit" disabled={fen === null || fen < 1}>
              {t('advertisers.fundReview')}
            </Button>
          )}
        </Stack>
      </form>
    </Modal>
  );
}

const STATEMENT_PAGE_SIZE = 50;

/** Every ledger transfer of the advertiser's account, newest first, paged on to the first. */
function StatementModal({ advertiser, onClose }: { advertiser: Advertiser; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const statement = useAdvertiserStatement(advertiser.id, STATEMENT_PAGE_SIZE);
  const what = (line: StatementLine) => {
    const name = line.campaignName ?? `#${String(line.campaignId ?? '')}`;
    return i18n.exists(`advertisers.statementCode.${line.code}`)
      ? t(`advertisers.statementCode.${line.code}`, { name })
      : t('advertisers.statementCode.other', { code: line.code });
  };
  return (
    <Modal
      opened
      onClose={onClose}
      title={t('advertisers.statementTitle', { name: advertiser.name })}
      size="xl"
      centered
    >
      <QueryState
        query={statement}
        isEmpty={(data) => data.pages[0]?.items.length === 0}
        empty={<Empty>{t('advertisers.statementEmpty')}</Empty>}
      >
        {(data) => (
          <Stack>
            <Text size="sm" data-testid="statement-balance">
              {t('advertisers.statementBalance', { amount: formatFen(data.pages[0]?.balanceFen ?? 0) })}
            </Text>
            <Table
              verticalSpacing="xs"
              aria-label={t('advertisers.statementTitle', { name: advertiser.name })}
            >
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('advertisers.fundedAt')}</Table.Th>
                  <Table.Th>{t('advertisers.statementWhat')}</Table.Th>
                  <Table.Th ta="right">{t('common.amount')}</Table.Th>
                  <Table.Th>{t('advertisers.fundedBy')}</Table.Th>
                  <Table.Th ta="right">{t('advertisers.balanceAfter')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.pages
                  .flatMap((page) => page.items)
                  .map((line) => (
                    <Table.Tr key={line.transferId} data-testid="funding-line">
                      <Table.Td>{formatDateTime(line.createdAt, i18n.language)}</Table.Td>
                      <Table.Td>{what(line)}</Table.Td>
                      <Table.Td ta="right" c={line.amountFen < 0 ? 'red' : 'inherit'}>
                        {line.amountFen > 0 ? '+' : ''}
                        {formatFen(line.amountFen)}
                      </Table.Td>
                      <Table.Td>{line.fundedByEmail ?? '—'}</Table.Td>
                      <Table.Td ta="right">{formatFen(line.balanceAfterFen)}</Table.Td>
                    </Table.Tr>
                  ))}
              </Table.Tbody>
            </Table>
            {statement.hasNextPage ? (
              <Button
                variant="default"
                size="xs"
                loading={statement.isFetchingNextPage}
                onClick={() => void statement.fetchNextPage()}
              >
                {t('advertisers.statementMore')}
              </Button>
            ) : null}
          </Stack>
        )}
      </QueryState>
    </Modal>
  );
}

export function AdvertisersPage() {
  const { t, i18n } = useTranslation();
  const [form, setForm] = useState({ name: '', email: '', password: '' });
  const [creating, setCreating] = useState(false);
  const [funding, setFunding] = useState<Advertiser | null>(null);
  const [statementOf, setStatementOf] = useState<Advertiser | null>(null);
  const advertisers = useAdvertiserPages();
  const create = useCreateAdvertiser({
    onSuccess: (advertiser) => {
      notifySuccess(t('advertisers.created', { name: advertiser.name }));
      setForm({ name: '', email: '', password: '' });
      setCreating(false);
    },
  });
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    create.mutate(form);
  };
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('advertisers.title')}</Title>
        <Button onClick={() => setCreating(true)}>{t('advertisers.create')}</Button>
      </Group>
      <QueryState
        query={advertisers.query}
        isEmpty={(data) => data.pages.every((page) => page.items.length === 0)}
        empty={<Empty>{t('advertisers.emptyBody')}</Empty>}
      >
        {() => (
          <Card withBorder radius="md" p={0}>
            <Table.ScrollContainer minWidth={760}>
              <Table layout="fixed" verticalSpacing="sm" aria-label={t('advertisers.title')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={80}>{t('common.id')}</Table.Th>
                    <Table.Th>{t('common.name')}</Table.Th>
                    <Table.Th w={140}>{t('advertisers.balance')}</Table.Th>
                    <Table.Th w={170}>{t('common.create')}</Table.Th>
                    <Table.Th w={200}>{t('common.actions')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {advertisers.items.map((advertiser) => (
                    <Table.Tr key={advertiser.id}>
                      <Table.Td>#{advertiser.id}</Table.Td>
                      <Table.Td>
                        <Truncated text={advertiser.name} fw={600} size="sm" />
                      </Table.Td>
                      <Table.Td>
                        <Balance advertiserId={advertiser.id} />
                      </Table.Td>
                      <Table.Td>{formatDateTime(advertiser.createdAt, i18n.language)}</Table.Td>
                      <Table.Td>
                        <Group gap={6} wrap="nowrap">
                          <Button size="compact-sm" variant="light" onClick={() => setFunding(advertiser)}>
                            {t('advertisers.fund')}
                          </Button>
                          <Button
                            size="compact-sm"
                            variant="default"
                            onClick={() => setStatementOf(advertiser)}
                          >
                            {t('advertisers.statement')}
                          </Button>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <LoadMore list={advertisers} />
          </Card>
        )}
      </QueryState>
      <Modal opened={creating} onClose={() => setCreating(false)} title={t('advertisers.create')} centered>
        <form onSubmit={submit}>
          <Stack>
            <TextInput
              label={t('common.name')}
              required
              value={form.name}
              onChange={(e) => {
                const name = e.currentTarget.value;
                setForm((f) => ({ ...f, name }));
              }}
            />
            <TextInput
              label={t('advertisers.email')}
              type="email"
              required
              value={form.email}
              onChange={(e) => {
                const email = e.currentTarget.value;
                setForm((f) => ({ ...f, email }));
              }}
            />
            <PasswordInput
              label={t('advertisers.password')}
              required
              minLength={10}
              value={form.password}
              onChange={(e) => {
                const password = e.currentTarget.value;
                setForm((f) => ({ ...f, password }));
              }}
            />
            {create.error === null ? null : <ErrorAlert error={create.error} />}
            <Button type="submit" loading={create.isPending}>
              {t('common.create')}
            </Button>
          </Stack>
        </form>
      </Modal>
      {statementOf === null ? null : (
        <StatementModal key={statementOf.id} advertiser={statementOf} onClose={() => setStatementOf(null)} />
      )}
      {funding === null ? null : (
        <FundModal key={funding.id} advertiser={funding} onClose={() => setFunding(null)} />
      )}
    </Stack>
  );
}
