import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, generateKeyPair, verifyDeckCloseSignature, decodeDeckClose } from '@redtap/shared';
import { deckBytes, keys, kiosk, SCREEN_ID, T0, tap, tempDir } from '../../test/fixtures.ts';
import { KioskCode } from '../codes.ts';
import type { TapEngine } from '../engine/tap-engine.ts';
import { getDeckState } from '../store/deck-queries.ts';
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
      { deckId: 900, campaignId: 12, remaining: 3, count: 4, validUntil: T0 + 100 },
    ]);
    expect(campaignsNeedingRefill(store, [12], 10, T0)).toEqual([{ campaignId: 12, remaining: 3 }]);
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
    expect(decoded.ok && decoded.value).toMatchObject({ deckId: 900, screenId: SCREEN_ID, usedCount: 1 });
    expect(getDeckState(store, 900)?.closedAt).toBe(T0 + 101);
    expect(
      closeExpiredDecks({ store, screenId: SCREEN_ID, screenKey: keys.screen.privateKey, now: T0 + 200 }),
    ).toEqual([]);
    expect(deckLevels(store, T0)).toEqual([]);
  });
});
