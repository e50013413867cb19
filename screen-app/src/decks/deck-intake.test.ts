import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  decodeDeckClose,
  decodeTapToken,
  ErrorCode,
  generateKeyPair,
  verifyDeckCloseSignature,
} from '@redtap/shared';
import {
  deckBytes,
  FALLBACK_COUPON,
  hello,
  keys,
  kiosk,
  SCREEN_ID,
  T0,
  tap,
  tempDir,
} from '../../test/fixtures.ts';
import { KioskCode } from '../codes.ts';
import type { TapEngine } from '../engine/tap-engine.ts';
import { getDeckState, markDeckClosed } from '../store/deck-queries.ts';
import type { Store } from '../store/open-store.ts';
import { campaignsNeedingRefill, closeExpiredDecks, deckLevels } from './deck-levels.ts';

let dir: ReturnType<typeof tempDir>;
let store: Store;
let engine: TapEngine;
beforeEach(() => {
  dir = tempDir();
  ({ store, engine } = kiosk(dir.dir, { now: () => T0 }));
});
afterEach(() => {
  store.close();
  dir.cleanup();
});

describe('storeDeck', () => {
  it('stores a deck once; a redelivery keeps the cursor; a different deck under the same id is refused', async () => {
    expect(engine.storeDeck(deckBytes())).toEqual({ deckId: 900, status: 'stored' });
    await tap(engine);
    expect(engine.storeDeck(deckBytes())).toEqual({ deckId: 900, status: 'stored' });
    expect(getDeckState(store, 900)?.cursor).toBe(1);
    const other = deckBytes({ envelopes: [{ amountFen: 9999, couponOfferId: 0 }] });
    expect(engine.storeDeck(other)).toMatchObject({ status: 'rejected', code: KioskCode.DECK_CONFLICT });
  });

  it.each([
    ['a forged signature', () => deckBytes({ issuer: generateKeyPair() }), KioskCode.DECK_SIGNATURE_INVALID],
    ['another screen', () => deckBytes({ screenId: SCREEN_ID + 1 }), ErrorCode.DECK_WRONG_SCREEN],
    ['an unknown issuer key', () => deckBytes({ issuerKeyId: 7 }), KioskCode.DECK_ISSUER_UNKNOWN],
    ['an expired deck', () => deckBytes({ validFrom: T0 - 100, validUntil: T0 - 1 }), ErrorCode.DECK_EXPIRED],
    ['truncated bytes', () => deckBytes().subarray(0, 40), ErrorCode.TRUNCATED],
  ])('rejects %s', (_name, make, code) => {
    expect(engine.storeDeck(make())).toMatchObject({ status: 'rejected', code });
    expect(getDeckState(store, 900)).toBeNull();
  });

  it('rejects a tampered envelope', () => {
    const bytes = deckBytes();
    bytes[34] = (bytes[34] ?? 0) ^ 0xff;
    expect(engine.storeDeck(bytes)).toMatchObject({
      status: 'rejected',
      code: KioskCode.DECK_SIGNATURE_INVALID,
    });
  });

  it('never throws on random bytes', () => {
    for (let i = 0; i < 500; i++) {
      const random = new Uint8Array(Math.floor(Math.random() * 200)).map(() =>
        Math.floor(Math.random() * 256),
      );
      expect(engine.storeDeck(random).status).toBe('rejected');
    }
  });
});

describe('deck levels', () => {
  it('reports remaining envelopes, refill needs and closes expired decks with a signed report', async () => {
    engine.storeDeck(deckBytes({ deckId: 900, validUntil: T0 + 100 }));
    await tap(engine);
    expect(deckLevels(store, T0)).toEqual([
      {
        deckId: 900,
        campaignId: 12,
        remaining: 3,
        count: 4,
        validUntil: T0 + 100,
        fallbackCount: 4,
        fallbackRemaining: 4,
      },
    ]);
    expect(campaignsNeedingRefill(store, [12], 10, T0)).toEqual([
      { campaignId: 12, remaining: 3, fallbackRemaining: 4 },
    ]);
    expect(campaignsNeedingRefill(store, [12], 3, T0)).toEqual([]);

    const reports = closeExpiredDecks({
      store,
      screenId: SCREEN_ID,
      screenKey: keys.screen.privateKey,
      now: T0 + 101,
    });
    expect(reports).toHaveLength(1);
    const report = reports[0]?.report ?? new Uint8Array(0);
    expect(verifyDeckCloseSignature(report, keys.screen.publicKey)).toBe(true);
    const decoded = decodeDeckClose(report);
    expect(decoded.ok && decoded.value).toMatchObject({
      version: 2,
      deckId: 900,
      screenId: SCREEN_ID,
      usedCount: 1,
      fallbackUsedCount: 0,
    });
    expect(getDeckState(store, 900)?.closedAt).toBe(T0 + 101);
    expect(
      closeExpiredDecks({ store, screenId: SCREEN_ID, screenKey: keys.screen.privateKey, now: T0 + 200 }),
    ).toEqual([]);
    expect(deckLevels(store, T0)).toEqual([]);
  });
});

describe('the fallback-coupon allotment', () => {
  // Wallet 1 has the campaign's one cash packet after its first tap; every later tap of it is capped.
  async function cappedTaps(n: number) {
    const prizes = [];
    for (let i = 0; i < n; i++) {
      const result = await tap(engine, hello({ walletId: 1 }));
      if (!result.ok) throw new Error(result.code);
      prizes.push(result.prize);
    }
    return prizes;
  }

  it('stores a version 1 deck without an allotment: its envelopes drawn, no fallback coupon given', async () => {
    const v1 = deckBytes({ fallbackCount: 0 });
    expect(v1[0]).toBe(1);
    expect(engine.storeDeck(v1)).toEqual({ deckId: 900, status: 'stored' });
    expect(getDeckState(store, 900)).toMatchObject({
      count: 4,
      fallbackCount: 0,
      cursor: 0,
      fallbackCursor: 0,
    });
    const [cash, capped] = await cappedTaps(2);
    expect(cash).toMatchObject({ amountFen: 120, deckId: 900, envelopeIndex: 0 });
    expect(capped).toMatchObject({ amountFen: 0, couponOfferId: 0, localCap: true, envelopeIndex: null });
  });

  it('stores a version 2 deck and draws its allotment with its own cursor, in order, until none is left', async () => {
    const v2 = deckBytes({ fallbackCount: 2 });
    expect(v2[0]).toBe(2);
    expect(engine.storeDeck(v2)).toEqual({ deckId: 900, status: 'stored' });
    const prizes = await cappedTaps(4);
    expect(prizes.map((p) => [p.deckId, p.envelopeIndex, p.amountFen, p.couponOfferId])).toEqual([
      [900, 0, 120, 0],
      // Slots are envelopes 4 and 5, after the 4 main envelopes; each token names its slot.
      [900, 4, 0, FALLBACK_COUPON],
      [900, 5, 0, FALLBACK_COUPON],
      // The allotment is used up: no fallback coupon, however the caps stand.
      [0, null, 0, 0],
    ]);
    for (const [index, prize] of prizes.slice(1, 3).entries()) {
      const token = decodeTapToken(prize.token);
      expect(token.ok && token.value).toMatchObject({
        deckId: 900,
        envelopeIndex: 4 + index,
        amountFen: 0,
        couponOfferId: FALLBACK_COUPON,
      });
    }
    // The main cursor is untouched by the allotment, and another wallet still gets cash in order.
    expect(getDeckState(store, 900)).toMatchObject({ cursor: 1, fallbackCursor: 2 });
    const other = await tap(engine, hello({ walletId: 2 }));
    expect(other.ok && other.prize).toMatchObject({ amountFen: 35, envelopeIndex: 1 });
    // A used-up allotment asks for a refill though main envelopes are left.
    expect(campaignsNeedingRefill(store, [12], 1, T0)).toEqual([
      { campaignId: 12, remaining: 2, fallbackRemaining: 0 },
    ]);
  });

  it('closes a deck with a report of both cursors, and only if neither moved', async () => {
    engine.storeDeck(deckBytes({ fallbackCount: 3, validUntil: T0 + 100 }));
    await cappedTaps(3);
    expect(getDeckState(store, 900)).toMatchObject({ cursor: 1, fallbackCursor: 2 });
    const now = T0 + 101;
    // A report made before the last allotment draw would understate it: the close does not take it.
    const stale = { usedCount: 1, fallbackUsedCount: 1 };
    expect(markDeckClosed(store, 900, stale, now, new Uint8Array(1))).toBe(false);
    expect(getDeckState(store, 900)?.closedAt).toBeNull();
    const [closed] = closeExpiredDecks({
      store,
      screenId: SCREEN_ID,
      screenKey: keys.screen.privateKey,
      now,
    });
    const decoded = decodeDeckClose(closed?.report ?? new Uint8Array(0));
    expect(decoded.ok && decoded.value).toMatchObject({ version: 2, usedCount: 1, fallbackUsedCount: 2 });
    expect(getDeckState(store, 900)?.closedAt).toBe(now);
  });

  it('refuses the allotment slot of a closed deck', async () => {
    engine.storeDeck(deckBytes({ fallbackCount: 2 }));
    await cappedTaps(1);
    store.sqlite.prepare('UPDATE decks SET closed_at = ? WHERE deck_id = 900').run(T0);
    const [capped] = await cappedTaps(1);
    expect(capped).toMatchObject({ couponOfferId: 0, envelopeIndex: null });
    expect(getDeckState(store, 900)?.fallbackCursor).toBe(0);
  });
});
