// The store's till: a cashier opens it with the store's till key, types or scans the customer's coupon
// code, sees at once whether to accept it and why not, and redeems it. Phone-sized first.
import {
  Alert,
  Badge,
  Button,
  Card,
  Container,
  Group,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  newTillTxnId,
  useCloseTill,
  useCouponLookup,
  useCouponRedeem,
  useOpenTill,
  useSetTillStore,
  useTillStore,
} from '../../api/hooks/till.ts';
import type { TillStore } from '../../api/types.ts';
import { errorCode } from '../../components/feedback.tsx';
import { LanguageSwitch } from '../../components/language-switch.tsx';
import { Logo } from '../../components/console-layout.tsx';
import { QrScan } from '../../components/qr-scan.tsx';
import { formatDate, formatDateTime } from '../../lib/format.ts';
import { formatFen } from '../../lib/money.ts';
import { Loading } from '../../components/feedback.tsx';

const REASONS = [
  'COUPON_CODE_INVALID',
  'COUPON_UNKNOWN',
  'COUPON_NOT_ACCEPTED_HERE',
  'COUPON_EXPIRED',
  'COUPON_ALREADY_REDEEMED',
  'RATE_LIMITED',
  'UNAUTHENTICATED',
] as const;

function useReason() {
  const { t } = useTranslation();
  return (code: string) =>
    (REASONS as readonly string[]).includes(code)
      ? t(`till.reason.${code}`)
      : t('till.reason.other', { code });
}

function Refusal({ code }: { code: string }) {
  const { t } = useTranslation();
  const reason = useReason();
  return (
    <Alert color="red" variant="filled" radius="lg" title={t('till.refused')} data-testid="till-refused">
      <Text fw={600} data-testid="till-reason" data-code={code}>
        {reason(code)}
      </Text>
      <Text size="xs" mt={4} style={{ fontFamily: 'monospace', opacity: 0.8 }}>
        {code}
      </Text>
    </Alert>
  );
}

function SignIn({ onStore }: { onStore: (store: TillStore) => void }) {
  const { t } = useTranslation();
  const [key, setKey] = useState('');
  const check = useOpenTill({ onSuccess: onStore });
  return (
    <Card withBorder radius="lg" p="lg">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          check.mutate(key.trim());
        }}
      >
        <Stack>
          <Title order={3}>{t('till.signInTitle')}</Title>
          <PasswordInput
            label={t('till.key')}
            description={t('till.keyHelp')}
            value={key}
            onChange={(event) => setKey(event.currentTarget.value)}
            autoComplete="off"
            required
          />
          {check.error === null ? null : <Refusal code={errorCode(check.error)} />}
          <Button type="submit" size="md" loading={check.isPending}>
            {t('till.signIn')}
          </Button>
        </Stack>
      </form>
    </Card>
  );
}

function Till({ store, onSignOut }: { store: TillStore; onSignOut: () => void }) {
  const { t, i18n } = useTranslation();
  const [code, setCode] = useState('');
  const [scanning, setScanning] = useState(false);
  const [txnId, setTxnId] = useState(newTillTxnId);
  const lookup = useCouponLookup({ onMutate: () => setTxnId(newTillTxnId()) });
  const redeem = useCouponRedeem();
  const check = useCallback(
    (text: string) => {
      const trimmed = text.trim();
      if (trimmed === '') return;
      redeem.reset();
      lookup.mutate(trimmed);
    },
    [lookup, redeem],
  );
  const onScanned = useCallback(
    (scanned: string) => {
      setScanning(false);
      setCode(scanned);
      check(scanned);
    },
    [check],
  );
  const reset = () => {
    setCode('');
    lookup.reset();
    redeem.reset();
  };
  const coupon = redeem.data ?? lookup.data;
  const failure = redeem.error ?? lookup.error;
  return (
    <Stack>
      <Card withBorder radius="lg">
        <Group justify="space-between" wrap="nowrap" align="start">
          <Stack gap={2}>
            <Text fw={700} data-testid="till-store">
              {`${store.merchant} · ${store.name}`}
            </Text>
            <Text size="xs" c="dimmed">
              {store.city} · {store.address}
            </Text>
            {store.acceptedOffers.length === 0 ? null : (
              <Text size="xs" c="dimmed">
                {t('till.accepts', {
                  offers: store.acceptedOffers.map((offer) => offer.title).join('、'),
                })}
              </Text>
            )}
          </Stack>
          <UnstyledButton onClick={onSignOut} fz="sm" c="packet.8" fw={600}>
            {t('till.signOut')}
          </UnstyledButton>
        </Group>
      </Card>
      <Card withBorder radius="lg">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            check(code);
          }}
        >
          <Stack>
            <TextInput
              label={t('till.code')}
              description={t('till.codeHelp')}
              value={code}
              onChange={(event) => setCode(event.currentTarget.value)}
              size="lg"
              autoComplete="off"
              autoCapitalize="characters"
              spellCheck={false}
              styles={{ input: { fontFamily: 'monospace', letterSpacing: 1 } }}
            />
            <Group grow>
              <Button type="submit" size="md" loading={lookup.isPending}>
                {t('till.check')}
              </Button>
              <Button variant="light" size="md" onClick={() => setScanning((on) => !on)}>
                {scanning ? t('till.stopScan') : t('till.scan')}
              </Button>
            </Group>
            {scanning ? <QrScan onCode={onScanned} onClose={() => setScanning(false)} /> : null}
          </Stack>
        </form>
      </Card>
      {failure !== null ? <Refusal code={errorCode(failure)} /> : null}
      {failure === null && coupon !== undefined ? (
        <Card
          withBorder
          radius="lg"
          data-testid="till-coupon"
          style={{
            borderColor: coupon.refusal === null ? 'var(--mantine-color-green-6)' : undefined,
            borderWidth: 2,
          }}
        >
          <Stack gap="xs">
            <Group justify="space-between" wrap="nowrap">
              <Text fw={700}>{coupon.offer.title}</Text>
              <Text fz={24} fw={800} c="packet.8">
                {formatFen(coupon.offer.valueFen)}
              </Text>
            </Group>
            <Text size="xs" style={{ fontFamily: 'monospace' }}>
              {coupon.code}
            </Text>
            <Text size="xs" c="dimmed">
              {t('till.validUntil', { date: formatDate(coupon.validUntil, i18n.language) })}
            </Text>
            {coupon.offer.terms === '' ? null : (
              <Text size="xs" c="dimmed">
                {coupon.offer.terms}
              </Text>
            )}
            {redeem.data !== undefined ? (
              <Alert
                color="green"
                variant="filled"
                radius="lg"
                title={t('till.redeemed')}
                data-testid="till-redeemed"
              >
                {t('till.redeemedAt', { time: formatDateTime(redeem.data.redeemedAt, i18n.language) })}
              </Alert>
            ) : coupon.refusal === null ? (
              <>
                <Badge color="green" size="lg" variant="light" data-testid="till-valid">
                  {t('till.valid')}
                </Badge>
                <Button
                  color="green"
                  size="lg"
                  loading={redeem.isPending}
                  onClick={() => redeem.mutate({ code: coupon.code, tillTxnId: txnId })}
                >
                  {t('till.redeem', { value: formatFen(coupon.offer.valueFen) })}
                </Button>
              </>
            ) : (
              <Refusal code={coupon.refusal} />
            )}
          </Stack>
        </Card>
      ) : null}
      {coupon !== undefined || failure !== null ? (
        <Button variant="default" onClick={reset}>
          {t('till.next')}
        </Button>
      ) : null}
    </Stack>
  );
}

export function TillPage() {
  const { t } = useTranslation();
  // The cookie is the browser's, so a till opened in one tab is open in every other one.
  const opened = useTillStore();
  const setStore = useSetTillStore();
  const signOut = useCloseTill({ onSettled: () => setStore(null) });
  return (
    <Container size="xs" px="sm" py="md">
      <Stack>
        <Group justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Logo />
            <Text c="dimmed" size="sm">
              {t('till.title')}
            </Text>
          </Group>
          <LanguageSwitch />
        </Group>
        {opened.isPending ? (
          <Loading />
        ) : opened.data === null || opened.data === undefined ? (
          <SignIn onStore={setStore} />
        ) : (
          <Till store={opened.data} onSignOut={() => signOut.mutate()} />
        )}
      </Stack>
    </Container>
  );
}
