// Deck levels for heartbeats and refill requests, and close reports for decks past validUntil
// (docs/protocol.md §3.6, §5.3).
import type { KeyObject } from 'node:crypto';
import { signDeckClose, type DeckLevel } from '@redtap/shared';
import { expiredOpenDecks, markDeckClosed, openDeckStates, type DeckState } from '../store/deck-queries.ts';
import type { Store } from '../store/open-store.ts';

export function toDeckLevel(deck: DeckState): DeckLevel {
  return {
    deckId: deck.deckId,
    campaignId: deck.campaignId,
    remaining: deck.count - deck.cursor,
    count: deck.count,
    validUntil: deck.validUntil,
  };
}

/** Open, unexpired decks and what each has left, as the heartbeat reports them. */
export function deckLevels(store: Store, now: number): DeckLevel[] {
  return openDeckStates(store, now).map(toDeckLevel);
}

export interface RefillNeed {
  campaignId: number;
  /** Envelopes left over every usable deck of the campaign. */
  remaining: number;
}

/** Campaigns whose envelopes left fall below the config's deckRefillThreshold (including none at all). */
export function campaignsNeedingRefill(
  store: Store,
  campaignIds: readonly number[],
  threshold: number,
  now: number,
): RefillNeed[] {
  const remaining = new Map<number, number>(campaignIds.map((id) => [id, 0]));
  for (const deck of openDeckStates(store, now)) {
    if (deck.validFrom > now) continue;
    const sum = remaining.get(deck.campaignId);
    if (sum !== undefined) remaining.set(deck.campaignId, sum + deck.count - deck.cursor);
  }
  return [...remaining]
    .filter(([, left]) => left < threshold)
    .map(([campaignId, left]) => ({ campaignId, remaining: left }));
}

export interface DeckCloseContext {
  store: Store;
  screenId: number;
  screenKey: KeyObject;
  now: number;
}

/**
 * Closes every deck past validUntil with a signed report of how many envelopes it used, so the cloud can
 * return the rest of the escrow. Returns the reports to send; they also stay in the store.
 */
export function closeExpiredDecks(context: DeckCloseContext): { deckId: number; report: Uint8Array }[] {
  const reports: { deckId: number; report: Uint8Array }[] = [];
  for (const deck of expiredOpenDecks(context.store, context.now)) {
    const report = signDeckClose(
      { deckId: deck.deckId, screenId: context.screenId, usedCount: deck.cursor, ts: context.now },
      context.screenKey,
    );
    if (markDeckClosed(context.store, deck.deckId, deck.cursor, context.now, report))
      reports.push({ deckId: deck.deckId, report });
  }
  return reports;
}
