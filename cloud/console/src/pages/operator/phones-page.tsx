// Phones: revoke a lost or cloned phone by its wallet id and a credential serial, after a confirmation
// that says what it does (every credential of the wallet, no more taps or logins, every screen sent the
// revocation), then follow the revocation to the fleet: configs published, and kiosks that confirmed
// holding it (docs/operations.md, "Watching config rollouts"). The API has no operator look-up of a
// wallet's credentials, so the page cannot list them first: the serial is the one the phone reported.
import { Alert, Button, Card, Group, Modal, Progress, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useRevocationProgress, useRevokePhone, type PhoneRevocation } from '../../api/hooks/phones.ts';
import { ErrorAlert } from '../../components/feedback.tsx';
import { formatCount, formatDateTime } from '../../lib/format.ts';
import {
  FAST_POLL_MS,
  figuresKey,
  pollIntervalMs,
  positiveIntegerOf,
  revocationFigures,
  SERIAL_MAX,
  SLOW_POLL_MS,
  STALL_AFTER_MS,
  WALLET_ID_MAX,
} from '../../lib/revocation-progress.ts';

/** The revocation's progress, asked for as lib/revocation-progress.ts pollIntervalMs says. */
export function RevocationProgressView({ outcome }: { outcome: PhoneRevocation }) {
  const { t, i18n } = useTranslation();
  const [interval, setPollInterval] = useState<number | false>(FAST_POLL_MS);
  const progress = useRevocationProgress(outcome.queued.generation, outcome.revocationNumber, interval);
  const figures = revocationFigures(outcome.queued.screens, progress.data);
  const key = figuresKey(figures);
  // When the figures last changed: after STALL_AFTER_MS without a change the poll slows down.
  const changed = useRef<{ key: string; atMs: number } | null>(null);
  useEffect(() => {
    if (progress.data === undefined) return;
    const nowMs = Date.now();
    if (changed.current?.key !== key) changed.current = { key, atMs: nowMs };
    setPollInterval(pollIntervalMs(figures, nowMs - changed.current.atMs));
    // figures derives from progress.data, whose every reply (changed or not) dataUpdatedAt marks.
  }, [progress.dataUpdatedAt, key]);
  const count = (value: number) => formatCount(value, i18n.language);
  const done = interval === false;
  return (
    <Stack gap="xs" data-testid="revocation-progress">
      <Text size="sm" data-testid="published-progress">
        {t('phones.published', { done: count(figures.published), total: count(figures.total) })}
      </Text>
      <Progress value={figures.publishedPercent} aria-label={t('phones.publishedLabel')} />
      <Text size="sm" data-testid="confirmed-progress">
        {t('phones.confirmed', { done: count(figures.confirmed), total: count(figures.total) })}
      </Text>
      <Progress color="teal" value={figures.confirmedPercent} aria-label={t('phones.confirmedLabel')} />
      {figures.retrying > 0 ? (
        <Text size="xs" c="red.8" data-testid="publish-retrying">
          {t('phones.retrying', { screens: count(figures.retrying) })}
        </Text>
      ) : null}
      {progress.error === null ? null : <ErrorAlert error={progress.error} />}
      {done ? (
        <Text size="sm" data-testid="revocation-done">
          {t('phones.done')}
        </Text>
      ) : (
        <Text size="xs" c="dimmed" data-testid="confirm-note">
          {t('phones.confirmNote')}
        </Text>
      )}
      {interval === SLOW_POLL_MS ? (
        <Text size="xs" c="dimmed" data-testid="slow-poll">
          {t('phones.slowPoll', {
            minutes: STALL_AFTER_MS / 60_000,
            seconds: SLOW_POLL_MS / 1000,
          })}
        </Text>
      ) : null}
    </Stack>
  );
}

function Outcome({ outcome }: { outcome: PhoneRevocation }) {
  const { t, i18n } = useTranslation();
  return (
    <Card withBorder radius="md" data-testid="revocation-outcome">
      <Stack>
        <Alert color={outcome.credentialsRevoked === 0 ? 'yellow' : 'teal'}>
          {outcome.credentialsRevoked === 0
            ? t('phones.alreadyRevoked', {
                wallet: outcome.walletId,
                time: formatDateTime(outcome.revokedAt, i18n.language),
              })
            : t('phones.revoked', {
                wallet: outcome.walletId,
                credentials: formatCount(outcome.credentialsRevoked, i18n.language),
                time: formatDateTime(outcome.revokedAt, i18n.language),
              })}
        </Alert>
        <Text size="sm" c="dimmed">
          {t('phones.revocationNumber', { number: outcome.revocationNumber })}
        </Text>
        <RevocationProgressView outcome={outcome} />
      </Stack>
    </Card>
  );
}

export function PhonesPage() {
  const { t } = useTranslation();
  const [walletText, setWalletText] = useState('');
  const [serialText, setSerialText] = useState('');
  const [touched, setTouched] = useState(false);
  const [confirming, setConfirming] = useState<{ walletId: number; serial: number } | null>(null);
  const [outcome, setOutcome] = useState<PhoneRevocation | null>(null);
  const revoke = useRevokePhone({
    onSuccess: (reply) => {
      setConfirming(null);
      setOutcome(reply);
    },
  });
  const walletId = positiveIntegerOf(walletText, WALLET_ID_MAX);
  const serial = positiveIntegerOf(serialText, SERIAL_MAX);
  const fieldError = (value: number | null, text: string) =>
    (touched || text !== '') && value === null ? t('phones.positiveInteger') : undefined;
  return (
    <Stack>
      <Title order={2}>{t('phones.title')}</Title>
      <Card withBorder radius="md">
        <Title order={4} mb="xs">
          {t('phones.revokeTitle')}
        </Title>
        <Text size="sm" c="dimmed" mb="sm">
          {t('phones.help')}
        </Text>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            setTouched(true);
            if (walletId === null || serial === null) return;
            revoke.reset();
            setConfirming({ walletId, serial });
          }}
        >
          <Stack>
            <Group grow align="flex-start">
              <TextInput
                label={t('phones.walletId')}
                required
                inputMode="numeric"
                autoComplete="off"
                value={walletText}
                error={fieldError(walletId, walletText)}
                onChange={(event) => setWalletText(event.currentTarget.value)}
              />
              <TextInput
                label={t('phones.serial')}
                description={t('phones.serialHelp')}
                required
                inputMode="numeric"
                autoComplete="off"
                value={serialText}
                error={fieldError(serial, serialText)}
                onChange={(event) => setSerialText(event.currentTarget.value)}
              />
            </Group>
            <Group justify="flex-end">
              <Button type="submit" color="red">
                {t('phones.revoke')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Card>
      {outcome === null ? null : (
        // A new revocation starts its own progress, never the previous one's.
        <Outcome key={`${outcome.walletId}:${outcome.queued.generation}`} outcome={outcome} />
      )}
      <Modal
        opened={confirming !== null}
        onClose={() => setConfirming(null)}
        title={t('phones.confirmTitle', { wallet: confirming?.walletId ?? '' })}
        centered
      >
        {confirming === null ? null : (
          <Stack>
            <Text size="sm" data-testid="revoke-consequences">
              {t('phones.confirmText', { wallet: confirming.walletId, serial: confirming.serial })}
            </Text>
            {revoke.error === null ? null : <ErrorAlert error={revoke.error} />}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setConfirming(null)}>
                {t('common.cancel')}
              </Button>
              <Button
                color="red"
                loading={revoke.isPending}
                onClick={() => revoke.mutate(confirming)}
                data-testid="revoke-confirm"
              >
                {t('phones.confirmButton', { wallet: confirming.walletId })}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
