// The commuter's wallet, mobile-first and installable (a web app scoped to /wallet). A passkey creates a
// wallet or signs one in (iPhones and phones without the app); or the browser plays the phone: it creates
// or imports a P-256 key, registers it and logs in by signing the server's nonce. Signed in, it shows
// balance, history with reasons, coupons (code + QR), the wallet's passkeys, the payment account
// withdrawals go to, and withdrawals with their payout state (paged: the newest first, more on request).
import {
  Alert,
  Badge,
  Box,
  Button,
  Card,
  Center,
  Container,
  Divider,
  Loader,
  Group,
  Modal,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { newIdempotencyKey } from '../../api/client.ts';
import {
  registerWallet,
  useLinkPayoutAccount,
  usePayoutAccount,
  useWalletLinkLogin,
  useWithdraw,
  walletLogin,
  walletLoginChallenge,
  useWalletCoupons,
  useWalletHistory,
  useWalletSignOut,
  useWalletSummary,
  useWithdrawals,
} from '../../api/hooks/wallet.ts';
import { parsePayoutAccount, type PayoutAccountKind } from '@redtap/shared/payout-account';
import {
  createPasskeyWallet,
  passkeysSupported,
  signInWithPasskey,
  useAddWalletPasskey,
  useWalletPasskeys,
} from '../../api/hooks/wallet-passkeys.ts';
import type { Session } from '../../api/types.ts';
import { Logo } from '../../components/console-layout.tsx';
import { Empty, ErrorAlert, notifySuccess, QueryState } from '../../components/feedback.tsx';
import { LanguageSwitch } from '../../components/language-switch.tsx';
import { LoadMore } from '../../components/load-more.tsx';
import { MoneyInput } from '../../components/money-input.tsx';
import { QrCode } from '../../components/qr-code.tsx';
import { formatDate, formatDateTime } from '../../lib/format.ts';
import { formatFen } from '../../lib/money.ts';
import { loadPhoneKeyFile, savePhoneKeyFile } from '../../lib/phone-key-store.ts';
import { registerWalletServiceWorker } from '../../lib/service-worker.ts';
import { historyReasonKeys, historyStatus, historyTitle } from './history-row.ts';
import {
  generatePhoneKey,
  parsePhoneKeyFile,
  publicKeyHex,
  signLogin,
  type PhoneKeyFile,
} from '../../lib/wallet-key.ts';

/** The cloud's minimum withdrawal (money-settings `withdrawalMinFen`); the cloud enforces it too. */
export const WITHDRAWAL_MIN_FEN = 10;
const SESSION_KEY = 'redtap.wallet.session';

export function loadWalletSession(): Session | null {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as Session | null;
    return parsed !== null && typeof parsed.token === 'string' && parsed.expiresAt > Date.now() / 1000
      ? parsed
      : null;
  } catch {
    return null;
  }
}

/**
 * A one-time login handed over by the phone that holds the wallet's key (the demo's phone simulator
 * opens `/wallet#login=<walletId>.<nonce>.<signature>`): the cloud's single-use, 60-second login nonce
 * signed with the phone key, never a session token. The fragment is never sent to a server, and it is
 * dropped from the address bar and history before the first render uses it.
 */
interface LinkLogin {
  walletId: number;
  nonce: string;
  signature: string;
}
const LINK_LOGIN = /^#login=(\d{1,15})\.([0-9a-fA-F]{64})\.([0-9a-fA-F]{128})$/;
let linkLoginTaken: LinkLogin | null | undefined;

/** Reads the link once per page load (StrictMode's second render gets the same answer). */
function takeLinkLogin(): LinkLogin | null {
  if (linkLoginTaken !== undefined) return linkLoginTaken;
  const match = LINK_LOGIN.exec(window.location.hash);
  linkLoginTaken =
    match?.[1] === undefined || match[2] === undefined || match[3] === undefined
      ? null
      : { walletId: Number(match[1]), nonce: match[2], signature: match[3] };
  if (window.location.hash.startsWith('#login='))
    window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
  return linkLoginTaken;
}

const STATUS_COLOR: Record<string, string> = {
  credited: 'teal',
  released: 'teal',
  held: 'orange',
  rejected: 'gray',
  refused: 'red',
  pending: 'yellow',
  exported: 'blue',
  paid: 'teal',
  failed: 'red',
};

function KeyTools({
  file,
  onImported,
}: {
  file: PhoneKeyFile | null;
  onImported: (file: PhoneKeyFile) => void;
}) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<'import' | 'export' | null>(null);
  const [text, setText] = useState('');
  const [invalid, setInvalid] = useState(false);
  return (
    <>
      <Group justify="center" gap="xs">
        <Button
          variant="subtle"
          size="xs"
          onClick={() => {
            setText('');
            setInvalid(false);
            setMode('import');
          }}
        >
          {t('wallet.importKey')}
        </Button>
        {file === null ? null : (
          <Button variant="subtle" size="xs" onClick={() => setMode('export')}>
            {t('wallet.exportKey')}
          </Button>
        )}
      </Group>
      <Modal
        opened={mode !== null}
        onClose={() => setMode(null)}
        title={mode === 'export' ? t('wallet.exportKey') : t('wallet.importKey')}
        centered
      >
        {mode === 'export' && file !== null ? (
          <Stack>
            <Alert color="orange" variant="light">
              {t('wallet.exportHelp')}
            </Alert>
            <Textarea
              label={t('wallet.importLabel')}
              readOnly
              autosize
              minRows={6}
              value={JSON.stringify(file, null, 2)}
              data-testid="exported-key"
              styles={{ input: { fontFamily: 'monospace', fontSize: 11 } }}
            />
          </Stack>
        ) : (
          <Stack>
            <Textarea
              label={t('wallet.importLabel')}
              autosize
              minRows={6}
              value={text}
              error={invalid ? t('wallet.importInvalid') : undefined}
              onChange={(e) => setText(e.currentTarget.value)}
              styles={{ input: { fontFamily: 'monospace', fontSize: 11 } }}
            />
            <Button
              onClick={() => {
                const parsed = parsePhoneKeyFile(text);
                if (parsed === null) {
                  setInvalid(true);
                  return;
                }
                savePhoneKeyFile(parsed);
                onImported(parsed);
                setMode(null);
                notifySuccess(t('wallet.importDone'));
              }}
            >
              {t('wallet.importKey')}
            </Button>
          </Stack>
        )}
      </Modal>
    </>
  );
}

/** Sign in with a passkey this device offers, or create a new wallet with a new passkey. */
function PasskeySignIn({ onSession }: { onSession: (s: Session) => void }) {
  const { t } = useTranslation();
  const signIn = useMutation({ mutationFn: signInWithPasskey, onSuccess: onSession });
  const create = useMutation({ mutationFn: createPasskeyWallet, onSuccess: onSession });
  const error = signIn.error ?? create.error;
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed" ta="center">
        {t('wallet.passkeyIntro')}
      </Text>
      {error === null ? null : <ErrorAlert error={error} />}
      <Button
        size="lg"
        radius="xl"
        loading={signIn.isPending}
        disabled={create.isPending}
        onClick={() => {
          create.reset();
          signIn.mutate();
        }}
        data-testid="passkey-sign-in"
      >
        {t('wallet.passkeySignIn')}
      </Button>
      <Button
        size="md"
        radius="xl"
        variant="outline"
        loading={create.isPending}
        disabled={signIn.isPending}
        onClick={() => {
          signIn.reset();
          create.mutate();
        }}
        data-testid="passkey-create"
      >
        {t('wallet.passkeyCreate')}
      </Button>
    </Stack>
  );
}

/** The wallet's passkeys, and adding one (a phone-key wallet that will also sign in on the web). */
function PasskeysCard({ token }: { token: string }) {
  const { t } = useTranslation();
  const passkeys = useWalletPasskeys(token);
  const add = useAddWalletPasskey(token, { onSuccess: () => notifySuccess(t('wallet.passkeyAdded')) });
  const count = passkeys.data?.items.length;
  return (
    <Paper withBorder radius="md" p="sm" data-testid="wallet-passkeys">
      <Group justify="space-between" wrap="nowrap">
        <div>
          <Text size="sm" fw={600}>
            {t('wallet.passkeysTitle')}
          </Text>
          <Text size="xs" c="dimmed" data-testid="wallet-passkey-count">
            {count === undefined
              ? '…'
              : count === 0
                ? t('wallet.passkeysNone')
                : t('wallet.passkeysCount', { count })}
          </Text>
        </div>
        <Button size="xs" radius="xl" variant="light" loading={add.isPending} onClick={() => add.mutate()}>
          {t('wallet.passkeyAdd')}
        </Button>
      </Group>
      {add.error === null ? null : <ErrorAlert error={add.error} />}
    </Paper>
  );
}

/** Creates or signs in to the wallet: passkey, or the phone key this browser keeps (the claim page too). */
export function SignIn({
  file,
  onFile,
  onSession,
}: {
  file: PhoneKeyFile | null;
  onFile: (file: PhoneKeyFile | null) => void;
  onSession: (s: Session) => void;
}) {
  const { t } = useTranslation();
  const login = useMutation({
    mutationFn: async () => {
      let current = file;
      if (current === null)
        current = { jwk: await generatePhoneKey(), walletId: null, credentialSerial: null, credential: null };
      if (current.walletId === null) {
        const issued = await registerWallet(await publicKeyHex(current.jwk));
        current = {
          ...current,
          walletId: issued.walletId,
          credentialSerial: issued.credentialSerial,
          credential: issued.credential,
        };
      }
      savePhoneKeyFile(current);
      onFile(current);
      const walletId = current.walletId ?? 0;
      const challenge = await walletLoginChallenge(walletId);
      const signature = await signLogin(current.jwk, walletId, challenge.nonce);
      if (signature === null) throw new Error('the login nonce is not 32 bytes');
      return walletLogin(walletId, { nonce: challenge.nonce, signature });
    },
    onSuccess: onSession,
  });
  return (
    <Stack>
      {passkeysSupported() ? (
        <>
          <PasskeySignIn onSession={onSession} />
          <Divider label={t('wallet.passkeyOr')} labelPosition="center" />
        </>
      ) : null}
      <Text size="sm" c="dimmed" ta="center">
        {t('wallet.intro')}
      </Text>
      {file?.walletId === null || file === null ? null : (
        <Text ta="center" size="sm">
          {t('wallet.walletId')} #{file.walletId}
        </Text>
      )}
      {login.error === null ? null : <ErrorAlert error={login.error} />}
      <Button
        size="lg"
        radius="xl"
        variant={passkeysSupported() ? 'light' : 'filled'}
        loading={login.isPending}
        onClick={() => login.mutate()}
      >
        {file?.walletId === null || file === null ? t('wallet.create') : t('wallet.login')}
      </Button>
      <KeyTools file={file} onImported={onFile} />
    </Stack>
  );
}

function HistoryList({ token }: { token: string }) {
  const { t, i18n } = useTranslation();
  const history = useWalletHistory(token, { refetchIntervalMs: 10_000 });
  return (
    <QueryState
      query={history}
      isEmpty={(data) => data.items.length === 0}
      empty={<Empty icon="🧧">{t('wallet.noHistory')}</Empty>}
    >
      {(data) => (
        <Stack gap="xs">
          {data.items.map((item) => {
            const reasonKey = historyReasonKeys(item).find((key) => i18n.exists(key));
            const reason = reasonKey === undefined ? null : t(reasonKey);
            const heading = historyTitle(item);
            const title =
              heading.kind === 'amount'
                ? formatFen(heading.fen)
                : heading.kind === 'cap'
                  ? 'count' in heading
                    ? t('wallet.capReachedOf', { count: heading.count, max: heading.max })
                    : t('wallet.capReached')
                  : heading.kind === 'coupon'
                    ? heading.title === null
                      ? t('wallet.coupon')
                      : t('wallet.couponNamed', { title: heading.title })
                    : heading.kind === 'notPaid'
                      ? t('wallet.notPaid')
                      : t('wallet.thanks');
            const status = historyStatus(item);
            return (
              <Paper key={item.id} withBorder radius="md" p="sm" data-testid="history-item">
                <Group justify="space-between" wrap="nowrap">
                  <div>
                    <Text fw={600} data-testid="history-title">
                      {title}
                    </Text>
                    {item.brand === null ? null : (
                      <Text size="sm" data-testid="history-brand">
                        {item.brand}
                      </Text>
                    )}
                    <Text size="xs" c="dimmed">
                      {t('wallet.tapAt', {
                        screen: item.screenId,
                        time: formatDateTime(item.tapTs, i18n.language),
                      })}
                    </Text>
                    {reason === null ? null : (
                      <Text size="xs" c="orange.9" data-testid="history-reason">
                        {reason}
                      </Text>
                    )}
                  </div>
                  <Badge color={STATUS_COLOR[status] ?? 'gray'} variant="light" data-testid="history-status">
                    {i18n.exists(`wallet.status.${status}`) ? t(`wallet.status.${status}`) : status}
                  </Badge>
                </Group>
              </Paper>
            );
          })}
        </Stack>
      )}
    </QueryState>
  );
}

function CouponList({ token }: { token: string }) {
  const { t, i18n } = useTranslation();
  const coupons = useWalletCoupons(token);
  const nowS = Date.now() / 1000;
  return (
    <QueryState
      query={coupons}
      isEmpty={(data) => data.items.length === 0}
      empty={<Empty icon="🎟">{t('wallet.noCoupons')}</Empty>}
    >
      {(data) => (
        <Stack gap="sm">
          {data.items.map((coupon) => (
            <Card key={coupon.id} withBorder radius="lg" data-testid="coupon">
              <Group justify="space-between" align="start" wrap="nowrap">
                <Stack gap={4}>
                  <Text fw={700}>{coupon.title}</Text>
                  <Text fz={22} fw={700} c="packet.8">
                    {formatFen(coupon.valueFen)}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {t('wallet.code')}: <b style={{ fontFamily: 'monospace' }}>{coupon.code}</b>
                  </Text>
                  {coupon.status === 'redeemed' ? (
                    <Badge color="green" data-testid="coupon-redeemed">
                      {t('wallet.redeemed')}
                    </Badge>
                  ) : coupon.validUntil < nowS ? (
                    <Badge color="gray">{t('wallet.expired')}</Badge>
                  ) : (
                    <Text size="xs">
                      {t('wallet.validUntil', { date: formatDate(coupon.validUntil, i18n.language) })}
                    </Text>
                  )}
                  {coupon.terms === '' ? null : (
                    <Text size="xs" c="dimmed">
                      {coupon.terms}
                    </Text>
                  )}
                </Stack>
                <QrCode value={coupon.code} size={96} label={`${t('wallet.code')} ${coupon.code}`} />
              </Group>
            </Card>
          ))}
        </Stack>
      )}
    </QueryState>
  );
}

function WithdrawalList({ token }: { token: string }) {
  const { t, i18n } = useTranslation();
  const withdrawals = useWithdrawals(token);
  return (
    <QueryState
      query={withdrawals.query}
      isEmpty={(data) => data.pages.every((page) => page.items.length === 0)}
      empty={<Empty>{t('wallet.noWithdrawals')}</Empty>}
    >
      {() => (
        <Stack gap="xs">
          {withdrawals.items.map((withdrawal) => (
            <Paper key={withdrawal.id} withBorder radius="md" p="sm" data-testid="withdrawal">
              <Group justify="space-between">
                <div>
                  <Text fw={600}>{formatFen(withdrawal.amountFen)}</Text>
                  <Text size="xs" c="dimmed">
                    {formatDateTime(withdrawal.createdAt, i18n.language)}
                  </Text>
                </div>
                <Badge
                  color={STATUS_COLOR[withdrawal.status] ?? 'gray'}
                  variant="light"
                  data-testid="withdrawal-status"
                >
                  {i18n.exists(`wallet.status.${withdrawal.status}`)
                    ? t(`wallet.status.${withdrawal.status}`)
                    : withdrawal.status}
                </Badge>
              </Group>
              {withdrawal.payee === null ? null : (
                <Text size="xs" c="dimmed">
                  {t('wallet.withdrawTo', { payee: payeeLabel(t, withdrawal.payee) })}
                </Text>
              )}
              {withdrawal.status === 'failed' ? (
                <Text size="xs" c="red" data-testid="withdrawal-failure">
                  {t('wallet.failedBecause', { reason: withdrawal.failureReason ?? '—' })}
                </Text>
              ) : null}
              {withdrawal.status === 'held' && withdrawal.holdReason !== null ? (
                <Text size="xs" c="dimmed" data-testid="withdrawal-held">
                  {t(`errors.${withdrawal.holdReason}`, { defaultValue: t('errors.HELD_FOR_REVIEW') })}
                </Text>
              ) : null}
            </Paper>
          ))}
          <LoadMore list={withdrawals} />
        </Stack>
      )}
    </QueryState>
  );
}

/** `alipay 138****8000` → `Alipay 138****8000`, in the reader's language. */
function payeeLabel(t: (key: string) => string, payee: string): string {
  const [kind = '', ...rest] = payee.split(' ');
  return `${t(`wallet.payoutKinds.${kind}`)} ${rest.join(' ')}`;
}

function PayoutAccountCard({ token }: { token: string }) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState(false);
  const account = usePayoutAccount(token);
  const linked = account.data?.account ?? null;
  return (
    <Paper withBorder radius="md" p="sm" data-testid="payout-account">
      <Group justify="space-between" wrap="nowrap">
        <div>
          <Text size="sm" fw={600}>
            {t('wallet.payoutTitle')}
          </Text>
          {linked === null ? (
            <Text size="xs" c="dimmed">
              {account.data === undefined ? '…' : t('wallet.payoutNone')}
            </Text>
          ) : (
            <Text size="sm" data-testid="payout-account-shown">
              {t(`wallet.payoutKinds.${linked.kind}`)} {linked.account}
              {linked.bankName === null ? '' : ` · ${linked.bankName}`} · {linked.holderName}
            </Text>
          )}
        </div>
        <Button size="xs" radius="xl" variant="light" onClick={() => setEditing(true)}>
          {linked === null ? t('wallet.payoutLink') : t('wallet.payoutChange')}
        </Button>
      </Group>
      {editing ? <PayoutAccountModal token={token} onClose={() => setEditing(false)} /> : null}
    </Paper>
  );
}

/** Checked in the browser with the same rules as the cloud (@redtap/shared/payout-account). */
function PayoutAccountModal({ token, onClose }: { token: string; onClose: () => void }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<PayoutAccountKind>('alipay');
  const [account, setAccount] = useState('');
  const [holderName, setHolderName] = useState('');
  const [bankName, setBankName] = useState('');
  const [touched, setTouched] = useState(false);
  const input = { kind, account, holderName, bankName: kind === 'bank_card' ? bankName : null };
  const checked = parsePayoutAccount(input);
  const problem = checked.ok ? null : checked.code;
  const save = useLinkPayoutAccount(token, {
    onSuccess: () => {
      notifySuccess(t('wallet.payoutLinked'));
      onClose();
    },
  });
  const fieldError = (codes: string[]) =>
    touched && problem !== null && codes.includes(problem) ? t(`errors.${problem}`) : null;
  return (
    <Modal opened onClose={onClose} title={t('wallet.payoutLink')} centered>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setTouched(true);
          if (problem === null) save.mutate(input);
        }}
      >
        <Stack>
          <Select
            label={t('wallet.payoutKind')}
            data={[
              { value: 'alipay', label: t('wallet.payoutKinds.alipay') },
              { value: 'bank_card', label: t('wallet.payoutKinds.bank_card') },
            ]}
            value={kind}
            allowDeselect={false}
            onChange={(value) => setKind(value === 'bank_card' ? 'bank_card' : 'alipay')}
          />
          <TextInput
            label={kind === 'alipay' ? t('wallet.payoutAccountAlipay') : t('wallet.payoutAccountCard')}
            value={account}
            inputMode={kind === 'bank_card' ? 'numeric' : 'text'}
            autoComplete="off"
            onChange={(event) => setAccount(event.currentTarget.value)}
            error={fieldError(['ALIPAY_ACCOUNT_INVALID', 'BANK_CARD_INVALID'])}
            required
          />
          {kind === 'bank_card' ? (
            <TextInput
              label={t('wallet.payoutBank')}
              value={bankName}
              onChange={(event) => setBankName(event.currentTarget.value)}
              error={fieldError(['BANK_NAME_INVALID'])}
              required
            />
          ) : null}
          <TextInput
            label={t('wallet.payoutHolder')}
            value={holderName}
            onChange={(event) => setHolderName(event.currentTarget.value)}
            error={fieldError(['HOLDER_NAME_INVALID'])}
            required
          />
          <Text size="xs" c="dimmed">
            {t('wallet.payoutNote')}
          </Text>
          {save.error === null ? null : <ErrorAlert error={save.error} />}
          <Button type="submit" radius="xl" loading={save.isPending}>
            {t('wallet.payoutSave')}
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}

function WithdrawModal({
  token,
  balanceFen,
  onClose,
}: {
  token: string;
  balanceFen: number;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [fen, setFen] = useState<number | null>(balanceFen);
  // One key per dialog: a retry of the same request cannot withdraw twice.
  const [idempotencyKey] = useState(newIdempotencyKey);
  const payout = usePayoutAccount(token);
  const payee = payout.data?.account ?? null;
  const withdraw = useWithdraw(token, {
    onSuccess: (withdrawal) => {
      notifySuccess(t('wallet.withdrawn', { amount: formatFen(withdrawal.amountFen) }));
      onClose();
    },
  });
  const problem =
    fen === null
      ? null
      : fen < WITHDRAWAL_MIN_FEN
        ? t('wallet.withdrawMin', { min: formatFen(WITHDRAWAL_MIN_FEN) })
        : fen > balanceFen
          ? t('wallet.withdrawMore')
          : null;
  return (
    <Modal opened onClose={onClose} title={t('wallet.withdrawTitle')} centered>
      <Stack>
        <MoneyInput
          label={t('common.amount')}
          initialFen={balanceFen}
          onFen={setFen}
          error={problem}
          size="lg"
        />
        <Text size="xs" c="dimmed">
          {t('wallet.withdrawMin', { min: formatFen(WITHDRAWAL_MIN_FEN) })}
        </Text>
        {payee === null ? (
          <Alert color="yellow" data-testid="withdraw-no-account">
            {t('wallet.payoutNone')}
          </Alert>
        ) : (
          <Text size="sm" data-testid="withdraw-payee">
            {t('wallet.withdrawTo', {
              payee: `${t(`wallet.payoutKinds.${payee.kind}`)} ${payee.account} · ${payee.holderName}`,
            })}
          </Text>
        )}
        {withdraw.error === null ? null : <ErrorAlert error={withdraw.error} />}
        <Button
          size="lg"
          radius="xl"
          disabled={fen === null || problem !== null || payee === null}
          loading={withdraw.isPending}
          onClick={() => {
            if (fen !== null) withdraw.mutate({ amountFen: fen, idempotencyKey });
          }}
        >
          {t('wallet.withdraw')}
        </Button>
      </Stack>
    </Modal>
  );
}

function WalletHome({
  session,
  file,
  onSignOut,
  onFile,
}: {
  session: Session;
  file: PhoneKeyFile | null;
  onSignOut: () => void;
  onFile: (f: PhoneKeyFile | null) => void;
}) {
  const { t } = useTranslation();
  const [tab, setTab] = useState('history');
  const [withdrawing, setWithdrawing] = useState(false);
  const summary = useWalletSummary(session.token, { refetchIntervalMs: 10_000 });
  // Signed out on the server first; the tab forgets the session whatever the answer.
  const signOut = useWalletSignOut(session.token, { onSettled: onSignOut });
  const balanceFen = summary.data?.balanceFen ?? 0;
  return (
    <Stack>
      <Card
        radius="xl"
        p="lg"
        bg="linear-gradient(150deg, var(--mantine-color-packet-7), var(--mantine-color-packet-9))"
        c="white"
        shadow="md"
      >
        <Stack gap={4}>
          <Group justify="space-between">
            <Text size="sm" opacity={0.85}>
              {t('wallet.balance')}
            </Text>
            {/* The session's wallet, which a passkey may name rather than this browser's phone key. */}
            <Text size="xs" opacity={0.85} data-testid="wallet-id">
              {t('wallet.walletId')} #{summary.data?.walletId ?? '…'}
            </Text>
          </Group>
          {summary.error === null ? (
            <Text fz={40} fw={800} data-testid="wallet-balance" c="#f8d568">
              {summary.data === undefined ? '…' : formatFen(balanceFen)}
            </Text>
          ) : (
            <ErrorAlert error={summary.error} onRetry={() => void summary.refetch()} />
          )}
          <Group mt="sm">
            <Button
              radius="xl"
              color="yellow.4"
              c="dark"
              disabled={balanceFen < WITHDRAWAL_MIN_FEN}
              onClick={() => setWithdrawing(true)}
            >
              {t('wallet.withdraw')}
            </Button>
          </Group>
          {balanceFen < WITHDRAWAL_MIN_FEN ? (
            <Text size="xs" opacity={0.85}>
              {t('wallet.withdrawMin', { min: formatFen(WITHDRAWAL_MIN_FEN) })}
            </Text>
          ) : null}
        </Stack>
      </Card>
      <SegmentedControl
        fullWidth
        radius="xl"
        value={tab}
        onChange={setTab}
        data={[
          { value: 'history', label: t('wallet.history') },
          { value: 'coupons', label: t('wallet.coupons') },
          { value: 'withdrawals', label: t('wallet.withdrawals') },
        ]}
      />
      {tab === 'history' ? <HistoryList token={session.token} /> : null}
      {tab === 'coupons' ? <CouponList token={session.token} /> : null}
      {tab === 'withdrawals' ? (
        <Stack gap="xs">
          <PayoutAccountCard token={session.token} />
          <WithdrawalList token={session.token} />
        </Stack>
      ) : null}
      {passkeysSupported() ? <PasskeysCard token={session.token} /> : null}
      <Group justify="center" gap="xs">
        <Button variant="subtle" size="xs" loading={signOut.isPending} onClick={() => signOut.mutate()}>
          {t('app.signOut')}
        </Button>
      </Group>
      <KeyTools
        file={file}
        onImported={(imported) => {
          onFile(imported);
          onSignOut();
        }}
      />
      {withdrawing ? (
        <WithdrawModal token={session.token} balanceFen={balanceFen} onClose={() => setWithdrawing(false)} />
      ) : null}
    </Stack>
  );
}

/** Keeps a wallet session for this tab, where the wallet page finds it. */
export function storeWalletSession(session: Session): void {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

export function WalletPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [file, setFile] = useState(loadPhoneKeyFile);
  const [session, setSession] = useState(loadWalletSession);
  const [link] = useState(takeLinkLogin);
  const signIn = (next: Session | null) => {
    if (next === null) sessionStorage.removeItem(SESSION_KEY);
    else sessionStorage.setItem(SESSION_KEY, JSON.stringify(next));
    queryClient.removeQueries({ queryKey: ['wallet'] });
    setSession(next);
  };
  const linked = useWalletLinkLogin(link);
  useEffect(registerWalletServiceWorker, []);
  const linkedSession = linked.data;
  useEffect(() => {
    if (linkedSession === undefined) return;
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(linkedSession));
    queryClient.removeQueries({ queryKey: ['wallet'] });
    setSession(linkedSession);
  }, [linkedSession, queryClient]);
  return (
    <Box mih="100vh" bg="var(--mantine-color-gray-0)">
      <Container size={480} px="md" py="md">
        <Stack>
          <Group justify="space-between">
            <Logo />
            <LanguageSwitch />
          </Group>
          <Title order={2} size="h3">
            {t('wallet.title')}
          </Title>
          {link !== null && linked.isPending ? (
            <Center>
              <Loader data-testid="wallet-link-login" />
            </Center>
          ) : session === null ? (
            <Center>
              <Card withBorder radius="xl" p="xl" w="100%">
                {linked.error === null ? null : <ErrorAlert error={linked.error} />}
                <SignIn file={file} onFile={setFile} onSession={signIn} />
              </Card>
            </Center>
          ) : (
            <WalletHome session={session} file={file} onFile={setFile} onSignOut={() => signIn(null)} />
          )}
        </Stack>
      </Container>
    </Box>
  );
}
