// Prepared statements of the tap commit, the kiosk's hot path (docs/protocol.md §3.3). The engine runs
// them inside one IMMEDIATE transaction; preparing once keeps a tap to a handful of SQLite steps.
import { and, asc, eq, isNull, lt, sql } from 'drizzle-orm';
import { allotmentUsableAt, usableAt } from './deck-queries.ts';
import { deckBytes, decks, localCaps, tapCounter, taps } from './schema/index.ts';
import type { Store } from './open-store.ts';

/** Envelope bytes (docs/protocol.md §3.4); each deck row knows where its envelope 0 starts. */
const ENVELOPE_LENGTH = 8;
/**
 * Signed decks kept in memory for drawing. A deck's bytes never change once stored, and a kiosk draws
 * from a handful of decks at a time (one or two per campaign); 16 of the largest (512 KB) stay under 9 MB.
 */
const DECK_BYTES_CACHED_MAX = 16;

/** What the judge reads of a deck (docs/protocol.md §3.4), beside the envelope drawn. */
export interface DrawableDeckFacts {
  deckId: number;
  validFrom: number;
  validUntil: number;
  count: number;
  fallbackCount: number;
}

export interface DrawableDeck extends DrawableDeckFacts {
  cursor: number;
  /** The 8 bytes of envelope `cursor`: u32 amountFen, u32 couponOfferId. */
  envelope: Buffer;
}

/** The next slot of a deck's fallback-coupon allotment (docs/protocol.md §3.4). */
export interface DrawableFallbackSlot extends DrawableDeckFacts {
  /** Slots drawn so far in this deck: the compare-and-set value. */
  fallbackCursor: number;
  /** The slot's index among the deck's envelopes, as the token names it. */
  envelopeIndex: number;
  /** The slot's 8 bytes: u32 amountFen (0), u32 couponOfferId. */
  envelope: Buffer;
}

export interface TapRow {
  counter: number;
  token: Buffer;
  walletId: number;
  campaignId: number;
  amountFen: number;
  couponOfferId: number;
  deckId: number;
  envelopeIndex: number | null;
  flags: number;
  createdAt: number;
}

/** What a wallet had of one campaign on one local day on this screen (local_caps). */
export interface CapCounts {
  /** Cash packets. */
  cash: number;
  /** Taps with amountFen 0 and a coupon: the cloud's coupon tally (docs/protocol.md §5.5). */
  coupons: number;
}

const NO_COUNTS: CapCounts = Object.freeze({ cash: 0, coupons: 0 });

/** Offset of a token's `ts` (docs/protocol.md §3.3); SQLite's substr() counts from 1. */
const TOKEN_TS_OFFSET = 13;

export interface TapCommitQueries {
  lastCommitted(): number | undefined;
  /** The deck to draw from: the usable deck of the campaign that expires first. */
  drawableDeck(campaignId: number, ts: number): DrawableDeck | undefined;
  capCounts(walletId: number, campaignId: number, localDay: string): CapCounts;
  /** What this screen gave a wallet on one local day, per campaign. */
  capCountsOfDay(walletId: number, localDay: string): { campaignId: number; cash: number; coupons: number }[];
  /** The `ts` of a committed tap still in the store, or null. */
  tapTs(counter: number): number | null;
  insertTap(row: TapRow): void;
  /** Compare-and-set; false when the counter moved under us. */
  advanceCounter(previous: number, next: number): boolean;
  /** Compare-and-set on the cursor; false when the envelope was drawn already. */
  advanceDeck(deckId: number, cursor: number): boolean;
  /** The allotment slot to give the fallback coupon from: of the usable deck that expires first. */
  drawableFallbackSlot(campaignId: number, ts: number): DrawableFallbackSlot | undefined;
  /** Compare-and-set on the allotment cursor; false when the slot was drawn already. */
  advanceFallback(deckId: number, fallbackCursor: number): boolean;
  /** Campaigns that have a usable deck at `ts`. */
  campaignsWithUsableDeck(ts: number): Set<number>;
  countCash(walletId: number, campaignId: number, localDay: string): void;
  countCoupon(walletId: number, campaignId: number, localDay: string): void;
  transaction<T>(body: () => T): T;
}

export function prepareTapCommitQueries(store: Store): TapCommitQueries {
  const { db } = store;
  const p = sql.placeholder;

  const lastCommitted = db
    .select({ value: tapCounter.lastCommitted })
    .from(tapCounter)
    .where(eq(tapCounter.id, 1))
    .prepare();

  const deckFacts = {
    deckId: decks.deckId,
    validFrom: decks.validFrom,
    validUntil: decks.validUntil,
    count: decks.count,
    fallbackCount: decks.fallbackCount,
  };
  const drawableDeck = db
    .select({ ...deckFacts, cursor: decks.cursor, envelopesOffset: decks.envelopesOffset })
    .from(decks)
    .where(and(eq(decks.campaignId, p('campaignId')), usableAt(p('ts'))))
    .orderBy(asc(decks.validUntil), asc(decks.deckId))
    .limit(1)
    .prepare();

  const campaignsWithDeck = db
    .selectDistinct({ campaignId: decks.campaignId })
    .from(decks)
    .where(usableAt(p('ts')))
    .prepare();

  const storedDeckBytes = db
    .select({ bytes: deckBytes.bytes })
    .from(deckBytes)
    .where(eq(deckBytes.deckId, p('deckId')))
    .prepare();
  const deckBytesCache = new Map<number, Buffer>();
  const envelopeAt = (deckId: number, envelopesOffset: number, index: number): Buffer => {
    let bytes = deckBytesCache.get(deckId);
    if (bytes === undefined) {
      bytes = storedDeckBytes.get({ deckId })?.bytes;
      if (bytes === undefined) throw new Error(`deck ${deckId} has no stored bytes`);
      // Oldest first out: Map keeps insertion order.
      if (deckBytesCache.size >= DECK_BYTES_CACHED_MAX) {
        const oldest = deckBytesCache.keys().next().value;
        if (oldest !== undefined) deckBytesCache.delete(oldest);
      }
      deckBytesCache.set(deckId, bytes);
    }
    const start = envelopesOffset + ENVELOPE_LENGTH * index;
    return bytes.subarray(start, start + ENVELOPE_LENGTH);
  };

  const slotIndex = sql<number>`${decks.count} - ${decks.fallbackCount} + ${decks.fallbackCursor}`;
  const drawableFallbackSlot = db
    .select({
      ...deckFacts,
      fallbackCursor: decks.fallbackCursor,
      envelopeIndex: slotIndex,
      envelopesOffset: decks.envelopesOffset,
    })
    .from(decks)
    .where(and(eq(decks.campaignId, p('campaignId')), allotmentUsableAt(p('ts'))))
    .orderBy(asc(decks.validUntil), asc(decks.deckId))
    .limit(1)
    .prepare();

  const capKey = and(
    eq(localCaps.walletId, p('walletId')),
    eq(localCaps.campaignId, p('campaignId')),
    eq(localCaps.localDay, p('localDay')),
  );
  const capCounts = db
    .select({ cash: localCaps.cashCount, coupons: localCaps.couponCount })
    .from(localCaps)
    .where(capKey)
    .prepare();

  const capCountsOfDay = db
    .select({ campaignId: localCaps.campaignId, cash: localCaps.cashCount, coupons: localCaps.couponCount })
    .from(localCaps)
    .where(and(eq(localCaps.walletId, p('walletId')), eq(localCaps.localDay, p('localDay'))))
    .prepare();

  const tapTs = db
    .select({ ts: sql<Buffer>`substr(${taps.token}, ${TOKEN_TS_OFFSET + 1}, 4)` })
    .from(taps)
    .where(eq(taps.counter, p('counter')))
    .prepare();

  const insertTap = db
    .insert(taps)
    .values({
      counter: p('counter'),
      token: p('token'),
      walletId: p('walletId'),
      campaignId: p('campaignId'),
      amountFen: p('amountFen'),
      couponOfferId: p('couponOfferId'),
      deckId: p('deckId'),
      envelopeIndex: p('envelopeIndex'),
      flags: p('flags'),
      createdAt: p('createdAt'),
      state: 'pending',
    })
    .prepare();

  const advanceCounter = db
    .update(tapCounter)
    .set({ lastCommitted: sql`${p('next')}` })
    .where(and(eq(tapCounter.id, 1), eq(tapCounter.lastCommitted, p('previous'))))
    .prepare();

  const advanceDeck = db
    .update(decks)
    .set({ cursor: sql`${decks.cursor} + 1` })
    .where(and(eq(decks.deckId, p('deckId')), eq(decks.cursor, p('cursor')), isNull(decks.closedAt)))
    .prepare();

  const advanceFallback = db
    .update(decks)
    .set({ fallbackCursor: sql`${decks.fallbackCursor} + 1` })
    .where(
      and(
        eq(decks.deckId, p('deckId')),
        eq(decks.fallbackCursor, p('fallbackCursor')),
        lt(decks.fallbackCursor, decks.fallbackCount),
        isNull(decks.closedAt),
      ),
    )
    .prepare();

  const countCash = db
    .insert(localCaps)
    .values({
      walletId: p('walletId'),
      campaignId: p('campaignId'),
      localDay: p('localDay'),
      cashCount: 1,
    })
    .onConflictDoUpdate({
      target: [localCaps.walletId, localCaps.campaignId, localCaps.localDay],
      set: { cashCount: sql`${localCaps.cashCount} + 1` },
    })
    .prepare();

  const countCoupon = db
    .insert(localCaps)
    .values({
      walletId: p('walletId'),
      campaignId: p('campaignId'),
      localDay: p('localDay'),
      cashCount: 0,
      couponCount: 1,
    })
    .onConflictDoUpdate({
      target: [localCaps.walletId, localCaps.campaignId, localCaps.localDay],
      set: { couponCount: sql`${localCaps.couponCount} + 1` },
    })
    .prepare();

  // IMMEDIATE takes the write lock up front, so the counter read and the insert can never interleave
  // with another connection's commit.
  const transaction = store.sqlite.transaction((body: () => unknown) => body());

  return {
    lastCommitted: () => lastCommitted.get()?.value,
    drawableDeck: (campaignId, ts) => {
      const row = drawableDeck.get({ campaignId, ts });
      if (row === undefined) return undefined;
      const { envelopesOffset, ...deck } = row;
      return { ...deck, envelope: envelopeAt(deck.deckId, envelopesOffset, deck.cursor) };
    },
    capCounts: (walletId, campaignId, localDay) =>
      capCounts.get({ walletId, campaignId, localDay }) ?? NO_COUNTS,
    capCountsOfDay: (walletId, localDay) => capCountsOfDay.all({ walletId, localDay }),
    tapTs: (counter) => {
      const bytes = tapTs.get({ counter })?.ts;
      return bytes?.length === 4 ? bytes.readUInt32BE(0) : null;
    },
    insertTap: (row) => {
      insertTap.run({ ...row });
    },
    advanceCounter: (previous, next) => advanceCounter.run({ previous, next }).changes === 1,
    advanceDeck: (deckId, cursor) => advanceDeck.run({ deckId, cursor }).changes === 1,
    drawableFallbackSlot: (campaignId, ts) => {
      const row = drawableFallbackSlot.get({ campaignId, ts });
      if (row === undefined) return undefined;
      const { envelopesOffset, ...slot } = row;
      return { ...slot, envelope: envelopeAt(slot.deckId, envelopesOffset, slot.envelopeIndex) };
    },
    campaignsWithUsableDeck: (ts) => new Set(campaignsWithDeck.all({ ts }).map((row) => row.campaignId)),
    advanceFallback: (deckId, fallbackCursor) =>
      advanceFallback.run({ deckId, fallbackCursor }).changes === 1,
    countCash: (walletId, campaignId, localDay) => {
      countCash.run({ walletId, campaignId, localDay });
    },
    countCoupon: (walletId, campaignId, localDay) => {
      countCoupon.run({ walletId, campaignId, localDay });
    },
    transaction: <T>(body: () => T) => transaction.immediate(body) as T,
  };
}
