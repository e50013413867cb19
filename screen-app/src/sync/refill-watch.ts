// Refill requests (docs/protocol.md §5.3 `deck-low`): asked once per deck when a campaign's main envelopes
// fall below the config's deckRefillThreshold or its allotment of fallback coupons is used up, not on
// every tap, and again only if no new deck came for a while. The cloud sizes the refill itself.
import { assert } from '@redtap/shared';
import { refillNeeds } from '../decks/deck-levels.ts';
import type { DeckState } from '../store/deck-queries.ts';
import { deckLowEvent, type DeckLowEvent } from './screen-events.ts';

export interface RefillWatchOptions {
  /** The open, unexpired decks (the kiosk: openDeckStates of its store). */
  openDecks: (now: number) => readonly DeckState[];
  /** Taps of a campaign since a time (the kiosk: recentTapCount of its store). */
  recentTaps: (campaignId: number, sinceS: number) => number;
  /** Wall clock, Unix seconds. */
  now: () => number;
  /** A request that brought no new deck is repeated after this long (the event may have been lost). */
  repeatAfterS: number;
  /** Window over which the tap rate reported with a request (informational: it sizes nothing) is measured. */
  tapRateWindowS: number;
}

export class RefillWatch {
  private readonly options: RefillWatchOptions;
  /** campaignId → the newest deck when we asked (0 = none) and when. Bounded by the config's campaigns. */
  private readonly requested = new Map<number, { deckId: number; atS: number }>();

  constructor(options: RefillWatchOptions) {
    assert(options.repeatAfterS >= 1 && options.tapRateWindowS >= 1, 'refill windows must be positive');
    this.options = options;
  }

  /** The refill requests to send now. */
  due(campaignIds: readonly number[], threshold: number): DeckLowEvent[] {
    const now = this.options.now();
    const decks = this.options.openDecks(now);
    const needs = refillNeeds(decks, campaignIds, threshold, now);
    const low = new Set(needs.map((need) => need.campaignId));
    for (const campaignId of this.requested.keys())
      if (!low.has(campaignId)) this.requested.delete(campaignId);
    if (needs.length === 0) return [];

    const newestDeck = new Map<number, number>();
    for (const deck of decks) {
      if (deck.validFrom > now) continue;
      newestDeck.set(deck.campaignId, Math.max(newestDeck.get(deck.campaignId) ?? 0, deck.deckId));
    }
    const events: DeckLowEvent[] = [];
    for (const need of needs) {
      const deckId = newestDeck.get(need.campaignId) ?? 0;
      const previous = this.requested.get(need.campaignId);
      const fresh = previous === undefined || previous.deckId !== deckId;
      if (!fresh && now - previous.atS < this.options.repeatAfterS && now >= previous.atS) continue;
      this.requested.set(need.campaignId, { deckId, atS: now });
      const taps = this.options.recentTaps(need.campaignId, now - this.options.tapRateWindowS);
      events.push(
        deckLowEvent({
          campaignId: need.campaignId,
          deckId: deckId === 0 ? null : deckId,
          remaining: need.remaining,
          tapRatePerHour: (taps * 3_600) / this.options.tapRateWindowS,
        }),
      );
    }
    return events;
  }

  /** After a reconnect the last requests may have been lost: ask again. */
  forget(): void {
    this.requested.clear();
  }
}
