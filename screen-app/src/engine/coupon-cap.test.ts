// The local coupon cap (CampaignConfig.couponsPerWalletPerDay): the kiosk counts taps with a coupon and
// no cash as the cloud's settlement does, and withholds the fallback coupon once a wallet reached the
// cap, so the screen never shows a coupon the cloud refuses with CAP_CAMPAIGN_WALLET.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeTapToken, TapFlag, type CampaignConfig } from '@redtap/shared';
import {
  CAMPAIGN_ID,
  campaign,
  clock,
  deckBytes,
  FALLBACK_COUPON,
  hello,
  kiosk,
  screenConfig,
  T0,
  tap,
  tempDir,
} from '../../test/fixtures.ts';
import { getDeckState } from '../store/deck-queries.ts';
import type { Store } from '../store/open-store.ts';
import { getTap } from '../store/tap-queries.ts';
import { prizeView } from '../ui-api/tap-view.ts';
import type { TapEngine, TapPrize } from './tap-engine.ts';

let dir: { dir: string; cleanup: () => void };
let store: Store;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  store.close();
  dir.cleanup();
});

const titleOf = (campaignId: number, couponOfferId: number) =>
  campaignId === CAMPAIGN_ID && couponOfferId === FALLBACK_COUPON ? '¥2 off' : null;

async function prizeOf(engine: TapEngine, walletId = 1): Promise<TapPrize> {
  const result = await tap(engine, hello({ walletId }));
  if (!result.ok) throw new Error(result.code);
  return result.prize;
}

function tokenCoupon(prize: TapPrize): number | undefined {
  const token = decodeTapToken(prize.token);
  return token.ok ? token.value.couponOfferId : undefined;
}

function couponCount(walletId: number, campaignId: number): number[] {
  return store.sqlite
    .prepare('SELECT coupon_count FROM local_caps WHERE wallet_id = ? AND campaign_id = ? ORDER BY local_day')
    .pluck()
    .all(walletId, campaignId) as number[];
}

function configWith(overrides: Partial<CampaignConfig>) {
  return screenConfig({ campaigns: [campaign(overrides)] });
}

describe('local coupon cap', () => {
  it('past the cash cap gives the fallback coupon twice, then none, in the prize, token and view', async () => {
    const k = kiosk(dir.dir, {
      now: clock().now,
      config: configWith({ cashPerWalletPerDay: 1, couponsPerWalletPerDay: 2 }),
    });
    store = k.store;
    k.engine.storeDeck(deckBytes());
    const cash = await prizeOf(k.engine);
    expect(cash).toMatchObject({ amountFen: 120, couponOfferId: 0, localCap: false });

    const capped = [];
    for (let i = 0; i < 3; i++) capped.push(await prizeOf(k.engine));
    expect(capped.map((prize) => [prize.couponOfferId, tokenCoupon(prize), prize.flags])).toEqual([
      [FALLBACK_COUPON, FALLBACK_COUPON, TapFlag.localCap],
      [FALLBACK_COUPON, FALLBACK_COUPON, TapFlag.localCap],
      [0, 0, TapFlag.localCap],
    ]);
    expect(prizeView(1, capped[1] as TapPrize, titleOf)).toMatchObject({
      state: 'already-grabbed',
      couponTitle: '¥2 off',
    });
    // The third: "already grabbed" without the coupon chip, and an outbox row without a coupon.
    expect(prizeView(2, capped[2] as TapPrize, titleOf)).toEqual({
      state: 'already-grabbed',
      tapId: 2,
      counter: 4,
      couponTitle: null,
    });
    expect(getTap(store, 4)).toMatchObject({ amountFen: 0, couponOfferId: 0, envelopeIndex: null });
    // No envelope was used past the cash, and the withheld tap was not counted as a coupon.
    expect(getDeckState(store, 900)?.cursor).toBe(1);
    expect(couponCount(1, CAMPAIGN_ID)).toEqual([2]);
    // Another wallet has its own count.
    expect(await prizeOf(k.engine, 2)).toMatchObject({ amountFen: 35, couponOfferId: FALLBACK_COUPON });
  });

  it('with no main envelope left, gives the allotment coupon up to the cap, then a thank-you without one', async () => {
    const k = kiosk(dir.dir, { now: clock().now, config: configWith({ couponsPerWalletPerDay: 1 }) });
    store = k.store;
    k.engine.storeDeck(deckBytes({ envelopes: [] }));
    const first = await prizeOf(k.engine);
    const second = await prizeOf(k.engine);
    expect(first).toMatchObject({ couponOfferId: FALLBACK_COUPON, noDeck: true, flags: TapFlag.noDeck });
    expect(second).toMatchObject({ couponOfferId: 0, noDeck: true, flags: TapFlag.noDeck });
    expect(tokenCoupon(second)).toBe(0);
    expect(prizeView(2, second, titleOf)).toMatchObject({ state: 'thank-you', couponTitle: null });
  });

  it('a cap of 0 gives no fallback coupon at all', async () => {
    const k = kiosk(dir.dir, {
      now: clock().now,
      config: configWith({ cashPerWalletPerDay: 0, couponsPerWalletPerDay: 0 }),
    });
    store = k.store;
    k.engine.storeDeck(deckBytes());
    expect(await prizeOf(k.engine)).toMatchObject({ amountFen: 0, couponOfferId: 0, localCap: true });
    expect(couponCount(1, CAMPAIGN_ID)).toEqual([]);
  });

  it('rolls over at midnight in the screen’s time zone', async () => {
    const time = clock();
    const k = kiosk(dir.dir, {
      now: time.now,
      config: configWith({ cashPerWalletPerDay: 0, couponsPerWalletPerDay: 2 }),
    });
    store = k.store;
    k.engine.storeDeck(deckBytes({ validUntil: T0 + 2 * 86_400 }));
    const coupons = async () => (await prizeOf(k.engine)).couponOfferId;
    expect([await coupons(), await coupons(), await coupons()]).toEqual([
      FALLBACK_COUPON,
      FALLBACK_COUPON,
      0,
    ]);
    // T0 is 08:00 in Shanghai (00:00 UTC): the UTC day does not matter, Shanghai's midnight does.
    time.set(T0 + 16 * 3600 - 1);
    expect(await coupons()).toBe(0);
    time.set(T0 + 16 * 3600);
    expect([await coupons(), await coupons(), await coupons()]).toEqual([
      FALLBACK_COUPON,
      FALLBACK_COUPON,
      0,
    ]);
    expect(couponCount(1, CAMPAIGN_ID)).toEqual([2, 2]);
  });

  it('counts deck coupon-only envelopes, as the cloud does, and never withholds one', async () => {
    const k = kiosk(dir.dir, {
      now: clock().now,
      config: configWith({ cashPerWalletPerDay: 100, couponsPerWalletPerDay: 2 }),
    });
    store = k.store;
    k.engine.storeDeck(
      deckBytes({
        envelopes: [
          { amountFen: 0, couponOfferId: FALLBACK_COUPON },
          { amountFen: 0, couponOfferId: FALLBACK_COUPON },
          { amountFen: 0, couponOfferId: FALLBACK_COUPON },
          { amountFen: 50, couponOfferId: FALLBACK_COUPON },
        ],
      }),
    );
    const drawn = [];
    for (let i = 0; i < 5; i++) drawn.push(await prizeOf(k.engine));
    expect(drawn.map((prize) => [prize.envelopeIndex, prize.amountFen, prize.couponOfferId])).toEqual([
      [0, 0, FALLBACK_COUPON],
      [1, 0, FALLBACK_COUPON],
      // Past the coupon cap, but a deck envelope is the cloud's own draw: it is not capped.
      [2, 0, FALLBACK_COUPON],
      // Cash with a coupon counts as cash, not as a coupon.
      [3, 50, FALLBACK_COUPON],
      // The deck is empty: the fallback coupon is withheld, the wallet had 3 coupons today.
      [null, 0, 0],
    ]);
    expect(drawn[4]).toMatchObject({ noDeck: true });
    expect(couponCount(1, CAMPAIGN_ID)).toEqual([3]);
  });

  it('a deck coupon-only envelope uses up the coupon cap for the fallback coupon', async () => {
    const k = kiosk(dir.dir, {
      now: clock().now,
      config: configWith({ cashPerWalletPerDay: 1, couponsPerWalletPerDay: 1 }),
    });
    store = k.store;
    k.engine.storeDeck(
      deckBytes({
        envelopes: [
          { amountFen: 0, couponOfferId: FALLBACK_COUPON },
          { amountFen: 30, couponOfferId: 0 },
        ],
      }),
    );
    expect(await prizeOf(k.engine)).toMatchObject({ amountFen: 0, couponOfferId: FALLBACK_COUPON });
    expect(await prizeOf(k.engine)).toMatchObject({ amountFen: 30, couponOfferId: 0 });
    expect(await prizeOf(k.engine)).toMatchObject({ localCap: true, couponOfferId: 0 });
  });

  it('a config from before the cap gives the fallback coupon on every capped tap, as before', async () => {
    const config = configWith({ cashPerWalletPerDay: 0 });
    expect('couponsPerWalletPerDay' in (config.campaigns[0] ?? {})).toBe(false);
    const k = kiosk(dir.dir, { now: clock().now, config });
    store = k.store;
    k.engine.storeDeck(deckBytes({ fallbackCount: 8 }));
    for (let i = 0; i < 5; i++)
      expect(await prizeOf(k.engine)).toMatchObject({ couponOfferId: FALLBACK_COUPON, localCap: true });
    // Still counted, so a later config with the cap applies it to today's coupons.
    expect(couponCount(1, CAMPAIGN_ID)).toEqual([5]);
  });

  it('a dead fallback offer is neither given nor counted', async () => {
    const k = kiosk(dir.dir, {
      now: clock().now,
      config: configWith({
        cashPerWalletPerDay: 0,
        couponsPerWalletPerDay: 2,
        couponOffers: [{ couponOfferId: FALLBACK_COUPON, title: '¥2 off', valueFen: 200, validUntil: T0 }],
      }),
    });
    store = k.store;
    expect(await prizeOf(k.engine)).toMatchObject({ couponOfferId: 0, localCap: true });
    expect(couponCount(1, CAMPAIGN_ID)).toEqual([]);
  });

  it("with fall-through, a commuter capped on the showing campaign's coupons too gets another's coupon", async () => {
    const OTHER = 3;
    const OTHER_COUPON = 8;
    const config = screenConfig({
      campaigns: [
        campaign({ cashPerWalletPerDay: 0, couponsPerWalletPerDay: 1, fallThrough: true }),
        campaign({
          campaignId: OTHER,
          cashPerWalletPerDay: 0,
          couponsPerWalletPerDay: 1,
          fallbackCouponOfferId: OTHER_COUPON,
          couponOffers: [{ couponOfferId: OTHER_COUPON, title: 'Free noodles', valueFen: 900 }],
        }),
      ],
    });
    const k = kiosk(dir.dir, { now: clock().now, config, showingCampaignId: () => CAMPAIGN_ID });
    store = k.store;
    k.engine.storeDeck(deckBytes({ envelopes: [] }));
    k.engine.storeDeck(
      deckBytes({ deckId: 901, campaignId: OTHER, envelopes: [], fallbackCouponOfferId: OTHER_COUPON }),
    );
    const seen = [];
    for (let i = 0; i < 3; i++) {
      const prize = await prizeOf(k.engine);
      const token = decodeTapToken(prize.token);
      expect(token.ok && token.value.campaignId).toBe(prize.campaignId);
      seen.push([prize.campaignId, prize.couponOfferId]);
    }
    expect(seen).toEqual([
      [CAMPAIGN_ID, FALLBACK_COUPON],
      [OTHER, OTHER_COUPON],
      // Capped on both: the showing campaign's thank-you.
      [CAMPAIGN_ID, 0],
    ]);
  });
});
