// The power-loss loop's world and its checker: one enrolled kiosk store with a large deck and tight
// local caps, and the invariants a store must satisfy after any SIGKILL (docs/reliability.md).
import { createHash } from 'node:crypto';
import { decodeTapToken, ENVELOPE_INDEX_NONE, TapFlag, verifyTapTokenSignature } from '@redtap/shared';
import { localDayIn } from '../../src/engine/local-day.ts';
import { getDeckState } from '../../src/store/deck-queries.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { lastCommittedCounter } from '../../src/store/tap-queries.ts';
import {
  campaign,
  CAMPAIGN_ID,
  deckBytes,
  enrolStore,
  engineFor,
  FALLBACK_COUPON,
  keys,
  screenConfig,
  T0,
} from '../fixtures.ts';

export const WALLETS = 8;
export const CASH_PER_WALLET_PER_DAY = 2;
export const COUPONS_PER_WALLET_PER_DAY = 1;
export const DECK_ID = 900;
export const DECK_SIZE = 20_000;
/** The deck's fallback-coupon allotment (docs/protocol.md §3.4): slots DECK_SIZE … DECK_SIZE + ALLOTMENT − 1. */
export const ALLOTMENT = 5_000;
/** Kiosk seconds per committed tap: 60 taps per local day, so days (and caps) roll over in a run. */
export const TAP_SPACING_S = 1_440;
const TIMEZONE = 'Asia/Shanghai';

/** The kiosk clock as a function of the counter the next tap will get. */
export function durabilityClock(nextCounter: number): number {
  return T0 + TAP_SPACING_S * nextCounter;
}

/** Creates the store the children share: enrolled, configured, one deck of DECK_SIZE envelopes. */
export function createDurabilityStore(path: string): void {
  const store = openStore({ path });
  try {
    enrolStore(
      store,
      screenConfig({
        timezone: TIMEZONE,
        campaigns: [
          campaign({
            cashPerWalletPerDay: CASH_PER_WALLET_PER_DAY,
            couponsPerWalletPerDay: COUPONS_PER_WALLET_PER_DAY,
          }),
        ],
      }),
    );
    const receipt = engineFor(store).storeDeck(
      deckBytes({
        deckId: DECK_ID,
        validUntil: T0 + 400 * 86_400,
        envelopes: Array.from({ length: DECK_SIZE }, (_, i) => ({
          amountFen: 1 + (i % 97),
          couponOfferId: i % 5 === 0 ? 5 : 0,
        })),
        fallbackCount: ALLOTMENT,
      }),
    );
    if (receipt.status !== 'stored') throw new Error(`deck refused: ${receipt.code ?? ''}`);
  } finally {
    store.close();
  }
}

export interface ShownPrize {
  counter: number;
  tokenSha256: string;
}

interface TapRowRaw {
  counter: number;
  token: Buffer;
  walletId: number;
  campaignId: number;
  amountFen: number;
  couponOfferId: number;
  deckId: number;
  envelopeIndex: number | null;
  flags: number;
}

/**
 * Checks a store after a kill. Incremental: rows already verified are only re-counted, so checking after
 * hundreds of kills stays cheap. Throws with the first violation.
 */
export class DurabilityChecker {
  /** Counter of the last row whose token was decoded and verified. */
  private verifiedUpTo = 0;
  private nextEnvelope = 0;
  /** Allotment slots drawn, in order among themselves. */
  private nextSlot = 0;
  private readonly cashTally = new Map<string, number>();
  private readonly couponTally = new Map<string, number>();
  private readonly hashes = new Map<number, string>();
  private readonly shownCounters = new Set<number>();
  private readonly localDay = localDayIn(TIMEZONE);
  readonly totals = { rows: 0, cash: 0, capped: 0, coupons: 0, withheld: 0, shown: 0 };

  check(path: string, shown: readonly ShownPrize[]): void {
    const store = openStore({ path });
    try {
      this.checkStore(store, shown);
    } finally {
      store.close();
    }
  }

  private checkStore(store: Store, shown: readonly ShownPrize[]): void {
    const last = lastCommittedCounter(store);
    // Counters are exactly 1..N: as many rows as the counter row says, none outside the range.
    const span = store.sqlite
      .prepare('SELECT count(*) AS n, min(counter) AS lo, max(counter) AS hi FROM taps')
      .get() as { n: number; lo: number | null; hi: number | null };
    if (span.n !== last || (last > 0 && (span.lo !== 1 || span.hi !== last)))
      throw new Error(`counters not gapless: counter row ${last}, rows ${JSON.stringify(span)}`);
    if (last < this.verifiedUpTo)
      throw new Error(`counter went back from ${this.verifiedUpTo} to ${last}: committed taps lost`);

    const rows = store.sqlite
      .prepare(
        `SELECT counter, token, wallet_id AS walletId, campaign_id AS campaignId, amount_fen AS amountFen,
                coupon_offer_id AS couponOfferId, deck_id AS deckId, envelope_index AS envelopeIndex, flags
           FROM taps WHERE counter > ? ORDER BY counter`,
      )
      .all(this.verifiedUpTo) as TapRowRaw[];
    for (const row of rows) this.checkRow(row);

    // Every prize ever shown is on disk with exactly the token the phone received, and no counter was
    // shown twice (a repeat would mean a counter was reused after a crash).
    for (const prize of shown) {
      if (this.shownCounters.has(prize.counter)) throw new Error(`counter ${prize.counter} shown twice`);
      this.shownCounters.add(prize.counter);
      const stored = this.hashes.get(prize.counter);
      if (stored === undefined) throw new Error(`shown prize ${prize.counter} has no stored token`);
      if (stored !== prize.tokenSha256)
        throw new Error(`shown prize ${prize.counter} differs from its token`);
    }
    this.totals.shown = this.shownCounters.size;

    const deck = getDeckState(store, DECK_ID);
    if (deck?.cursor !== this.nextEnvelope)
      throw new Error(`deck cursor ${String(deck?.cursor)} but ${this.nextEnvelope} envelopes in tokens`);
    if (deck.fallbackCursor !== this.nextSlot)
      throw new Error(`allotment cursor ${deck.fallbackCursor} but ${this.nextSlot} slots in tokens`);

    const caps = store.sqlite
      .prepare(
        `SELECT wallet_id AS w, campaign_id AS c, local_day AS d, cash_count AS cash, coupon_count AS coupons
           FROM local_caps`,
      )
      .all() as { w: number; c: number; d: string; cash: number; coupons: number }[];
    const onDisk = new Map(caps.map((cap) => [`${cap.w}|${cap.c}|${cap.d}`, cap]));
    const keys = new Set([...this.cashTally.keys(), ...this.couponTally.keys()]);
    if (onDisk.size !== keys.size)
      throw new Error(`local caps: ${onDisk.size} rows on disk, ${keys.size} from tokens`);
    for (const key of keys) {
      const expected = { cash: this.cashTally.get(key) ?? 0, coupons: this.couponTally.get(key) ?? 0 };
      const disk = onDisk.get(key);
      if (disk?.cash !== expected.cash || disk.coupons !== expected.coupons)
        throw new Error(
          `local cap ${key}: ${JSON.stringify(disk)} on disk, ${JSON.stringify(expected)} from tokens`,
        );
    }
  }

  private checkRow(row: TapRowRaw): void {
    if (row.counter !== this.verifiedUpTo + 1)
      throw new Error(`row ${row.counter} after ${this.verifiedUpTo}`);
    const token = decodeTapToken(new Uint8Array(row.token));
    if (!token.ok) throw new Error(`token ${row.counter} does not decode: ${token.code}`);
    if (!verifyTapTokenSignature(new Uint8Array(row.token), keys.screen.publicKey))
      throw new Error(`token ${row.counter} signature does not verify`);
    const t = token.value;
    const index = row.envelopeIndex ?? ENVELOPE_INDEX_NONE;
    if (
      t.counter !== row.counter ||
      t.walletId !== row.walletId ||
      t.campaignId !== row.campaignId ||
      t.amountFen !== row.amountFen ||
      t.couponOfferId !== row.couponOfferId ||
      t.deckId !== row.deckId ||
      t.envelopeIndex !== index ||
      t.flags !== row.flags
    )
      throw new Error(`row ${row.counter} columns disagree with its token`);
    if (t.campaignId !== CAMPAIGN_ID) throw new Error(`row ${row.counter} names campaign ${t.campaignId}`);

    // Envelopes are drawn strictly in order, one per cash tap, none twice; the allotment's slots
    // likewise among themselves, one per fallback coupon.
    const slot = row.envelopeIndex !== null && row.envelopeIndex >= DECK_SIZE;
    if (row.envelopeIndex !== null) {
      const expected = slot ? DECK_SIZE + this.nextSlot : this.nextEnvelope;
      if (row.deckId !== DECK_ID || row.envelopeIndex !== expected)
        throw new Error(`row ${row.counter} drew ${row.deckId}/${row.envelopeIndex}, expected ${expected}`);
      if (slot) this.nextSlot += 1;
      else this.nextEnvelope += 1;
    }
    // The local cap: cash only below the day's limit, localCap exactly when the limit was reached.
    const key = `${t.walletId}|${t.campaignId}|${this.localDay(t.ts)}`;
    const before = this.cashTally.get(key) ?? 0;
    const capped = (t.flags & TapFlag.localCap) !== 0;
    if (capped !== before >= CASH_PER_WALLET_PER_DAY)
      throw new Error(`row ${row.counter}: localCap ${capped} with ${before} cash taps that day`);
    if (row.envelopeIndex !== null && t.amountFen > 0) {
      this.cashTally.set(key, before + 1);
      this.totals.cash += 1;
    }
    if (capped) this.totals.capped += 1;
    // The coupon cap: a fallback coupon only below the day's limit, counted as the cloud counts it.
    const coupons = this.couponTally.get(key) ?? 0;
    if (row.envelopeIndex === null || slot) {
      // A slot row already took its slot; a row without one had none left only when all were drawn.
      const slotAvailable = slot || this.nextSlot < ALLOTMENT;
      const expected = coupons < COUPONS_PER_WALLET_PER_DAY && slotAvailable ? FALLBACK_COUPON : 0;
      if (t.couponOfferId !== expected)
        throw new Error(`row ${row.counter}: coupon ${t.couponOfferId} with ${coupons} coupons that day`);
      if (expected === 0) this.totals.withheld += 1;
    }
    if (t.amountFen === 0 && t.couponOfferId !== 0) {
      this.couponTally.set(key, coupons + 1);
      this.totals.coupons += 1;
    }
    this.hashes.set(row.counter, createHash('sha256').update(row.token).digest('hex'));
    this.verifiedUpTo = row.counter;
    this.totals.rows = row.counter;
  }
}
