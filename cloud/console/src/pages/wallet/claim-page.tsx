// The claim page a phone opens from a screen's QR code or reader tag (`/claim?t=<ticket>`,
// docs/protocol.md §3.8). Opening it claims nothing: link previews and prefetches only load this page.
// The reader signs in to the wallet (passkey or the browser's phone key) and claims with one press; the
// cloud decides the prize online and the page shows it with the brand that paid, in the reader's language.
import { Alert, Box, Button, Card, Center, Container, Group, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { useClaimTicket } from '../../api/hooks/claims.ts';
import type { Session } from '../../api/types.ts';
import { Logo } from '../../components/console-layout.tsx';
import { ErrorAlert } from '../../components/feedback.tsx';
import { LanguageSwitch } from '../../components/language-switch.tsx';
import { formatFen } from '../../lib/money.ts';
import { loadPhoneKeyFile } from '../../lib/phone-key-store.ts';
import { loadWalletSession, SignIn, storeWalletSession } from './wallet-page.tsx';

/** A ticket is 126 characters of base64url; anything else is not worth sending. */
const TICKET_TEXT = /^[A-Za-z0-9_-]{126}$/;

function ClaimResultCard({
  result,
}: {
  result: {
    status: 'credited' | 'rejected' | 'held' | 'released' | 'refused';
    code: string | null;
    amountFen: number;
    brand: string | null;
    couponTitle: string | null;
    couponOfferId: number | null;
  };
}) {
  const { t, i18n } = useTranslation();
  // Held by an account check: under review, in the reader's words (never the code).
  if (result.status === 'held') {
    const reason = `wallet.reason.${result.code ?? 'HELD_FOR_REVIEW'}`;
    return (
      <Alert color="blue" variant="light" title={t('claim.underReview')} data-testid="claim-held">
        <Text size="sm">{t('claim.underReviewBody', { amount: formatFen(result.amountFen) })}</Text>
        {i18n.exists(reason) ? (
          <Text size="xs" c="dimmed" mt={4}>
            {t(reason)}
          </Text>
        ) : null}
      </Alert>
    );
  }
  // Past the campaign's cash cap: its fallback coupon, as a kiosk would give.
  if (result.status === 'credited' && result.amountFen === 0 && result.couponOfferId !== null)
    return (
      <Stack align="center" gap="xs" data-testid="claim-coupon">
        <Text size="sm" c="dimmed" ta="center">
          {t('claim.couponInstead')}
        </Text>
        <Title order={2} c="red.7" ta="center">
          {result.couponTitle ?? ''}
        </Title>
        <Text size="sm">{t('claim.couponInWallet')}</Text>
      </Stack>
    );
  if (result.status === 'credited' && result.amountFen > 0)
    return (
      <Stack align="center" gap="xs" data-testid="claim-credited">
        <Text size="sm" c="dimmed">
          {result.brand === null ? t('claim.paidNoBrand') : t('claim.paidBy', { brand: result.brand })}
        </Text>
        <Title order={1} c="red.7">
          {formatFen(result.amountFen)}
        </Title>
        <Text size="sm">{t('claim.inWallet')}</Text>
      </Stack>
    );
  const key = `errors.${result.code ?? 'unknown'}`;
  return (
    <Alert color="yellow" variant="light" title={t('claim.notPaid')} data-error-code={result.code ?? ''}>
      {i18n.exists(key) ? t(key) : t('errors.unknown')}
    </Alert>
  );
}

function Claim({ ticket, session }: { ticket: string; session: Session }) {
  const { t } = useTranslation();
  const claim = useClaimTicket(session.token);
  if (claim.data !== undefined)
    return (
      <Stack>
        <ClaimResultCard result={claim.data} />
        <Button component={Link} to="/wallet" variant="light" radius="xl">
          {t('claim.openWallet')}
        </Button>
      </Stack>
    );
  return (
    <Stack>
      <Text ta="center">{t('claim.ready')}</Text>
      {claim.error === null ? null : <ErrorAlert error={claim.error} />}
      <Button
        size="lg"
        radius="xl"
        color="red"
        loading={claim.isPending}
        disabled={claim.error !== null}
        onClick={() => claim.mutate(ticket)}
        data-testid="claim-button"
      >
        {t('claim.grab')}
      </Button>
    </Stack>
  );
}

export function ClaimPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const ticket = params.get('t') ?? '';
  const [file, setFile] = useState(loadPhoneKeyFile);
  const [session, setSession] = useState(loadWalletSession);
  const signIn = (next: Session) => {
    storeWalletSession(next);
    setSession(next);
  };
  return (
    <Box mih="100vh" bg="var(--mantine-color-gray-0)">
      <Container size={480} px="md" py="md">
        <Stack>
          <Group justify="space-between">
            <Logo />
            <LanguageSwitch />
          </Group>
          <Title order={2} size="h3">
            {t('claim.title')}
          </Title>
          <Card withBorder radius="xl" p="xl" w="100%">
            {!TICKET_TEXT.test(ticket) ? (
              <Center>
                <Text data-testid="claim-invalid">{t('claim.invalid')}</Text>
              </Center>
            ) : session === null ? (
              <Stack>
                <Text ta="center">{t('claim.signInFirst')}</Text>
                <SignIn file={file} onFile={setFile} onSession={signIn} />
              </Stack>
            ) : (
              <Claim ticket={ticket} session={session} />
            )}
          </Card>
        </Stack>
      </Container>
    </Box>
  );
}
