// The screen's JSON events (docs/protocol.md §5.3), built from the store: heartbeat, proof-of-play per
// finished period, deck receipts, refill requests and deck close reports.
import {
  toHex,
  type DeckLevel,
  type HeartbeatEvent,
  type ProofOfPlayEvent,
  type ScreenEvent,
  type TagReadCounts,
} from '@redtap/shared';
import type { DeckReceipt } from '../decks/deck-intake.ts';
import { deckLevels } from '../decks/deck-levels.ts';
import type { Store } from '../store/open-store.ts';
import { unreportedPlays } from '../store/proof-of-play-queries.ts';
import { revocationStatus } from '../store/revocation-queries.ts';
import { backlogCount, lastCommittedCounter } from '../store/tap-queries.ts';

export type DeckLowEvent = Extract<ScreenEvent, { type: 'deck-low' }>;

/** The largest proof-of-play event the schema accepts. */
const PLAY_ITEMS_MAX = 1_000;

/**
 * A heartbeat from what the screen holds: its last tap counter, its backlog, its deck levels and the
 * revocation number it is current to.
 */
export function heartbeatOf(fields: {
  now: number;
  appVersion: string;
  counter: number;
  backlog: number;
  decks: DeckLevel[];
  uptimeS: number;
  tagReads?: TagReadCounts | null;
  /** The revocation number the screen is current to (revocation_state.version). */
  revocations?: number | null;
}): HeartbeatEvent {
  return {
    type: 'heartbeat',
    ts: fields.now,
    appVersion: fields.appVersion.slice(0, 64),
    counter: fields.counter,
    backlog: fields.backlog,
    decks: fields.decks,
    uptimeS: Math.max(0, Math.floor(fields.uptimeS)),
    ...(fields.tagReads === undefined || fields.tagReads === null ? {} : { tagReads: fields.tagReads }),
    ...(fields.revocations === undefined || fields.revocations === null
      ? {}
      : { revocations: fields.revocations }),
  };
}

export function heartbeatEvent(
  store: Store,
  now: number,
  appVersion: string,
  uptimeS: number,
  tagReads: TagReadCounts | null = null,
): HeartbeatEvent {
  return heartbeatOf({
    now,
    appVersion,
    counter: lastCommittedCounter(store),
    backlog: backlogCount(store),
    decks: deckLevels(store, now),
    uptimeS,
    tagReads,
    revocations: revocationStatus(store).version,
  });
}

/** One event per finished, unreported period, oldest first; at most `periodsMax` of them. */
export function proofOfPlayEvents(store: Store, now: number, periodsMax: number): ProofOfPlayEvent[] {
  const byPeriod = new Map<number, ProofOfPlayEvent>();
  for (const row of unreportedPlays(store, now, PLAY_ITEMS_MAX)) {
    let event = byPeriod.get(row.periodStart);
    if (event === undefined) {
      if (byPeriod.size >= periodsMax) break;
      event = { type: 'proof-of-play', periodStart: row.periodStart, periodEnd: row.periodEnd, items: [] };
      byPeriod.set(row.periodStart, event);
    }
    event.items.push({
      creativeSha256: row.creativeSha256,
      campaignId: row.campaignId,
      plays: row.plays,
      durationMs: row.durationMs,
    });
  }
  return [...byPeriod.values()];
}

/** null when the deck did not decode far enough to name it: the receipt schema needs a deck id. */
export function deckReceiptEvent(receipt: DeckReceipt): ScreenEvent | null {
  if (receipt.deckId === null || receipt.deckId < 1) return null;
  return {
    type: 'deck-receipt',
    deckId: receipt.deckId,
    status: receipt.status,
    ...(receipt.code === undefined ? {} : { code: receipt.code.slice(0, 64) }),
  };
}

export function deckCloseEvent(report: Uint8Array): ScreenEvent {
  return { type: 'deck-close', report: toHex(report) };
}

export function deckLowEvent(input: {
  campaignId: number;
  deckId: number | null;
  remaining: number;
  tapRatePerHour: number;
}): DeckLowEvent {
  return {
    type: 'deck-low',
    campaignId: input.campaignId,
    ...(input.deckId === null ? {} : { deckId: input.deckId }),
    remaining: input.remaining,
    tapRatePerHour: input.tapRatePerHour,
  };
}
