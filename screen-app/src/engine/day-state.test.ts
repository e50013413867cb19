// The engine's side of GET DAY STATE (docs/protocol.md §4.4): the request it builds, the day state it
// keeps only when it verifies, and the long receipt's extra bytes. A phone without the extension and a
// day state that does not verify both leave the tap as it was: committed, judged without it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  decodeDayStateRequest,
  decodeTapToken,
  encodeReceiptExtra,
  generateKeyPair,
  signDayState,
  tokenChallengeBytes,
  type NetworkRules,
  type UnsignedDayState,
} from '@redtap/shared';
import { KioskCode } from '../codes.ts';
import type { Store } from '../store/open-store.ts';
import { getTap } from '../store/tap-queries.ts';
import {
  CAMPAIGN_ID,
  campaign,
  deckBytes,
  hello,
  keys,
  kiosk,
  phoneSign,
  screenConfig,
  SCREEN_ID,
  T0,
  tempDir,
} from '../../test/fixtures.ts';
import type { TapEngine, TapSession } from './tap-engine.ts';

const CITY = 0x0abc_def0;
const ADVERTISER = 77;
/** T0 is 08:00 in Shanghai: its local day began 8 hours earlier. */
const SHANGHAI_DAY_START = T0 - 8 * 3600;

const rules: NetworkRules = {
  capTimezone: 'UTC',
  walletDailyCashCountMax: 20,
  walletDailyCashFenMax: 2000,
  advertiserWalletDailyCashMax: 10,
  travelWindowS: 1800,
  screensPerWalletPerDayMax: 10,
  clockFutureMaxS: 300,
  clockPastSlackS: 300,
  decklessTapAgeMaxS: 86_400,
  tapRateWindow: 10,
  tapIntervalMinS: 5,
  counterGapMax: 1000,
};

let dir: { dir: string; cleanup: () => void };
let store: Store;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  store.close();
  dir.cleanup();
});

function dayStateKiosk(configOverrides: Parameters<typeof screenConfig>[0] = {}) {
  const k = kiosk(dir.dir, {
    now: () => T0,
    config: screenConfig({
      cityKey: CITY,
      campaigns: [campaign({ advertiserId: ADVERTISER })],
      ...configOverrides,
    }),
  });
  store = k.store;
  expect(k.engine.storeDeck(deckBytes()).status).toBe('stored');
  return k.engine;
}

async function begin(engine: TapEngine, walletId = 4242): Promise<TapSession> {
  const begun = await engine.beginTap(hello({ walletId }));
  if (!begun.ok) throw new Error(begun.code);
  return begun.session;
}

function answer(
  session: TapSession,
  overrides: Partial<UnsignedDayState> = {},
  key = keys.phone,
): Uint8Array {
  const request = session.dayStateRequest;
  if (request === null) throw new Error('no day state request');
  const decoded = decodeDayStateRequest(request);
  if (!decoded.ok) throw new Error(decoded.code);
  return signDayState(
    request,
    {
      walletId: session.walletId,
      dayStart: decoded.value.dayStart,
      cashCount: 3,
      cashFen: 250,
      screensWithCash: 2,
      flags: 0,
      lastTapTs: T0 - 600,
      lastCityKey: CITY,
      // Another campaign's cash: this one's cap (1 a day) is not reached.
      campaigns: [{ campaignId: CAMPAIGN_ID + 1, advertiserId: ADVERTISER + 1, cash: 1, coupons: 0 }],
      ...overrides,
    },
    key.privateKey,
  );
}

describe('GET DAY STATE request', () => {
  it("names this screen, its city and the cap day's first second in the screen's zone", async () => {
    const engine = dayStateKiosk();
    const session = await begin(engine);
    const request = decodeDayStateRequest(session.dayStateRequest ?? new Uint8Array());
    expect(request).toMatchObject({
      ok: true,
      value: { screenId: SCREEN_ID, cityKey: CITY, dayStart: SHANGHAI_DAY_START, ts: T0 },
    });
    expect(session.dayState).toBeNull();
  });

  it("counts the cap day in the network's zone when the config carries rules", async () => {
    const engine = dayStateKiosk({ rules });
    const request = decodeDayStateRequest((await begin(engine)).dayStateRequest ?? new Uint8Array());
    expect(request.ok && request.value.dayStart).toBe(T0);
  });

  it('asks with city 0 when the config names none', async () => {
    const engine = dayStateKiosk({ cityKey: undefined });
    const request = decodeDayStateRequest((await begin(engine)).dayStateRequest ?? new Uint8Array());
    expect(request.ok && request.value.cityKey).toBe(0);
  });
});

describe('provideDayState', () => {
  it('keeps a verified day state, then commits with the long receipt', async () => {
    const engine = dayStateKiosk();
    const session = await begin(engine);
    const provided = engine.provideDayState(session, answer(session));
    expect(provided).toMatchObject({
      ok: true,
      session: {
        id: session.id,
        counter: 1,
        campaignId: CAMPAIGN_ID,
        dayState: {
          walletId: 4242,
          cashCount: 3,
          cashFen: 250,
          lastCityKey: CITY,
          dayStart: SHANGHAI_DAY_START,
        },
      },
    });
    if (!provided.ok) return;
    const done = engine.completeTap(provided.session, phoneSign(provided.session.challenge));
    expect(done).toMatchObject({ ok: true, prize: { counter: 1, amountFen: 120 } });
    if (!done.ok) return;
    expect(done.prize.receiptExtra).toEqual(encodeReceiptExtra({ advertiserId: ADVERTISER, cityKey: CITY }));
    expect(Buffer.from(tokenChallengeBytes(done.prize.token))).toEqual(
      Buffer.from(provided.session.challenge),
    );
    expect(getTap(store, 1)?.walletId).toBe(4242);
  });

  it('goes on without a day state from a phone without the extension, with the short receipt', async () => {
    const engine = dayStateKiosk();
    const session = await begin(engine);
    const provided = engine.provideDayState(session, null);
    expect(provided).toMatchObject({ ok: true, session: { dayState: null } });
    if (!provided.ok) return;
    const done = engine.completeTap(provided.session, phoneSign(provided.session.challenge));
    expect(done).toMatchObject({ ok: true, prize: { counter: 1, amountFen: 120, receiptExtra: null } });
    expect(getTap(store, 1)).toBeDefined();
  });

  it.each([
    ['signed by another key', (s: TapSession) => answer(s, {}, generateKeyPair())],
    ['of another wallet', (s: TapSession) => answer(s, { walletId: 4243 })],
    ['of another day', (s: TapSession) => answer(s, { dayStart: SHANGHAI_DAY_START - 86_400 })],
    ['garbled', () => Uint8Array.of(1, 2, 3)],
  ])('ignores a day state %s and still commits the tap', async (_name, forge) => {
    const engine = dayStateKiosk();
    const session = await begin(engine);
    const provided = engine.provideDayState(session, forge(session));
    expect(provided).toMatchObject({ ok: true, session: { dayState: null } });
    if (!provided.ok) return;
    const done = engine.completeTap(provided.session, phoneSign(provided.session.challenge));
    expect(done).toMatchObject({ ok: true, prize: { counter: 1, amountFen: 120 } });
    if (!done.ok) return;
    // The phone did answer GET DAY STATE, so it speaks the extension and takes the long receipt.
    expect(done.prize.receiptExtra).toEqual(encodeReceiptExtra({ advertiserId: ADVERTISER, cityKey: CITY }));
    expect(decodeTapToken(done.prize.token)).toMatchObject({ ok: true, value: { walletId: 4242 } });
  });

  it('refuses a session that is no longer current', async () => {
    const engine = dayStateKiosk();
    const session = await begin(engine);
    engine.abandonTap(session);
    expect(engine.provideDayState(session, null)).toMatchObject({ ok: false, code: KioskCode.SESSION_STALE });
  });

  it('gives advertiser 0 in the long receipt when the config names none', async () => {
    const engine = dayStateKiosk({ campaigns: [campaign()] });
    const session = await begin(engine);
    const provided = engine.provideDayState(session, answer(session));
    if (!provided.ok) throw new Error(provided.code);
    const done = engine.completeTap(provided.session, phoneSign(provided.session.challenge));
    expect(done.ok && done.prize.receiptExtra).toEqual(
      encodeReceiptExtra({ advertiserId: 0, cityKey: CITY }),
    );
  });
});
