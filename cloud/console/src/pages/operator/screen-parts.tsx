// Pieces the screens list and a screen's page share: the ticking clock, the status badge, deck levels, the
// last claim, a cell that keeps long text on one line (cut with an ellipsis, whole in its tooltip), and the
// form that renames or moves a screen.
import {
  Badge,
  Button,
  Modal,
  Progress,
  Stack,
  Text,
  TextInput,
  Tooltip,
  type TextProps,
} from '@mantine/core';
import { useEffect, useState, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useEditScreen } from '../../api/hooks/screens.ts';
import type { Screen } from '../../api/types.ts';
import { ErrorAlert, notifySuccess } from '../../components/feedback.tsx';
import { formatAgo, formatDateTime, isOnline } from '../../lib/format.ts';

/** How often the ages ("12 s ago") and online states are recomputed between fetches. */
const CLOCK_TICK_MS = 5_000;

/** The current time, re-read every `CLOCK_TICK_MS`, so a screen that goes quiet turns offline on time. */
export function useNowMs(): number {
  const [nowMs, setNowMs] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNowMs(Date.now()), CLOCK_TICK_MS);
    return () => clearInterval(timer);
  }, []);
  return nowMs;
}

/** Badges keep their whole label: a narrow cell wraps around them instead of cutting "offline" short. */
export const BADGE_STYLES = {
  root: { flexShrink: 0, maxWidth: 'none', overflow: 'visible' },
  label: { overflow: 'visible', textOverflow: 'clip' },
} as const;

/** One line of text cut with an ellipsis where its cell ends; the whole text is its tooltip and title. */
export function Truncated({ text, ...props }: { text: string } & TextProps & { 'data-testid'?: string }) {
  return (
    <Tooltip label={text} openDelay={300} multiline maw={420}>
      <Text truncate="end" title={text} {...props}>
        {text}
      </Text>
    </Tooltip>
  );
}

export function ScreenStatusBadge({ screen, nowMs }: { screen: Screen; nowMs: number }) {
  const { t } = useTranslation();
  if (screen.status === 'revoked')
    return (
      <Badge color="gray" styles={BADGE_STYLES}>
        {t('screens.statusRevoked')}
      </Badge>
    );
  if (screen.status === 'pending')
    return (
      <Badge color="yellow" styles={BADGE_STYLES}>
        {t('screens.statusPending')}
      </Badge>
    );
  return isOnline(screen.health, nowMs) ? (
    <Badge color="teal" styles={BADGE_STYLES}>
      {t('screens.onlineBadge')}
    </Badge>
  ) : (
    <Badge color="red" variant="outline" styles={BADGE_STYLES}>
      {t('screens.offlineBadge')}
    </Badge>
  );
}

export function DeckLevels({ screen }: { screen: Screen }) {
  const { t } = useTranslation();
  const decks = screen.health?.decks ?? [];
  if (decks.length === 0)
    return (
      <Text size="xs" c="dimmed">
        {t('screens.noDecks')}
      </Text>
    );
  return (
    <Stack gap={4} miw={100}>
      {decks.map((deck) => (
        <Tooltip key={deck.deckId} label={`#${deck.deckId} · campaign ${deck.campaignId}`}>
          <div>
            <Text size="xs">
              {deck.remaining}/{deck.count}
            </Text>
            <Progress
              size="sm"
              value={deck.count === 0 ? 0 : (deck.remaining / deck.count) * 100}
              color={deck.remaining / Math.max(1, deck.count) < 0.2 ? 'orange' : 'teal'}
              aria-label={`deck ${deck.deckId}`}
            />
          </div>
        </Tooltip>
      ))}
    </Stack>
  );
}

type Place = Pick<Screen, 'name' | 'city' | 'building' | 'elevator' | 'timezone'>;

/** Renames or moves a screen: only the fields changed are sent; the server republishes when it must. */
export function EditScreenModal(props: { screen: Screen | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { screen } = props;
  const [form, setForm] = useState<Place | null>(null);
  const shown: Place | null =
    form ??
    (screen === null
      ? null
      : {
          name: screen.name,
          city: screen.city,
          building: screen.building,
          elevator: screen.elevator,
          timezone: screen.timezone,
        });
  const save = useEditScreen(screen?.id ?? 0, {
    onSuccess: (saved) => {
      notifySuccess(t('fleet.saved', { name: saved.name }));
      setForm(null);
      props.onClose();
    },
  });
  const close = () => {
    setForm(null);
    save.reset();
    props.onClose();
  };
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    if (screen === null || shown === null) return;
    const changes = Object.fromEntries(
      (Object.keys(shown) as (keyof Place)[])
        .filter((key) => shown[key] !== screen[key])
        .map((key) => [key, shown[key]]),
    );
    if (Object.keys(changes).length === 0) return close();
    save.mutate(changes);
  };
  const field = (key: keyof Place, label: string, maxLength: number) => (
    <TextInput
      label={label}
      required
      maxLength={maxLength}
      value={shown?.[key] ?? ''}
      onChange={(event) => {
        const value = event.currentTarget.value;
        if (shown !== null) setForm({ ...shown, [key]: value });
      }}
    />
  );
  return (
    <Modal
      opened={screen !== null}
      onClose={close}
      title={screen === null ? '' : t('fleet.editTitle', { name: screen.name })}
      centered
    >
      <form onSubmit={submit} aria-label={t('fleet.edit')}>
        <Stack>
          {field('name', t('common.name'), 200)}
          {field('city', t('screens.city'), 100)}
          {field('building', t('screens.building'), 100)}
          {field('elevator', t('screens.elevator'), 100)}
          {field('timezone', t('screens.timezone'), 64)}
          <Text size="xs" c="dimmed">
            {t('fleet.moveNote')}
          </Text>
          {save.error === null ? null : <ErrorAlert error={save.error} />}
          <Button type="submit" loading={save.isPending}>
            {t('common.save')}
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}

/** The screen's last online claim: how long ago, and its path (QR code, reader tag or sticker). */
export function LastClaim({ screen, nowMs }: { screen: Screen; nowMs: number }) {
  const { t, i18n } = useTranslation();
  if (screen.lastClaimAt === null)
    return (
      <Text component="span" inherit c="dimmed">
        {t('stickers.noClaim')}
      </Text>
    );
  const ago = formatAgo(screen.lastClaimAt, nowMs, i18n.language);
  return (
    <Tooltip label={formatDateTime(screen.lastClaimAt, i18n.language)}>
      <span>
        {screen.lastClaimPath === null ? ago : `${ago} · ${t(`stickers.paths.${screen.lastClaimPath}`)}`}
      </span>
    </Tooltip>
  );
}
