// Fraud-hold review: taps a fraud rule held and online claims an account check held (multi-account
// signals), oldest first; release pays the wallet, refuse returns the cash to the campaign budget, paged
// to the last hold. Withdrawals held because their payout account is shared have their own list: release
// sends one with the next payout batch, refuse returns its money to the wallet. Each decision is
// confirmed first; taps' and claims' decisions are then listed in the history.
import { Badge, Button, Card, Group, Modal, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  useHeldTapPages,
  useHeldWithdrawalPages,
  useHoldDecisions,
  useHoldReview,
  useWithdrawalHoldReview,
  type HoldDecisionKind,
} from '../../api/hooks/holds.ts';
import type { HeldTap, HeldWithdrawal } from '../../api/types.ts';
import { Empty, notifyError, notifySuccess, QueryState } from '../../components/feedback.tsx';
import { LoadMore } from '../../components/load-more.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { formatFen } from '../../lib/money.ts';

type Decision = HoldDecisionKind;

function reasonBadge(reason: string | null, t: (key: string) => string, exists: (key: string) => boolean) {
  return (
    <>
      <Badge color="orange" variant="light" maw="100%">
        {reason ?? 'HELD_FOR_REVIEW'}
      </Badge>
      {exists(`wallet.reason.${reason ?? 'HELD_FOR_REVIEW'}`) ? (
        <Text size="xs" c="dimmed" mt={4} lineClamp={2}>
          {t(`wallet.reason.${reason ?? 'HELD_FOR_REVIEW'}`)}
        </Text>
      ) : null}
    </>
  );
}

/** A held item's two decisions; either is confirmed in a dialog before it is made. */
function DecisionButtons({ decide }: { decide: (decision: Decision) => void }) {
  const { t } = useTranslation();
  return (
    <Group gap={6} wrap="nowrap">
      <Button size="compact-sm" color="teal" onClick={() => decide('release')}>
        {t('holds.release')}
      </Button>
      <Button size="compact-sm" variant="default" onClick={() => decide('refuse')}>
        {t('holds.refuse')}
      </Button>
    </Group>
  );
}

/** The confirming dialog's buttons: cancel, or make the decision (it moves money and cannot be undone). */
function ConfirmDecision(props: {
  decision: Decision;
  pending: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={props.onCancel}>
        {t('common.cancel')}
      </Button>
      <Button
        color={props.decision === 'release' ? 'teal' : 'red'}
        loading={props.pending}
        onClick={props.onConfirm}
      >
        {t(props.decision === 'release' ? 'holds.release' : 'holds.refuse')}
      </Button>
    </Group>
  );
}

/** Withdrawals held because their payout account is shared by many wallets (their money in clearing). */
function HeldWithdrawals() {
  const { t, i18n } = useTranslation();
  const [confirming, setConfirming] = useState<{ hold: HeldWithdrawal; decision: Decision } | null>(null);
  const holds = useHeldWithdrawalPages(15_000);
  const review = useWithdrawalHoldReview({
    onSuccess: (reply, input) => {
      notifySuccess(
        t(input.decision === 'release' ? 'holds.withdrawalReleased' : 'holds.withdrawalRefused', {
          id: reply.id,
        }),
      );
      setConfirming(null);
    },
    onError: notifyError,
  });
  return (
    <Stack gap="xs">
      <Title order={4}>{t('holds.withdrawalsTitle')}</Title>
      <Text c="dimmed" size="sm">
        {t('holds.withdrawalsBody')}
      </Text>
      <QueryState
        query={holds.query}
        isEmpty={(data) => data.pages.every((page) => page.items.length === 0)}
        empty={<Empty icon="✓">{t('holds.withdrawalsEmpty')}</Empty>}
      >
        {() => (
          <Card withBorder radius="md" p={0}>
            <Table.ScrollContainer minWidth={860}>
              <Table layout="fixed" verticalSpacing="sm" aria-label={t('holds.withdrawalsTitle')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={80}>{t('common.id')}</Table.Th>
                    <Table.Th>{t('holds.reason')}</Table.Th>
                    <Table.Th w={100}>{t('common.amount')}</Table.Th>
                    <Table.Th w={90}>{t('holds.wallet')}</Table.Th>
                    <Table.Th w={170}>{t('holds.payee')}</Table.Th>
                    <Table.Th w={90}>{t('holds.sharing')}</Table.Th>
                    <Table.Th w={160}>{t('holds.requested')}</Table.Th>
                    <Table.Th w={170}>{t('common.actions')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {holds.items.map((hold) => (
                    <Table.Tr key={hold.id} data-testid={`withdrawal-hold-${hold.id}`}>
                      <Table.Td>#{hold.id}</Table.Td>
                      <Table.Td>{reasonBadge(hold.reason, t, (key) => i18n.exists(key))}</Table.Td>
                      <Table.Td fw={600}>{formatFen(hold.amountFen)}</Table.Td>
                      <Table.Td>#{hold.walletId}</Table.Td>
                      <Table.Td>{hold.payee ?? '—'}</Table.Td>
                      <Table.Td>{hold.walletsSharingAccount}</Table.Td>
                      <Table.Td>{formatDateTime(hold.createdAt, i18n.language)}</Table.Td>
                      <Table.Td>
                        <DecisionButtons decide={(decision) => setConfirming({ hold, decision })} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <LoadMore list={holds} />
          </Card>
        )}
      </QueryState>
      <Modal
        opened={confirming !== null}
        onClose={() => setConfirming(null)}
        title={t(
          confirming?.decision === 'refuse'
            ? 'holds.confirmWithdrawalRefuseTitle'
            : 'holds.confirmWithdrawalReleaseTitle',
        )}
        centered
      >
        {confirming === null ? null : (
          <Stack>
            <Text size="sm">
              {t(
                confirming.decision === 'release'
                  ? 'holds.confirmWithdrawalRelease'
                  : 'holds.confirmWithdrawalRefuse',
                {
                  id: confirming.hold.id,
                  amount: formatFen(confirming.hold.amountFen),
                  wallet: confirming.hold.walletId,
                },
              )}
            </Text>
            <ConfirmDecision
              decision={confirming.decision}
              pending={review.isPending}
              onCancel={() => setConfirming(null)}
              onConfirm={() => review.mutate({ id: confirming.hold.id, decision: confirming.decision })}
            />
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}

function DecisionHistory() {
  const { t, i18n } = useTranslation();
  const history = useHoldDecisions();
  return (
    <Stack gap="xs">
      <Title order={4}>{t('holds.historyTitle')}</Title>
      <QueryState
        query={history.query}
        isEmpty={(data) => data.pages.every((page) => page.items.length === 0)}
        empty={<Empty>{t('holds.historyEmpty')}</Empty>}
      >
        {() => (
          <Card withBorder radius="md" p={0}>
            <Table.ScrollContainer minWidth={760}>
              <Table verticalSpacing="xs" aria-label={t('holds.historyTitle')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('common.id')}</Table.Th>
                    <Table.Th>{t('holds.decision')}</Table.Th>
                    <Table.Th>{t('common.amount')}</Table.Th>
                    <Table.Th>{t('holds.reason')}</Table.Th>
                    <Table.Th>{t('holds.wallet')}</Table.Th>
                    <Table.Th>{t('holds.decidedBy')}</Table.Th>
                    <Table.Th>{t('holds.decidedAt')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {history.items.map((item) => (
                    <Table.Tr key={item.redemptionId} data-testid={`decision-${item.redemptionId}`}>
                      <Table.Td>#{item.redemptionId}</Table.Td>
                      <Table.Td>
                        <Badge
                          color={item.decision === 'release' ? 'teal' : 'gray'}
                          variant="light"
                          styles={{ root: { overflow: 'visible' }, label: { overflow: 'visible' } }}
                        >
                          {t(item.decision === 'release' ? 'holds.decisionRelease' : 'holds.decisionRefuse')}
                        </Badge>
                      </Table.Td>
                      <Table.Td>{formatFen(item.amountFen)}</Table.Td>
                      <Table.Td>{item.reason ?? '—'}</Table.Td>
                      <Table.Td>#{item.walletId}</Table.Td>
                      <Table.Td>{item.decidedByEmail ?? '—'}</Table.Td>
                      <Table.Td>{formatDateTime(item.decidedAt, i18n.language)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <LoadMore list={history} />
          </Card>
        )}
      </QueryState>
    </Stack>
  );
}

export function HoldsPage() {
  const { t, i18n } = useTranslation();
  // A decision moves money and cannot be undone: it is confirmed in a dialog first.
  const [confirming, setConfirming] = useState<{ hold: HeldTap; decision: Decision } | null>(null);
  const holds = useHeldTapPages(15_000);
  const review = useHoldReview({
    onSuccess: (reply, input) => {
      notifySuccess(t(input.decision === 'release' ? 'holds.released' : 'holds.refused', { id: reply.id }));
      setConfirming(null);
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
        query={holds.query}
        isEmpty={(data) => data.pages.every((page) => page.items.length === 0)}
        empty={<Empty icon="✓">{t('holds.emptyBody')}</Empty>}
      >
        {() => (
          <Card withBorder radius="md" p={0}>
            <Table.ScrollContainer minWidth={960}>
              <Table layout="fixed" verticalSpacing="sm" aria-label={t('holds.title')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={80}>{t('common.id')}</Table.Th>
                    <Table.Th>{t('holds.reason')}</Table.Th>
                    <Table.Th w={100}>{t('common.amount')}</Table.Th>
                    <Table.Th w={90}>{t('holds.wallet')}</Table.Th>
                    <Table.Th w={150}>{t('holds.screen')}</Table.Th>
                    <Table.Th w={90}>{t('holds.campaign')}</Table.Th>
                    <Table.Th w={160}>{t('holds.time')}</Table.Th>
                    <Table.Th w={170}>{t('common.actions')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {holds.items.map((hold) => (
                    <Table.Tr key={hold.id} data-testid={`hold-${hold.id}`}>
                      <Table.Td>#{hold.id}</Table.Td>
                      <Table.Td>{reasonBadge(hold.reason, t, (key) => i18n.exists(key))}</Table.Td>
                      <Table.Td fw={600}>{formatFen(hold.amountFen)}</Table.Td>
                      <Table.Td>#{hold.walletId}</Table.Td>
                      <Table.Td>
                        <Text size="xs" c="dimmed">
                          {t(hold.kind === 'claim' ? 'holds.kindClaim' : 'holds.kindTap')}
                        </Text>
                        #{hold.screenId} · {t(hold.kind === 'claim' ? 'holds.ticket' : 'holds.counter')}{' '}
                        {hold.counter}
                      </Table.Td>
                      <Table.Td>#{hold.campaignId}</Table.Td>
                      <Table.Td>{formatDateTime(hold.tapTs, i18n.language)}</Table.Td>
                      <Table.Td>
                        <DecisionButtons decide={(decision) => setConfirming({ hold, decision })} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <LoadMore list={holds} />
          </Card>
        )}
      </QueryState>
      <HeldWithdrawals />
      <DecisionHistory />
      <Modal
        opened={confirming !== null}
        onClose={() => setConfirming(null)}
        title={t(
          confirming?.decision === 'refuse' ? 'holds.confirmRefuseTitle' : 'holds.confirmReleaseTitle',
        )}
        centered
      >
        {confirming === null ? null : (
          <Stack>
            <Text size="sm">
              {t(confirming.decision === 'release' ? 'holds.confirmRelease' : 'holds.confirmRefuse', {
                id: confirming.hold.id,
                amount: formatFen(confirming.hold.amountFen),
                wallet: confirming.hold.walletId,
                campaign: confirming.hold.campaignId,
              })}
            </Text>
            <ConfirmDecision
              decision={confirming.decision}
              pending={review.isPending}
              onCancel={() => setConfirming(null)}
              onConfirm={() => review.mutate({ id: confirming.hold.id, decision: confirming.decision })}
            />
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
