// Envelope decks at rest: intake, levels for heartbeats, and expiry/close bookkeeping. A deck has two
// cursors (docs/protocol.md §3.4): the main envelopes, and its fallback-coupon allotment.
import { and, asc, eq, gte, isNull, lt, lte, sql, type Placeholder } from 'drizzle-orm';
import { bytesEqual, deckEnvelopesOffset, SIGNATURE_LENGTH, type Deck } from '@redtap/shared';
import { deckBytes, decks } from './schema/index.ts';
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
        .select({ bytes: deckBytes.bytes })
        .from(deckBytes)
        .where(eq(deckBytes.deckId, deck.deckId))
        .get();
      // ECDSA signatures are randomised, so a re-signed copy of the same deck differs only in its last
      // 64 bytes: the signed content decides whether it is the same deck.
      if (existing !== undefined)
        return bytesEqual(signedPart(existing.bytes), signedPart(bytes)) ? 'duplicate' : 'conflict';
      tx.insert(decks)
        .values({
          deckId: deck.deckId,
          campaignId: deck.campaignId,
          envelopesOffset: deckEnvelopesOffset(deck.version),
          validFrom: deck.validFrom,
          validUntil: deck.validUntil,
          count: deck.envelopes.length,
          fallbackCount: deck.fallbackCount,
          cursor: 0,
          fallbackCursor: 0,
          storedAt: now,
        })
        .run();
      tx.insert(deckBytes)
        .values({ deckId: deck.deckId, bytes: Buffer.from(bytes) })
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
  /** Every envelope, the allotment included. */
  count: number;
  /** The allotment: the last fallbackCount envelopes. */
  fallbackCount: number;
  /** Main envelopes drawn (below count − fallbackCount). */
  cursor: number;
  /** Allotment slots drawn. */
  fallbackCursor: number;
  closedAt: number | null;
}

const deckStateColumns = {
  deckId: decks.deckId,
  campaignId: decks.campaignId,
  validFrom: decks.validFrom,
  validUntil: decks.validUntil,
  count: decks.count,
  fallbackCount: decks.fallbackCount,
  cursor: decks.cursor,
  fallbackCursor: decks.fallbackCursor,
  closedAt: decks.closedAt,
};

/** Main envelopes left. */
export function mainRemaining(deck: DeckState): number {
  return deck.count - deck.fallbackCount - deck.cursor;
}

/** Allotment slots left. */
export function fallbackRemaining(deck: DeckState): number {
  return deck.fallbackCount - deck.fallbackCursor;
}

export function getDeckState(store: Store, deckId: number): DeckState | null {
  return store.db.select(deckStateColumns).from(decks).where(eq(decks.deckId, deckId)).get() ?? null;
}

/**
 * Decks a tap at `ts` may draw a main envelope from: open, in their validity window, with some left.
 * `ts` may be a placeholder, for the tap path's prepared statements (tap-commit-queries.ts).
 */
export function usableAt(ts: number | Placeholder) {
  return and(
    isNull(decks.closedAt),
    lt(decks.cursor, sql`${decks.count} - ${decks.fallbackCount}`),
    lte(decks.validFrom, ts),
    gte(decks.validUntil, ts),
  );
}

/** Decks a tap at `ts` may draw an allotment slot from. */
export function allotmentUsableAt(ts: number | Placeholder) {
  return and(
    isNull(decks.closedAt),
    lt(decks.fallbackCursor, decks.fallbackCount),
    lte(decks.validFrom, ts),
    gte(decks.validUntil, ts),
  );
}

/** Campaigns with an allotment slot left at `ts`: where the fallback coupon can still be given. */
export function campaignsWithAllotment(store: Store, ts: number): Set<number> {
  const rows = store.db
    .selectDistinct({ campaignId: decks.campaignId })
    .from(decks)
    .where(allotmentUsableAt(ts))
    .all();
  return new Set(rows.map((row) => row.campaignId));
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
 * Marks a deck closed with its signed report, but only if its cursors are still `usedCount` and
 * `fallbackUsedCount`: a tap that drew in between would make the report understate what was used.
 */
export function markDeckClosed(
  store: Store,
  deckId: number,
  used: { usedCount: number; fallbackUsedCount: number },
  now: number,
  report: Uint8Array,
): boolean {
  const changes = store.db
    .update(decks)
    .set({ closedAt: now, closeReport: Buffer.from(report) })
    .where(
      and(
        eq(decks.deckId, deckId),
        eq(decks.cursor, used.usedCount),
        eq(decks.fallbackCursor, used.fallbackUsedCount),
        isNull(decks.closedAt),
      ),
    )
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
