// Screen events from the broker (docs/protocol.md §5.3): heartbeats update screen health, deck-low
// queues a refill for the deck dispatcher, deck-close returns unused escrow early, proof-of-play feeds the reports. Presence
// messages (§5.6) record whether the broker holds the screen's connection.
import { Counter } from 'prom-client';
import type { AppDeps } from '../http/context.ts';
import { closeDeck, wantDeckRefill } from './decks.ts';
import { recordProofOfPlay, type PlayCode, type PlayNote } from './proof-of-play.ts';
import { recordHeartbeat } from './screen-health.ts';
import { recordPresence } from './screen-presence.ts';

/** Notes named in one log line; the counts by code cover them all. */
const PLAY_NOTES_LOGGED_MAX = 5;

export function wireScreenEvents(
  deps: Pick<
    AppDeps,
    'broker' | 'db' | 'dispatchers' | 'logger' | 'metrics' | 'now' | 'secrets' | 'settings'
  >,
): void {
  const playReports = new Counter({
    name: 'redtap_proof_of_play_reports_total',
    help: 'Proof-of-play reports from screens, by outcome and the code of a refusal',
    labelNames: ['outcome', 'code'],
    registers: [deps.metrics],
  });
  const playNotes = new Counter({
    name: 'redtap_proof_of_play_item_notes_total',
    help: 'Proof-of-play items not counted, merged or bounded, by code',
    labelNames: ['code'],
    registers: [deps.metrics],
  });
  const notePlays = (screenId: number, code: PlayCode | null, notes: PlayNote[]): void => {
    const byCode: Partial<Record<PlayCode, number>> = {};
    for (const note of notes) {
      byCode[note.code] = (byCode[note.code] ?? 0) + 1;
      playNotes.inc({ code: note.code });
    }
    if (code === null && notes.length === 0) return;
    deps.logger.warn(
      { screenId, code, notes: byCode, sample: notes.slice(0, PLAY_NOTES_LOGGED_MAX) },
      code === null ? 'proof of play counted in part' : 'proof of play refused',
    );
  };
  deps.broker.onScreenPresence(async ({ screenId, presence }) => {
    const outcome = await recordPresence(deps.db, screenId, presence, deps.now());
    if (outcome === 'seq-ahead')
      deps.logger.warn(
        { screenId, seq: presence.seq },
        'presence numbered ahead of the cloud clock; dropped',
      );
  });
  deps.broker.onScreenEvent(async ({ screenId, event }) => {
    switch (event.type) {
      case 'heartbeat': {
        const recorded = await recordHeartbeat(deps.db, screenId, event, deps.now());
        if (!recorded) deps.logger.warn({ screenId }, 'heartbeat from a screen that is not active; dropped');
        return;
      }
      case 'deck-low': {
        // Desired state: the deck dispatcher issues and publishes the refill (with what the screen holds).
        const wanted = await wantDeckRefill(deps.db, screenId, event);
        if (wanted) deps.dispatchers?.poke();
        deps.logger.debug({ screenId, campaignId: event.campaignId, wanted }, 'deck-low queued');
        return;
      }
      case 'deck-close': {
        const outcome = await closeDeck(deps.db, { screenId, reportHex: event.report });
        if (!outcome.ok) deps.logger.warn({ screenId, code: outcome.code }, 'deck close report refused');
        return;
      }
      case 'proof-of-play': {
        const outcome = await recordProofOfPlay(deps.db, screenId, event, {
          timezone: deps.settings.money.timezone,
          nowS: Math.floor(deps.now().getTime() / 1000),
          clockSlackS: deps.settings.money.clockFutureMaxS,
        });
        playReports.inc({ outcome: outcome.status, code: outcome.status === 'refused' ? outcome.code : '' });
        if (outcome.status !== 'duplicate')
          notePlays(screenId, outcome.status === 'refused' ? outcome.code : null, outcome.notes);
        return;
      }
      case 'deck-receipt':
        if (event.status === 'rejected')
          deps.logger.warn({ screenId, deckId: event.deckId, code: event.code }, 'screen rejected a deck');
        return;
    }
  });
}
