// Envelope decks at rest: intake, levels for heartbeats, and expiry/close bookkeeping.
import { and, asc, eq, gte, isNull, lt, lte, sql } from 'drizzle-orm';
import { bytesEqual, SIGNATURE_LENGTH, type Deck } from '@redtap/shared';
import { decks } from './schema/index.ts';
import type { Store } from './open-store.ts';

function signedPart(bytes: Uint8Array): Uint8Array {
  return bytes.subarray(0, Math.max(0, bytes.length - SIGNATURE_LENGTH));
}

export type InsertDeckOutcome = 'inserted' | 'duplicate' | 'conflict';

/** Stores a verified deck. A redelivered deck (same bytes) is a no-op that keeps the cursor. */
export function insertDeck(store: Store, deck: Deck, bytes: Uint8Array, now: number): InsertDeckOutcome {
  return store.db.transaction(
    (tx) => {
      const existing = tx
        .select({ bytes: decks.bytes })
        .from(decks)
        .where(eq(decks.deckId, deck.deckId))
        .get();
      // ECDSA signatures are randomised, so a re-signed copy of the same deck differs only in its last
      // 64 bytes: the signed content decides whether it is the same deck.
      if (existing !== undefined)
        return bytesEqual(signedPart(existing.bytes), signedPart(bytes)) ? 'duplicate' : 'conflict';
      tx.insert(decks)
        .values({
          deckId: deck.deckId,
          campaignId: deck.campaignId,
          bytes: Buffer.from(bytes),
          validFrom: deck.validFrom,
          validUntil: deck.validUntil,
          count: deck.envelopes.length,
          cursor: 0,
          storedAt: now,
        })
        .run();
      return 'inserted';
    },
    { behavior: 'immediate' },
  );
}

export interface DeckState {
  deckId: number;
  campaignId: number;
  validFrom: number;
  validUntil: number;
  count: number;
  cursor: number;
  closedAt: number | null;
}

const deckStateColumns = {
  deckId: decks.deckId,
  campaignId: decks.campaignId,
  validFrom: decks.validFrom,
  validUntil: decks.validUntil,
  count: decks.count,
  cursor: decks.cursor,
  closedAt: decks.closedAt,
};

export function getDeckState(store: Store, deckId: number): DeckState | null {
  return store.db.select(deckStateColumns).from(decks).where(eq(decks.deckId, deckId)).get() ?? null;
}

/** Decks a tap at `ts` may draw from: open, in their validity window, with envelopes left. */
function usableAt(ts: number) {
  return and(
    isNull(decks.closedAt),
    lt(decks.cursor, decks.count),
    lte(decks.validFrom, ts),
    gte(decks.validUntil, ts),
  );
}

/** Campaigns that have a usable deck at `ts`. */
export function campaignsWithUsableDeck(store: Store, ts: number): Set<number> {
  const rows = store.db
    .selectDistinct({ campaignId: decks.campaignId })
    .from(decks)
    .where(usableAt(ts))
    .all();
  return new Set(rows.map((row) => row.campaignId));
}

/** Open, unexpired decks with what is left in each, for heartbeats and refill decisions. */
export function openDeckStates(store: Store, now: number, limit = 256): DeckState[] {
  return store.db
    .select(deckStateColumns)
    .from(decks)
    .where(and(isNull(decks.closedAt), gte(decks.validUntil, now)))
    .orderBy(asc(decks.validUntil), asc(decks.deckId))
    .limit(limit)
    .all();
}

/** Decks past validUntil that have not been closed yet; each needs a close report. */
export function expiredOpenDecks(store: Store, now: number, limit = 64): DeckState[] {
  return store.db
    .select(deckStateColumns)
    .from(decks)
    .where(and(isNull(decks.closedAt), lt(decks.validUntil, now)))
    .orderBy(asc(decks.validUntil))
    .limit(limit)
    .all();
}

/**
 * Marks a deck closed with its signed report, but only if its cursor is still `usedCount`: a tap that
 * drew in between would make the report understate what was used.
 */
export function markDeckClosed(
  store: Store,
  deckId: number,
  usedCount: number,
  now: number,
  report: Uint8Array,
): boolean {
  const changes = store.db
    .update(decks)
    .set({ closedAt: now, closeReport: Buffer.from(report) })
    .where(and(eq(decks.deckId, deckId), eq(decks.cursor, usedCount), isNull(decks.closedAt)))
    .run().changes;
  return changes === 1;
}

/** Signed close reports of closed decks, for sync to send (the cloud treats a repeat as a duplicate). */
export function deckCloseReports(store: Store, limit = 64): { deckId: number; report: Uint8Array }[] {
  return store.db
    .select({ deckId: decks.deckId, report: decks.closeReport })
    .from(decks)
    .where(sql`${decks.closeReport} IS NOT NULL`)
    .limit(limit)
    .all()
    .flatMap((row) =>
      row.report === null ? [] : [{ deckId: row.deckId, report: new Uint8Array(row.report) }],
    );
}
