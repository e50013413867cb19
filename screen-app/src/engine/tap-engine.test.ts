import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  decodeTapToken,
  ErrorCode,
  generateKeyPair,
  TapFlag,
  tokenChallengeBytes,
  verifyTapTokenSignature,
  decodeChallenge,
} from '@redtap/shared';
import { KioskCode } from '../codes.ts';
import { getDeckState } from '../store/deck-queries.ts';
import { openStore, type Store } from '../store/open-store.ts';
import { backlogCount, getTap, lastCommittedCounter } from '../store/tap-queries.ts';
import type { StartTimer } from './tap-lease.ts';
import {
  CAMPAIGN_ID,
  campaign,
  clock,
  deckBytes,
  enrolStore,
  engineFor,
  FALLBACK_COUPON,
  hello,
  keys,
  kiosk,
  phoneSign,
  screenConfig,
  SCREEN_ID,
  T0,
  tap,
  tempDir,
} from '../../test/fixtures.ts';
import { join } from 'node:path';

let dir: { dir: string; cleanup: () => void };
let store: Store;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  store.close();
  dir.cleanup();
});

function expectNothingRecorded(s: Store): void {
  expect(lastCommittedCounter(s)).toBe(0);
  expect(backlogCount(s)).toBe(0);
}

describe('happy path', () => {
  it('commits a signed token with the first envelope and returns the prize', async () => {
    const time = clock();
    const k = kiosk(dir.dir, { now: time.now });
    store = k.store;
    expect(k.engine.storeDeck(deckBytes()).status).toBe('stored');

    const begun = await k.engine.beginTap(hello({ online: true }));
    expect(begun.ok).toBe(true);
    if (!begun.ok) return;
    const challenge = decodeChallenge(begun.session.challenge);
    expect(challenge.ok && challenge.value).toMatchObject({
      screenId: SCREEN_ID,
      counter: 1,
      ts: T0,
      campaignId: 12,
    });

    const done = k.engine.completeTap(begun.session, phoneSign(begun.session.challenge));
    expect(done.ok).toBe(true);
    if (!done.ok) return;
    expect(done.prize).toMatchObject({
      counter: 1,
      walletId: 4242,
      campaignId: CAMPAIGN_ID,
      amountFen: 120,
      couponOfferId: 0,
      deckId: 900,
      envelopeIndex: 0,
      flags: TapFlag.phoneOnline,
      noDeck: false,
      localCap: false,
    });
    expect(verifyTapTokenSignature(done.prize.token, keys.screen.publicKey)).toBe(true);
    expect(Buffer.from(tokenChallengeBytes(done.prize.token))).toEqual(Buffer.from(begun.session.challenge));
    const token = decodeTapToken(done.prize.token);
    expect(token.ok && token.value.envelopeIndex).toBe(0);

    const stored = getTap(store, 1);
    expect(stored?.state).toBe('pending');
    expect(Buffer.from(stored?.token ?? [])).toEqual(Buffer.from(done.prize.token));
    expect(lastCommittedCounter(store)).toBe(1);
    expect(getDeckState(store, 900)?.cursor).toBe(1);
  });

  it('accepts an already decoded HELLO', async () => {
    const k = kiosk(dir.dir, { now: clock().now });
    store = k.store;
    const { decodeHello } = await import('@redtap/shared');
    const decoded = decodeHello(hello());
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    const begun = await k.engine.beginTap(decoded.value);
    expect(begun.ok).toBe(true);
  });
});

describe('refusals record nothing', () => {
  const cases: [string, () => Uint8Array, string][] = [
    ['expired credential', () => hello({ expiresAt: T0 }), ErrorCode.CREDENTIAL_EXPIRED],
    ['revoked credential', () => hello({ walletId: 77, serial: 3 }), ErrorCode.CREDENTIAL_REVOKED],
    ['unknown issuer key', () => hello({ issuerKeyId: 9 }), ErrorCode.CREDENTIAL_ISSUER_UNKNOWN],
    [
      'forged issuer signature',
      () => hello({ issuer: generateKeyPair() }),
      ErrorCode.CREDENTIAL_SIGNATURE_INVALID,
    ],
    ['truncated HELLO', () => hello().subarray(0, 100), ErrorCode.TRUNCATED],
  ];
  for (const [name, makeHello, code] of cases) {
    it(name, async () => {
      const config = screenConfig({ revocation: { version: 2, credentials: ['77:3'] } });
      const k = kiosk(dir.dir, { now: clock().now, config });
      store = k.store;
      k.engine.storeDeck(deckBytes());
      const begun = await k.engine.beginTap(makeHello());
      expect(begun).toMatchObject({ ok: false, code });
      expectNothingRecorded(store);
      // The refused tap did not hold the counter: the next one still gets counter 1.
      const next = await tap(k.engine);
      expect(next.ok && next.prize.counter).toBe(1);
    });
  }

  it('a phone signature that does not verify', async () => {
    const k = kiosk(dir.dir, { now: clock().now });
    store = k.store;
    k.engine.storeDeck(deckBytes());
    const begun = await k.engine.beginTap(hello());
    if (!begun.ok) throw new Error(begun.code);
    const wrong = k.engine.completeTap(begun.session, phoneSign(begun.session.challenge, generateKeyPair()));
    expect(wrong).toMatchObject({ ok: false, code: ErrorCode.PHONE_SIGNATURE_INVALID });
    expectNothingRecorded(store);
    expect(getDeckState(store, 900)?.cursor).toBe(0);
    // The session is spent; a second completion is stale, not a second chance.
    const again = k.engine.completeTap(begun.session, phoneSign(begun.session.challenge));
    expect(again).toMatchObject({ ok: false, code: KioskCode.SESSION_STALE });
    expectNothingRecorded(store);
  });

  it('not enrolled, not configured, no campaign', async () => {
    store = openStore({ path: join(dir.dir, 'kiosk.db') });
    const bare = engineFor(store);
    expect(await bare.beginTap(hello())).toMatchObject({ ok: false, code: KioskCode.NOT_ENROLLED });
    enrolStore(store, null);
    bare.reload();
    expect(await bare.beginTap(hello())).toMatchObject({ ok: false, code: KioskCode.NOT_CONFIGURED });
    enrolStore(store, screenConfig({ version: 2, campaigns: [] }));
    bare.reload();
    expect(await bare.beginTap(hello())).toMatchObject({ ok: false, code: KioskCode.NO_ACTIVE_CAMPAIGN });
    expectNothingRecorded(store);
  });

  it('takes no tap for a campaign claimed online only, and frees the screen for the next', async () => {
    store = openStore({ path: join(dir.dir, 'kiosk.db') });
    enrolStore(store, screenConfig({ version: 2, campaigns: [campaign({ claimPaths: ['qr'] })] }));
    const k = engineFor(store);
    expect(await k.beginTap(hello())).toMatchObject({ ok: false, code: ErrorCode.CLAIM_PATH_NOT_OFFERED });
    // The lease went back: a second phone is refused for the same reason, not SCREEN_BUSY.
    expect(await k.beginTap(hello())).toMatchObject({ ok: false, code: ErrorCode.CLAIM_PATH_NOT_OFFERED });
    expectNothingRecorded(store);
  });

  it('refuses a screen key that does not match the enrolled identity', () => {
    store = openStore({ path: join(dir.dir, 'kiosk.db') });
    enrolStore(store);
    const other = generateKeyPair();
    expect(() =>
      engineFor(store, { screenKey: other.privateKey, screenPublicKeyRaw: other.publicKeyRaw }),
    ).toThrow(KioskCode.KEY_MISMATCH);
  });
});

describe('local caps', () => {
  it('gives the fallback coupon once a wallet had its cash today, from the allotment, not a main envelope', async () => {
    const time = clock();
    const k = kiosk(dir.dir, { now: time.now });
    store = k.store;
    k.engine.storeDeck(deckBytes());
    const first = await tap(k.engine, hello({ walletId: 1 }));
    expect(first.ok && first.prize.amountFen).toBe(120);
    const capped = await tap(k.engine, hello({ walletId: 1 }));
    expect(capped.ok && capped.prize).toMatchObject({
      counter: 2,
      amountFen: 0,
      couponOfferId: FALLBACK_COUPON,
      // Allotment slot 0 of the deck: envelope 4, after its 4 main envelopes.
      deckId: 900,
      envelopeIndex: 4,
      localCap: true,
      noDeck: false,
      flags: TapFlag.localCap,
    });
    if (capped.ok) {
      const token = decodeTapToken(capped.prize.token);
      expect(token.ok && [token.value.envelopeIndex, token.value.amountFen]).toEqual([4, 0]);
    }
    expect(getDeckState(store, 900)).toMatchObject({ cursor: 1, fallbackCursor: 1 });
    // Another wallet still gets the next envelope.
    const other = await tap(k.engine, hello({ walletId: 2 }));
    expect(other.ok && other.prize).toMatchObject({ amountFen: 35, envelopeIndex: 1 });
    // T0 is 08:00 in Shanghai; 16 h later is the next local day there.
    time.set(T0 + 16 * 3600 - 1);
    const sameDay = await tap(k.engine, hello({ walletId: 1 }));
    expect(sameDay.ok && sameDay.prize.localCap).toBe(true);
    time.set(T0 + 16 * 3600);
    const nextDay = await tap(k.engine, hello({ walletId: 1 }));
    expect(nextDay.ok && nextDay.prize).toMatchObject({ amountFen: 200, envelopeIndex: 2, localCap: false });
  });

  it('a zero fallback coupon is a thank-you', async () => {
    const config = screenConfig({
      campaigns: [campaign({ cashPerWalletPerDay: 0, fallbackCouponOfferId: 0 })],
    });
    const k = kiosk(dir.dir, { now: clock().now, config });
    store = k.store;
    k.engine.storeDeck(deckBytes());
    const result = await tap(k.engine);
    expect(result.ok && result.prize).toMatchObject({ amountFen: 0, couponOfferId: 0, localCap: true });
    expect(getDeckState(store, 900)?.cursor).toBe(0);
  });
});

describe('decks', () => {
  it('draws envelopes strictly in order, across decks, then gives the fallback coupon from an allotment', async () => {
    const time = clock();
    const config = screenConfig({ campaigns: [campaign({ cashPerWalletPerDay: 100 })] });
    const k = kiosk(dir.dir, { now: time.now, config });
    store = k.store;
    // Deck 901 expires first so it is drawn first; deck 902 has expired and is skipped.
    k.engine.storeDeck(deckBytes({ deckId: 900, validUntil: T0 + 7200 }));
    k.engine.storeDeck(
      deckBytes({
        deckId: 901,
        validUntil: T0 + 3600,
        envelopes: [
          { amountFen: 1, couponOfferId: 0 },
          { amountFen: 2, couponOfferId: 0 },
        ],
      }),
    );
    expect(k.engine.storeDeck(deckBytes({ deckId: 902, validUntil: T0 + 10 })).status).toBe('stored');
    time.set(T0 + 11);
    const drawn: [number, number | null, number][] = [];
    for (let i = 0; i < 7; i++) {
      const result = await tap(k.engine, hello({ walletId: 10 + i }));
      if (!result.ok) throw new Error(result.code);
      drawn.push([result.prize.deckId, result.prize.envelopeIndex, result.prize.amountFen]);
    }
    expect(drawn).toEqual([
      [901, 0, 1],
      [901, 1, 2],
      [900, 0, 120],
      [900, 1, 35],
      [900, 2, 200],
      [900, 3, 88],
      // noDeck: no main envelope left; deck 901, expiring first, gives its allotment slot 0 (envelope 2).
      [901, 2, 0],
    ]);
    expect(getDeckState(store, 902)?.cursor).toBe(0);
  });

  it('with no deck gives no fallback coupon, flagged noDeck: no allotment holds one for it', async () => {
    const k = kiosk(dir.dir, { now: clock().now });
    store = k.store;
    const result = await tap(k.engine);
    expect(result.ok && result.prize).toMatchObject({
      amountFen: 0,
      couponOfferId: 0,
      noDeck: true,
      localCap: false,
      flags: TapFlag.noDeck,
      envelopeIndex: null,
    });
  });

  it('picks the campaign that has a usable deck', async () => {
    const config = screenConfig({ campaigns: [campaign({ campaignId: 3 }), campaign()] });
    const k = kiosk(dir.dir, { now: clock().now, config });
    store = k.store;
    k.engine.storeDeck(deckBytes());
    const begun = await k.engine.beginTap(hello());
    expect(begun.ok && begun.session.campaignId).toBe(CAMPAIGN_ID);
    if (begun.ok) k.engine.abandonTap(begun.session);
    const otherDir = tempDir();
    const noDeck = kiosk(otherDir.dir, { now: clock().now, config });
    const first = await noDeck.engine.beginTap(hello());
    expect(first.ok && first.session.campaignId).toBe(3);
    noDeck.store.close();
    otherDir.cleanup();
  });
});

describe('counter', () => {
  it('is gapless over 1,000 taps and continues after reopening the store', async () => {
    const config = screenConfig({ campaigns: [campaign({ cashPerWalletPerDay: 100 })] });
    const k = kiosk(dir.dir, { now: clock().now, config });
    store = k.store;
    k.engine.storeDeck(
      deckBytes({
        envelopes: Array.from({ length: 600 }, (_, i) => ({ amountFen: i + 1, couponOfferId: 0 })),
      }),
    );
    for (let i = 1; i <= 1000; i++) {
      const result = await tap(k.engine, hello({ walletId: 1 + (i % 20) }));
      if (!result.ok) throw new Error(`tap ${i}: ${result.code}`);
      expect(result.prize.counter).toBe(i);
    }
    const rows = store.sqlite.prepare('SELECT counter FROM taps ORDER BY counter').pluck().all() as number[];
    expect(rows).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(getDeckState(store, 900)?.cursor).toBe(600);
    store.close();

    store = openStore({ path: join(dir.dir, 'kiosk.db') });
    expect(lastCommittedCounter(store)).toBe(1000);
    const reopened = engineFor(store, { now: clock().now });
    const next = await tap(reopened);
    expect(next.ok && next.prize.counter).toBe(1001);
  }, 60_000);

  it('lets two readers share the screen: the second waits for the first commit', async () => {
    const k = kiosk(dir.dir, { now: clock().now });
    store = k.store;
    const a = await k.engine.beginTap(hello({ walletId: 1 }));
    if (!a.ok) throw new Error(a.code);
    const bPending = k.engine.beginTap(hello({ walletId: 2 }));
    const aDone = k.engine.completeTap(a.session, phoneSign(a.session.challenge));
    expect(aDone.ok && aDone.prize.counter).toBe(1);
    const b = await bPending;
    if (!b.ok) throw new Error(b.code);
    expect(b.session.counter).toBe(2);
    const bDone = k.engine.completeTap(b.session, phoneSign(b.session.challenge));
    expect(bDone.ok && bDone.prize.counter).toBe(2);
  });

  it('an abandoned tap frees the counter; an expired one is refused as stale', async () => {
    const timers: (() => void)[] = [];
    const startTimer: StartTimer = (callback) => {
      timers.push(callback);
      return () => undefined;
    };
    const k = kiosk(dir.dir, { now: clock().now, startTimer });
    store = k.store;
    const a = await k.engine.beginTap(hello());
    if (!a.ok) throw new Error(a.code);
    k.engine.abandonTap(a.session);
    const b = await k.engine.beginTap(hello());
    if (!b.ok) throw new Error(b.code);
    expect(b.session.counter).toBe(1);
    const cPending = k.engine.beginTap(hello({ walletId: 2 }));
    // Fire b's lease expiry (the second timer started; the first was a's, already released).
    timers[1]?.();
    const c = await cPending;
    if (!c.ok) throw new Error(c.code);
    expect(c.session.counter).toBe(1);
    expect(k.engine.completeTap(b.session, phoneSign(b.session.challenge))).toMatchObject({
      ok: false,
      code: KioskCode.SESSION_STALE,
    });
    const cDone = k.engine.completeTap(c.session, phoneSign(c.session.challenge));
    expect(cDone.ok && cDone.prize.counter).toBe(1);
  });

  it('a second reader gives up with SCREEN_BUSY when its signal aborts', async () => {
    const k = kiosk(dir.dir, { now: clock().now });
    store = k.store;
    const a = await k.engine.beginTap(hello());
    if (!a.ok) throw new Error(a.code);
    const controller = new AbortController();
    const b = k.engine.beginTap(hello(), { signal: controller.signal });
    controller.abort();
    expect(await b).toMatchObject({ ok: false, code: KioskCode.SCREEN_BUSY });
  });

  it('refuses a commit overtaken by another connection to the same store', async () => {
    const k = kiosk(dir.dir, { now: clock().now });
    store = k.store;
    const other = openStore({ path: join(dir.dir, 'kiosk.db') });
    try {
      const otherEngine = engineFor(other, { now: clock().now });
      const a = await k.engine.beginTap(hello());
      if (!a.ok) throw new Error(a.code);
      const b = await tap(otherEngine);
      expect(b.ok && b.prize.counter).toBe(1);
      expect(k.engine.completeTap(a.session, phoneSign(a.session.challenge))).toMatchObject({
        ok: false,
        code: KioskCode.COUNTER_OVERTAKEN,
      });
      expect(lastCommittedCounter(store)).toBe(1);
    } finally {
      other.close();
    }
  });
});

describe('store failures', () => {
  it('a read-only store gives STORE_UNAVAILABLE and no prize', async () => {
    const k = kiosk(dir.dir, { now: clock().now });
    store = k.store;
    k.engine.storeDeck(deckBytes());
    const begun = await k.engine.beginTap(hello());
    if (!begun.ok) throw new Error(begun.code);
    store.sqlite.pragma('query_only = ON');
    const result = k.engine.completeTap(begun.session, phoneSign(begun.session.challenge));
    expect(result).toMatchObject({ ok: false, code: ErrorCode.STORE_UNAVAILABLE });
    store.sqlite.pragma('query_only = OFF');
    expectNothingRecorded(store);
    expect(getDeckState(store, 900)?.cursor).toBe(0);
    const next = await tap(k.engine);
    expect(next.ok && next.prize).toMatchObject({ counter: 1, envelopeIndex: 0 });
  });

  it('a full disk gives STORE_UNAVAILABLE and no prize', async () => {
    const k = kiosk(dir.dir, { now: clock().now });
    store = k.store;
    k.engine.storeDeck(deckBytes());
    const pages = store.sqlite.pragma('page_count', { simple: true }) as number;
    store.sqlite.pragma(`max_page_count = ${pages}`);
    let refused = 0;
    for (let i = 0; i < 200 && refused === 0; i++) {
      const result = await tap(k.engine, hello({ walletId: 100 + i }));
      if (!result.ok) {
        expect(result.code).toBe(ErrorCode.STORE_UNAVAILABLE);
        refused = i + 1;
      }
    }
    expect(refused).toBeGreaterThan(0);
    const rows = store.sqlite.prepare('SELECT count(*) FROM taps').pluck().get();
    expect(rows).toBe(refused - 1);
    expect(lastCommittedCounter(store)).toBe(refused - 1);
  });

  it('a closed store gives STORE_UNAVAILABLE at the challenge', async () => {
    const k = kiosk(dir.dir, { now: clock().now });
    store = k.store;
    store.close();
    expect(await k.engine.beginTap(hello())).toMatchObject({ ok: false, code: ErrorCode.STORE_UNAVAILABLE });
  });
});

describe('which campaign a tap pays', () => {
  const OTHER = 3;
  const THIRD = 7;
  const otherDeck = (deckId = 910, campaignId = OTHER) =>
    deckBytes({
      deckId,
      campaignId,
      envelopes: [
        { amountFen: 500, couponOfferId: 0 },
        { amountFen: 600, couponOfferId: 0 },
      ],
    });
  const twoCampaigns = () =>
    screenConfig({
      campaigns: [
        campaign(),
        campaign({ campaignId: OTHER, couponOffers: [], fallbackCouponOfferId: 0, name: 'Noodles' }),
      ],
    });

  async function campaignOfTap(engine: ReturnType<typeof kiosk>['engine'], walletId: number) {
    const result = await tap(engine, hello({ walletId }));
    if (!result.ok) throw new Error(result.code);
    const token = decodeTapToken(result.prize.token);
    expect(token.ok && token.value.campaignId).toBe(result.prize.campaignId);
    return result.prize;
  }

  it('pays the campaign whose ad is on screen, not the first one with a deck', async () => {
    let showing: number | null = OTHER;
    const k = kiosk(dir.dir, { now: clock().now, config: twoCampaigns(), showingCampaignId: () => showing });
    store = k.store;
    k.engine.storeDeck(deckBytes());
    k.engine.storeDeck(otherDeck());
    expect(await campaignOfTap(k.engine, 1)).toMatchObject({
      campaignId: OTHER,
      deckId: 910,
      amountFen: 500,
    });
    showing = CAMPAIGN_ID;
    expect(await campaignOfTap(k.engine, 2)).toMatchObject({
      campaignId: CAMPAIGN_ID,
      deckId: 900,
      amountFen: 120,
    });
    // Each campaign's taps and spend are its own in the outbox.
    expect(getTap(store, 1)).toMatchObject({ campaignId: OTHER, amountFen: 500, deckId: 910 });
    expect(getTap(store, 2)).toMatchObject({ campaignId: CAMPAIGN_ID, amountFen: 120, deckId: 900 });
  });

  it('when the campaign on screen has no deck and chose fall-through, the next one in config order pays', async () => {
    const config = screenConfig({
      campaigns: [
        campaign(),
        campaign({ campaignId: OTHER, fallThrough: true }),
        campaign({ campaignId: THIRD }),
      ],
    });
    const k = kiosk(dir.dir, { now: clock().now, config, showingCampaignId: () => OTHER });
    store = k.store;
    k.engine.storeDeck(deckBytes());
    k.engine.storeDeck(otherDeck(920, THIRD));
    expect(await campaignOfTap(k.engine, 1)).toMatchObject({ campaignId: THIRD, deckId: 920 });
  });

  it("with fall-through, gives a capped commuter another campaign's cash before a coupon", async () => {
    const config = twoCampaigns();
    config.campaigns[0] = campaign({ fallThrough: true });
    const k = kiosk(dir.dir, {
      now: clock().now,
      config,
      showingCampaignId: () => CAMPAIGN_ID,
    });
    store = k.store;
    k.engine.storeDeck(deckBytes());
    k.engine.storeDeck(otherDeck());
    expect(await campaignOfTap(k.engine, 1)).toMatchObject({ campaignId: CAMPAIGN_ID, amountFen: 120 });
    expect(await campaignOfTap(k.engine, 1)).toMatchObject({
      campaignId: OTHER,
      amountFen: 500,
      localCap: false,
    });
    // Capped everywhere: the campaign on screen gives its fallback coupon.
    expect(await campaignOfTap(k.engine, 1)).toMatchObject({
      campaignId: CAMPAIGN_ID,
      amountFen: 0,
      couponOfferId: FALLBACK_COUPON,
      localCap: true,
    });
    expect(getDeckState(store, 900)?.cursor).toBe(1);
    expect(getDeckState(store, 910)?.cursor).toBe(1);
  });

  it('rotates over the campaigns while default content is on screen', async () => {
    const k = kiosk(dir.dir, { now: clock().now, config: twoCampaigns() });
    store = k.store;
    k.engine.storeDeck(deckBytes());
    k.engine.storeDeck(otherDeck());
    const paid = [];
    for (const walletId of [1, 2, 3]) paid.push((await campaignOfTap(k.engine, walletId)).campaignId);
    expect(paid).toEqual([CAMPAIGN_ID, OTHER, CAMPAIGN_ID]);
  });

  it('reads what is showing from a source set after construction', async () => {
    const k = kiosk(dir.dir, { now: clock().now, config: twoCampaigns() });
    store = k.store;
    k.engine.storeDeck(deckBytes());
    k.engine.storeDeck(otherDeck());
    k.engine.setShowingCampaign(() => OTHER);
    expect(await campaignOfTap(k.engine, 1)).toMatchObject({ campaignId: OTHER });
  });
});

describe('expired coupon offers', () => {
  const dated = (validUntil: number) =>
    screenConfig({
      campaigns: [
        campaign({
          couponOffers: [{ couponOfferId: FALLBACK_COUPON, title: '¥2 off', valueFen: 200, validUntil }],
        }),
      ],
    });

  it('a dead fallback coupon becomes a thank-you, in the prize and the token', async () => {
    const time = clock();
    const k = kiosk(dir.dir, { now: time.now, config: dated(T0 + 10) });
    store = k.store;
    k.engine.storeDeck(deckBytes());
    await tap(k.engine, hello({ walletId: 1 }));
    time.set(T0 + 9);
    const live = await tap(k.engine, hello({ walletId: 1 }));
    expect(live.ok && live.prize).toMatchObject({ localCap: true, couponOfferId: FALLBACK_COUPON });
    time.set(T0 + 10);
    const dead = await tap(k.engine, hello({ walletId: 1 }));
    expect(dead.ok && dead.prize).toMatchObject({ localCap: true, couponOfferId: 0, amountFen: 0 });
    if (dead.ok) {
      const token = decodeTapToken(dead.prize.token);
      expect(token.ok && token.value.couponOfferId).toBe(0);
    }
  });

  it("an envelope naming a dead offer pays its cash and awards no coupon; the token keeps the deck's", async () => {
    const k = kiosk(dir.dir, { now: clock().now, config: dated(T0) });
    store = k.store;
    k.engine.storeDeck(deckBytes());
    await tap(k.engine, hello({ walletId: 1 }));
    // Envelope 1 is ¥0.35 with coupon 5.
    const result = await tap(k.engine, hello({ walletId: 2 }));
    expect(result.ok && result.prize).toMatchObject({ envelopeIndex: 1, amountFen: 35, couponOfferId: 0 });
    if (result.ok) {
      const token = decodeTapToken(result.prize.token);
      expect(token.ok && token.value.couponOfferId).toBe(FALLBACK_COUPON);
    }
  });

  it('an offer the config does not date is still awarded', async () => {
    const k = kiosk(dir.dir, { now: clock().now });
    store = k.store;
    k.engine.storeDeck(deckBytes());
    await tap(k.engine, hello({ walletId: 1 }));
    const result = await tap(k.engine, hello({ walletId: 2 }));
    expect(result.ok && result.prize).toMatchObject({ amountFen: 35, couponOfferId: FALLBACK_COUPON });
  });
});

describe('credential expiry boundary', () => {
  it('accepts a credential until the second before expiresAt (expired at expiresAt, as in the cloud)', async () => {
    const time = clock();
    const k = kiosk(dir.dir, { now: time.now });
    store = k.store;
    const begun = await k.engine.beginTap(hello({ expiresAt: T0 + 1 }));
    expect(begun.ok).toBe(true);
    if (begun.ok) k.engine.abandonTap(begun.session);
    time.set(T0 + 1);
    expect(await k.engine.beginTap(hello({ expiresAt: T0 + 1 }))).toMatchObject({
      ok: false,
      code: ErrorCode.CREDENTIAL_EXPIRED,
    });
  });
});
