// Deck levels for heartbeats and refill requests, and close reports for decks past validUntil
// (docs/protocol.md §3.6, §5.3).
import type { KeyObject } from 'node:crypto';
import { signDeckClose, type DeckLevel } from '@redtap/shared';
import {
  expiredOpenDecks,
  fallbackRemaining,
  mainRemaining,
  markDeckClosed,
  openDeckStates,
  type DeckState,
} from '../store/deck-queries.ts';
import type { Store } from '../store/open-store.ts';

export function toDeckLevel(deck: DeckState): DeckLevel {
  // `count` and `remaining` are the main envelopes, as before decks carried an allotment; a deck that is
  // all allotment reports count 1 with none remaining, since the schema has no empty deck.
  return {
    deckId: deck.deckId,
    campaignId: deck.campaignId,
    remaining: mainRemaining(deck),
    count: Math.max(1, deck.count - deck.fallbackCount),
    validUntil: deck.validUntil,
    fallbackCount: deck.fallbackCount,
    fallbackRemaining: fallbackRemaining(deck),
  };
}

/** Open, unexpired decks and what each has left, as the heartbeat reports them. */
export function deckLevels(store: Store, now: number): DeckLevel[] {
  return openDeckStates(store, now).map(toDeckLevel);
}

export interface RefillNeed {
  campaignId: number;
  /** Main envelopes left over every usable deck of the campaign. */
  remaining: number;
  /** Allotment slots left over them. */
  fallbackRemaining: number;
}

/**
 * Campaigns whose main envelopes left fall below the config's deckRefillThreshold (including none at
 * all), and campaigns whose usable decks carried an allotment that is used up: the screen can no longer
 * give the fallback coupon until the cloud allots more. `decks` are the open, unexpired decks (as
 * openDeckStates reads them); those not valid yet do not count.
 */
export function refillNeeds(
  decks: Iterable<DeckState>,
  campaignIds: readonly number[],
  threshold: number,
  now: number,
): RefillNeed[] {
  const left = new Map(campaignIds.map((id) => [id, { main: 0, allotted: 0, fallback: 0 }]));
  for (const deck of decks) {
    if (deck.validFrom > now) continue;
    const sum = left.get(deck.campaignId);
    if (sum === undefined) continue;
    sum.main += mainRemaining(deck);
    sum.allotted += deck.fallbackCount;
    sum.fallback += fallbackRemaining(deck);
  }
  return [...left]
    .filter(([, sum]) => sum.main < threshold || (sum.allotted > 0 && sum.fallback === 0))
    .map(([campaignId, sum]) => ({ campaignId, remaining: sum.main, fallbackRemaining: sum.fallback }));
}

/** refillNeeds over the store's open decks. */
export function campaignsNeedingRefill(
  store: Store,
  campaignIds: readonly number[],
  threshold: number,
  now: number,
): RefillNeed[] {
  return refillNeeds(openDeckStates(store, now), campaignIds, threshold, now);
}

export interface DeckCloseContext {
  store: Store;
  screenId: number;
  screenKey: KeyObject;
  now: number;
}

/**
 * Closes every deck past validUntil with a signed report (version 2) of how far each cursor drew, so the
 * cloud can return the rest of the escrow. Returns the reports to send; they also stay in the store.
 */
export function closeExpiredDecks(context: DeckCloseContext): { deckId: number; report: Uint8Array }[] {
  const reports: { deckId: number; report: Uint8Array }[] = [];
  for (const deck of expiredOpenDecks(context.store, context.now)) {
    const used = { usedCount: deck.cursor, fallbackUsedCount: deck.fallbackCursor };
    const report = signDeckClose(
      { deckId: deck.deckId, screenId: context.screenId, ...used, ts: context.now },
      context.screenKey,
    );
    if (markDeckClosed(context.store, deck.deckId, used, context.now, report))
      reports.push({ deckId: deck.deckId, report });
  }
  return reports;
}
