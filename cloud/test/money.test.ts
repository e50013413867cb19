// The money flow end to end through the HTTP app and the (fake) broker, on PGlite and PostgreSQL:
// campaigns and their lifecycle, decks and escrow, redemption on both paths with every reject code,
// holds, deck close and expiry, withdrawals, content and reports — the ledger invariant after each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeDeck,
  decodeTapToken,
  encodeTapBatch,
  ErrorCode,
  generateKeyPair,
  signDeckClose,
  toHex,
  type Ack,
  type AckResult,
} from '@redtap/shared';
import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../src/db/client.ts';
import { int, queryRows } from '../src/db/rows.ts';
import { checkLedger } from '../src/ledger/check-ledger.ts';
import { getLedgerAccount } from '../src/ledger/accounts.ts';
import { defaultMoneySettings } from '../src/money-settings.ts';
import { COUPON_STOCK_PER_CAMPAIGN_MAX } from '../src/services/campaigns.ts';
import { deckSize, settleExpiredDecks } from '../src/services/decks.ts';
import { openTestDatabase, testEngines } from './databases.ts';
import { createTestCloud, json, walletSession, type TestCloud } from './harness.ts';
import {
  buildWorld,
  makeTap,
  nextTransferId,
  oneCreative,
  registerPhone,
  tiersPlan,
  type Kiosk,
  type Phone,
  type World,
} from './money-world.ts';

const engines = await testEngines();

async function sendBatch(
  cloud: TestCloud,
  kiosk: Kiosk,
  tokens: Uint8Array[],
  topicScreenId = kiosk.screenId,
): Promise<Ack> {
  const from = cloud.broker.acks.length;
  await cloud.broker.deliverTapBatch({ screenId: topicScreenId, payload: encodeTapBatch(tokens) });
  return cloud.broker.nextAck(topicScreenId, from);
}

/** `session`: a wallet session; only the owning wallet's session is shown a won coupon code. */
async function redeemHttp(
  cloud: TestCloud,
  token: Uint8Array,
  session?: string,
): Promise<{ status: string; code?: string; amountFen?: number; couponCode?: string }> {
  return json(await cloud.request('POST', '/v1/redeem', { token: session, body: { token: toHex(token) } }));
}

async function balanceOf(cloud: TestCloud, walletId: number): Promise<number> {
  const [row] = await queryRows<{ id: unknown }>(
    cloud.deps.db,
    sql`select ledger_account_id as id from wallets where id = ${walletId}`,
  );
  return (await getLedgerAccount(cloud.deps.db, int(row?.id)))?.balanceFen ?? -1;
}

async function expectLedgerOk(cloud: TestCloud): Promise<void> {
  const check = await checkLedger(cloud.deps.db);
  expect(check, JSON.stringify(check)).toMatchObject({ ok: true, totalFen: 0 });
}

describe.each(engines)('money flow on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let world: World;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle, {
      money: {
        ...defaultMoneySettings,
        advertiserWalletDailyCashMax: 6,
        walletDailyCashCountMax: 8,
        walletDailyCashFenMax: 600,
      },
    });
    world = await buildWorld(cloud, {
      cities: ['Shanghai', 'Beijing'],
      plan: tiersPlan(20_000),
      budgetFen: 20_000,
      cashPerWalletPerDay: 5,
      couponStock: 20,
    });
  });
  afterAll(async () => {
    if (available) await handle.close();
  });

  it.skipIf(!available)(
    'runs the lifecycle with explicit transitions and escrows exact sums into decks',
    async () => {
      const [shanghai, beijing] = world.kiosks;
      expect(shanghai?.decks).toHaveLength(1);
      expect(beijing?.decks).toHaveLength(1);
      const campaign = await json<{ status: string; budgetBalanceFen: number }>(
        await cloud.request('GET', `/v1/campaigns/${world.campaignId}`, { token: world.advertiser.token }),
      );
      expect(campaign.status).toBe('active');
      const inDecks = world.kiosks
        .flatMap((kiosk) => kiosk.decks)
        .flatMap((deck) => deck.envelopes)
        .reduce((sum, e) => sum + e.amountFen, 0);
      expect(inDecks + campaign.budgetBalanceFen).toBe(world.budgetFen);
      // Each screen's retained config now names the campaign and its coupon offer.
      expect(cloud.broker.configs.get(shanghai?.screenId ?? 0)?.campaigns[0]).toMatchObject({
        campaignId: world.campaignId,
        fallbackCouponOfferId: world.couponOfferId,
      });
      const again = await cloud.request('POST', `/v1/campaigns/${world.campaignId}/transitions`, {
        token: world.operator,
        body: { transition: 'approve' },
      });
      expect([again.status, (await json<{ error: { code: string } }>(again)).error.code]).toEqual([
        409,
        ErrorCode.CONFLICT,
      ]);
      const stranger = await cloud.request('GET', `/v1/campaigns/${world.campaignId}`, {
        token: (await walletSession(cloud)).token,
      });
      expect(stranger.status).toBe(403);
      await expectLedgerOk(cloud);
    },
  );

  it.skipIf(!available)('keeps lucky plans exact to the fen through decks', async () => {
    const lucky = await buildWorld(cloud, {
      cities: ['Hangzhou', 'Suzhou', 'Wuxi'],
      plan: { kind: 'lucky', totalFen: 9_999, count: 600, minFen: 1, maxFen: 100 },
      budgetFen: 9_999,
    });
    const campaign = await json<{ budgetBalanceFen: number }>(
      await cloud.request('GET', `/v1/campaigns/${lucky.campaignId}`, { token: lucky.operator }),
    );
    const decks = lucky.kiosks.flatMap((kiosk) => kiosk.decks);
    expect(decks.length).toBe(3);
    const inDecks = decks.flatMap((deck) => deck.envelopes).reduce((sum, e) => sum + e.amountFen, 0);
    expect(inDecks + campaign.budgetBalanceFen).toBe(9_999);
    // Ending refunds the budget now; the escrow follows when the decks settle.
    await cloud.request('POST', `/v1/campaigns/${lucky.campaignId}/transitions`, {
      token: lucky.advertiser.token,
      body: { transition: 'end' },
    });
    const ended = await json<{ status: string; budgetBalanceFen: number }>(
      await cloud.request('GET', `/v1/campaigns/${lucky.campaignId}`, { token: lucky.operator }),
    );
    expect(ended).toMatchObject({ status: 'ended', budgetBalanceFen: 0 });
    await expectLedgerOk(cloud);
  });

  it.skipIf(!available)(
    'credits a kiosk batch once, answers replays on either path as duplicates',
    async () => {
      const kiosk = world.kiosks[0] as Kiosk;
      const phone = await registerPhone(cloud);
      const tokens = [makeTap(kiosk, phone, cloud.clock.nowMs), makeTap(kiosk, phone, cloud.clock.nowMs)];
      const deck = kiosk.decks[0];
      const expected = tokens.map((_, i) => deck?.envelopes[i]?.amountFen ?? -1);
      const ack = await sendBatch(cloud, kiosk, tokens);
      expect(ack.results.map((r) => [r.status, r.amountFen])).toEqual(
        expected.map((fen) => ['credited', fen]),
      );
      expect(await balanceOf(cloud, phone.walletId)).toBe(expected[0]! + expected[1]!);
      const replay = await sendBatch(cloud, kiosk, tokens);
      expect(replay.results.map((r) => [r.status, r.amountFen])).toEqual(
        expected.map((fen) => ['duplicate', fen]),
      );
      expect(await redeemHttp(cloud, tokens[0] as Uint8Array)).toMatchObject({
        status: 'duplicate',
        amountFen: expected[0],
      });
      expect(await balanceOf(cloud, phone.walletId)).toBe(expected[0]! + expected[1]!);
      await expectLedgerOk(cloud);
    },
  );

  it.skipIf(!available)('lets exactly one of two racing paths credit a token', async () => {
    const kiosk = world.kiosks[1] as Kiosk;
    const phone = await registerPhone(cloud);
    for (let round = 0; round < 3; round++) {
      const token = makeTap(kiosk, phone, cloud.clock.nowMs);
      const [ack, viaPhone] = await Promise.all([sendBatch(cloud, kiosk, [token]), redeemHttp(cloud, token)]);
      const statuses = [ack.results[0]?.status, viaPhone.status].sort();
      expect(statuses).toEqual(['credited', 'duplicate']);
    }
    await expectLedgerOk(cloud);
  });

  it.skipIf(!available)('rejects forged, foreign and malformed tokens with their codes', async () => {
    const kiosk = world.kiosks[0] as Kiosk;
    const other = world.kiosks[1] as Kiosk;
    const phone = await registerPhone(cloud);
    const now = cloud.clock.nowMs;
    const code = async (token: Uint8Array, via: Kiosk = kiosk): Promise<AckResult | undefined> =>
      (await sendBatch(cloud, via, [token])).results[0];
    const bad = makeTap(kiosk, phone, now);
    bad[0] = 9;
    expect(await code(bad)).toMatchObject({ status: 'rejected', code: ErrorCode.BAD_VERSION });
    expect(await code(makeTap(kiosk, phone, now, { screenKey: generateKeyPair() }))).toMatchObject({
      code: ErrorCode.SCREEN_SIGNATURE_INVALID,
    });
    expect(await code(makeTap(other, phone, now), kiosk)).toMatchObject({ code: ErrorCode.SCREEN_MISMATCH });
    const ghost: Kiosk = { ...kiosk, screenId: 999_999, counter: 0, cursor: new Map() };
    expect(await code(makeTap(ghost, phone, now), ghost)).toMatchObject({ code: ErrorCode.SCREEN_UNKNOWN });
    expect(await code(makeTap(kiosk, phone, now, { phoneKey: generateKeyPair() }))).toMatchObject({
      code: ErrorCode.PHONE_SIGNATURE_INVALID,
    });
    expect(await code(makeTap(kiosk, phone, now, { serial: 77 }))).toMatchObject({
      code: ErrorCode.CREDENTIAL_MISMATCH,
    });
    const deck = kiosk.decks[0];
    expect(await code(makeTap(kiosk, phone, now, { deck: { ...deck!, deckId: 987_654 } }))).toMatchObject({
      code: ErrorCode.DECK_UNKNOWN,
    });
    expect(await code(makeTap(kiosk, phone, now, { deck: other.decks[0] ?? null }))).toMatchObject({
      code: ErrorCode.DECK_WRONG_SCREEN,
    });
    expect(await code(makeTap(kiosk, phone, now, { envelopeIndex: 60_000, amountFen: 1 }))).toMatchObject({
      code: ErrorCode.ENVELOPE_OUT_OF_RANGE,
    });
    expect(await code(makeTap(kiosk, phone, now, { envelopeIndex: 40, amountFen: 5_000 }))).toMatchObject({
      code: ErrorCode.ENVELOPE_MISMATCH,
    });
    expect(await code(makeTap(kiosk, phone, now, { envelopeIndex: 0 }))).toMatchObject({
      code: ErrorCode.ENVELOPE_REUSED,
    });
    expect(
      await code(makeTap(kiosk, phone, now, { envelopeIndex: 41, ts: (deck?.validUntil ?? 0) + 10 })),
    ).toMatchObject({
      code: ErrorCode.DECK_EXPIRED,
    });
    expect(
      await code(makeTap(kiosk, phone, now, { envelopeIndex: 42, ts: Math.floor(now / 1000) + 3_600 })),
    ).toMatchObject({
      code: ErrorCode.CLOCK_SKEW,
    });
    // A rejected envelope's money went back to the budget: the ledger still balances.
    await expectLedgerOk(cloud);
  });

  it.skipIf(!available)(
    'rejects revoked, expired and unverifiable credentials and revoked screens',
    async () => {
      const kiosk = world.kiosks[0] as Kiosk;
      const now = cloud.clock.nowMs;
      const [revoked, expired, foreignIssuer, tampered] = [
        await registerPhone(cloud),
        await registerPhone(cloud),
        await registerPhone(cloud),
        await registerPhone(cloud),
      ];
      await cloud.request('POST', `/v1/wallets/${revoked.walletId}/credentials/${revoked.serial}/revoke`, {
        token: world.operator,
      });
      await cloud.deps.db.execute(
        sql`update wallet_credentials set expires_at = 1000 where wallet_id = ${expired.walletId}`,
      );
      await cloud.deps.db.execute(
        sql`update wallet_credentials set issuer_key_id = 201 where wallet_id = ${foreignIssuer.walletId}`,
      );
      await cloud.deps.db.execute(
        sql`update wallet_credentials set credential = overlay(credential placing 'ff' from 291 for 2) where wallet_id = ${tampered.walletId}`,
      );
      const ack = await sendBatch(cloud, kiosk, [
        makeTap(kiosk, revoked, now),
        makeTap(kiosk, expired, now),
        makeTap(kiosk, foreignIssuer, now),
        makeTap(kiosk, tampered, now),
      ]);
      expect(ack.results.map((r) => r.code)).toEqual([
        ErrorCode.CREDENTIAL_REVOKED,
        ErrorCode.CREDENTIAL_EXPIRED,
        ErrorCode.CREDENTIAL_ISSUER_UNKNOWN,
        ErrorCode.CREDENTIAL_SIGNATURE_INVALID,
      ]);
      const extra = await buildWorld(cloud, { cities: ['Xiamen'], plan: tiersPlan(1_000), budgetFen: 1_000 });
      const gone = extra.kiosks[0] as Kiosk;
      await cloud.request('POST', `/v1/screens/${gone.screenId}/revoke`, { token: extra.operator });
      expect(
        (await sendBatch(cloud, gone, [makeTap(gone, await registerPhone(cloud), now)])).results[0],
      ).toMatchObject({
        code: ErrorCode.SCREEN_REVOKED,
      });
      await expectLedgerOk(cloud);
    },
  );

  it.skipIf(!available)('applies the global caps and returns capped money to the budget', async () => {
    const [shanghai, beijing] = world.kiosks as [Kiosk, Kiosk];
    const session = await walletSession(cloud);
    const phone: Phone = { walletId: session.walletId, serial: 1, key: session.phone };
    const now = cloud.clock.nowMs;
    // Campaign cap: 5 cash packets per wallet per day.
    const six = Array.from({ length: 6 }, () => makeTap(shanghai, phone, now));
    const ack = await sendBatch(cloud, shanghai, six);
    expect(ack.results.slice(0, 5).every((r) => r.status === 'credited')).toBe(true);
    expect(ack.results[5]).toMatchObject({ status: 'rejected', code: ErrorCode.CAP_CAMPAIGN_WALLET });
    // The wallet's history says which limit stopped the sixth, and how far the day had got.
    const history = await json<{
      items: { reason: string | null; capCount?: number; capMax?: number; brand: string | null }[];
    }>(await cloud.request('GET', '/v1/wallets/me/history', { token: session.token }));
    expect(history.items[0]).toMatchObject({ reason: ErrorCode.CAP_CAMPAIGN_WALLET, capCount: 5, capMax: 5 });
    expect(history.items[1]?.capCount).toBeUndefined();
    // Each row names the brand whose campaign the tap was for.
    expect(new Set(history.items.map((item) => item.brand))).toEqual(new Set(['Tea Co']));
    const withLimits = async (
      patch: Partial<typeof defaultMoneySettings>,
      taps: number,
    ): Promise<(string | undefined)[]> => {
      const limits = cloud.deps.settings.money;
      const saved = { ...limits };
      Object.assign(limits, patch);
      try {
        const phone = await registerPhone(cloud);
        const tokens = Array.from({ length: taps }, () => makeTap(beijing, phone, now));
        return (await sendBatch(cloud, beijing, tokens)).results.map((r) => r.code);
      } finally {
        Object.assign(limits, saved);
      }
    };
    expect(await withLimits({ walletDailyCashCountMax: 2 }, 3)).toEqual([
      undefined,
      undefined,
      ErrorCode.CAP_WALLET_DAILY_COUNT,
    ]);
    expect(await withLimits({ walletDailyCashFenMax: 0 }, 1)).toEqual([ErrorCode.CAP_WALLET_DAILY_AMOUNT]);
    expect(await withLimits({ advertiserWalletDailyCashMax: 1 }, 2)).toEqual([
      undefined,
      ErrorCode.CAP_ADVERTISER_WALLET,
    ]);
    await expectLedgerOk(cloud);
  });

  it.skipIf(!available)('holds suspicious taps for review and pays or refunds them on decision', async () => {
    const beijing = world.kiosks[1] as Kiosk;
    const now = cloud.clock.nowMs;
    const phones: Phone[] = [];
    for (let i = 0; i < 24; i++) phones.push(await registerPhone(cloud));
    const base = Math.floor(now / 1000) - 100;
    // A tap a second: faster than people take turns at an elevator screen.
    const burst = phones.map((phone, i) => makeTap(beijing, phone, now, { ts: base + i }));
    const ack = await sendBatch(cloud, beijing, burst);
    expect(ack.results.map((r) => r.code ?? r.status)).toContain(ErrorCode.HELD_FOR_REVIEW);
    // A counter far beyond anything seen from this screen is held too.
    const gap = await registerPhone(cloud);
    const far = (await buildWorld(cloud, { cities: ['Guangzhou'], plan: tiersPlan(1_000), budgetFen: 1_000 }))
      .kiosks[0] as Kiosk;
    expect(
      (await sendBatch(cloud, far, [makeTap(far, gap, now, { counter: far.counter + 50_000 })])).results[0],
    ).toMatchObject({
      status: 'rejected',
      code: ErrorCode.HELD_FOR_REVIEW,
    });
    const holds = await json<{ items: { id: number; amountFen: number; reason: string }[] }>(
      await cloud.request('GET', '/v1/holds?limit=100', { token: world.operator }),
    );
    const reasons = new Set(holds.items.map((item) => item.reason));
    expect(reasons.has(ErrorCode.FRAUD_TAP_RATE)).toBe(true);
    expect(reasons.has(ErrorCode.FRAUD_COUNTER_GAP)).toBe(true);
    const [first, second] = holds.items;
    const gapBefore = await balanceOf(cloud, gap.walletId);
    const released = await json<{ status: string }>(
      await cloud.request('POST', `/v1/holds/${first?.id ?? 0}/release`, { token: world.operator }),
    );
    expect(released.status).toBe('released');
    const refused = await json<{ status: string }>(
      await cloud.request('POST', `/v1/holds/${second?.id ?? 0}/refuse`, { token: world.operator }),
    );
    expect(refused.status).toBe('refused');
    const twice = await cloud.request('POST', `/v1/holds/${first?.id ?? 0}/release`, {
      token: world.operator,
    });
    expect(twice.status).toBe(409);
    expect(await balanceOf(cloud, gap.walletId)).toBeGreaterThanOrEqual(gapBefore);
    // A hold of a wallet revoked since cannot be released to it, only refused back to the budget.
    const third = holds.items[2];
    expect(third).toBeDefined();
    await cloud.deps.db.execute(
      sql`update wallets set revoked_at = now()
          where id = (select wallet_id from redemptions where id = ${third?.id ?? 0})`,
    );
    const toRevoked = await cloud.request('POST', `/v1/holds/${third?.id ?? 0}/release`, {
      token: world.operator,
    });
    expect([toRevoked.status, (await json<{ error: { code: string } }>(toRevoked)).error.code]).toEqual([
      403,
      ErrorCode.WALLET_REVOKED,
    ]);
    expect(
      (await cloud.request('POST', `/v1/holds/${third?.id ?? 0}/refuse`, { token: world.operator })).status,
    ).toBe(200);
    await expectLedgerOk(cloud);
  });

  it.skipIf(!available)(
    'rejects impossible travel, too many screens, envelope order and counter rollback',
    async () => {
      const [shanghai, beijing] = world.kiosks as [Kiosk, Kiosk];
      const now = cloud.clock.nowMs;
      const traveller = await registerPhone(cloud);
      expect(
        (await sendBatch(cloud, shanghai, [makeTap(shanghai, traveller, now)])).results[0]?.code,
      ).toBeUndefined();
      expect((await sendBatch(cloud, beijing, [makeTap(beijing, traveller, now)])).results[0]).toMatchObject({
        code: ErrorCode.FRAUD_IMPOSSIBLE_TRAVEL,
      });
      // Rollback: the same identity with other bytes (a restored kiosk reusing counters).
      const victim = await registerPhone(cloud);
      const original = makeTap(shanghai, victim, now);
      await sendBatch(cloud, shanghai, [original]);
      const forgedCopy = makeTap(shanghai, victim, now, {
        counter: shanghai.counter,
        ts: Math.floor(now / 1000) - 5,
      });
      expect((await sendBatch(cloud, shanghai, [forgedCopy])).results[0]).toMatchObject({
        code: ErrorCode.FRAUD_COUNTER_ROLLBACK,
      });
      // Envelope order: a later counter drawing an earlier envelope than the deck's last one.
      const orderly = await registerPhone(cloud);
      const deck = shanghai.decks[0];
      const next = shanghai.cursor.get(deck?.deckId ?? 0) ?? 0;
      await sendBatch(cloud, shanghai, [makeTap(shanghai, orderly, now, { envelopeIndex: next + 3 })]);
      expect(
        (await sendBatch(cloud, shanghai, [makeTap(shanghai, orderly, now, { envelopeIndex: next + 1 })]))
          .results[0],
      ).toMatchObject({
        code: ErrorCode.HELD_FOR_REVIEW,
      });
      // Too many screens: three screens in one city against a limit of two.
      const small = await buildWorld(cloud, {
        cities: ['Nanjing', 'Nanjing', 'Nanjing'],
        plan: tiersPlan(3_000),
        budgetFen: 3_000,
      });
      const roamer = await registerPhone(cloud);
      const limits = cloud.deps.settings.money;
      const saved = limits.screensPerWalletPerDayMax;
      limits.screensPerWalletPerDayMax = 2;
      const results: AckResult[] = [];
      try {
        for (const kiosk of small.kiosks)
          results.push(...(await sendBatch(cloud, kiosk, [makeTap(kiosk, roamer, now)])).results);
      } finally {
        limits.screensPerWalletPerDayMax = saved;
      }
      expect(results.map((r) => r.code ?? r.status)).toEqual([
        'credited',
        'credited',
        ErrorCode.FRAUD_TOO_MANY_SCREENS,
      ]);
      await expectLedgerOk(cloud);
    },
  );

  it.skipIf(!available)(
    'serves the phone path, wallet history, coupons and withdrawals with limits',
    async () => {
      const kiosk = world.kiosks[1] as Kiosk;
      const session = await walletSession(cloud);
      const phone: Phone = { walletId: session.walletId, serial: 1, key: session.phone };
      const now = cloud.clock.nowMs;
      // The kiosk's fallback coupon, from its deck's allotment (docs/protocol.md §3.4).
      const deck = kiosk.decks[0];
      expect(deck?.fallbackCount).toBeGreaterThan(0);
      const slot = (deck?.envelopes.length ?? 0) - (deck?.fallbackCount ?? 0);
      const couponOnly = makeTap(kiosk, phone, now, { envelopeIndex: slot, flags: 2 });
      expect(decodeTapToken(couponOnly)).toMatchObject({
        ok: true,
        value: { amountFen: 0, couponOfferId: world.couponOfferId, envelopeIndex: slot },
      });
      const viaPhone = await redeemHttp(cloud, couponOnly, session.token);
      expect(viaPhone.status).toBe('credited');
      expect(viaPhone.couponCode).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){4}[0-9A-HJKMNP-TV-Z]$/);
      const cash = makeTap(kiosk, phone, now);
      expect(await redeemHttp(cloud, cash)).toMatchObject({ status: 'credited' });
      const bad = await cloud.request('POST', '/v1/redeem', { body: { token: 'zz' } });
      expect(bad.status).toBe(400);
      const auth = { token: session.token };
      const coupons = await json<{ items: { code: string; validUntil: number }[] }>(
        await cloud.request('GET', '/v1/wallets/me/coupons', auth),
      );
      expect(coupons.items[0]?.code).toBe(viaPhone.couponCode);
      const history = await json<{ items: { status: string }[] }>(
        await cloud.request('GET', '/v1/wallets/me/history', auth),
      );
      expect(history.items.map((item) => item.status)).toEqual(['credited', 'credited']);
      const balance = await balanceOf(cloud, phone.walletId);
      const withdraw = (amountFen: number, idempotencyKey: string) =>
        cloud.request('POST', '/v1/wallets/me/withdrawals', { ...auth, body: { amountFen, idempotencyKey } });
      // Withdrawals go to a linked payout account (test/payouts.test.ts has the whole flow).
      expect((await withdraw(10, 'key-none-01')).status).toBe(409);
      const linked = await cloud.request('PUT', '/v1/wallets/me/payout-account', {
        ...auth,
        body: { kind: 'alipay', account: '13800138000', holderName: '李雷' },
      });
      expect(linked.status).toBe(200);
      const small = await withdraw(5, 'key-small-1');
      expect((await json<{ error: { code: string } }>(small)).error.code).toBe(
        ErrorCode.WITHDRAWAL_TOO_SMALL,
      );
      if (balance >= 10) {
        expect((await withdraw(10, 'key-first-1')).status).toBe(201);
        // A replay is answered as the first request was.
        expect((await withdraw(10, 'key-first-1')).status).toBe(201);
      }
      const tooMuch = await withdraw(1_000_000, 'key-huge-01');
      expect((await json<{ error: { code: string } }>(tooMuch)).error.code).toBe(
        ErrorCode.WITHDRAWAL_DAILY_LIMIT,
      );
      const settlement = await cloud.request('POST', '/v1/settlements', { token: world.operator });
      expect(settlement.headers.get('content-type')).toContain('text/csv');
      const csv = await settlement.text();
      expect(csv.split('\n')[0]).toBe(
        'batch_id,withdrawal_id,wallet_id,payee_kind,payee_account,payee_name,payee_bank,amount_fen,amount_yuan,requested_at',
      );
      // Exported is in flight, not paid: the provider's result file decides.
      const listed = await json<{ items: { status: string }[] }>(
        await cloud.request('GET', '/v1/wallets/me/withdrawals', auth),
      );
      expect(listed.items.every((item) => item.status === 'exported')).toBe(true);
      await expectLedgerOk(cloud);
    },
  );

  it.skipIf(!available)('stores creatives by hash and reports impressions, taps and spend', async () => {
    // Larger than the 64 KiB limit of every other route.
    const png = new Uint8Array(200_000);
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const upload = await cloud.app.request('/v1/content', {
      method: 'POST',
      headers: { authorization: `Bearer ${world.advertiser.token}`, 'content-type': 'image/png' },
      body: png,
    });
    expect(upload.status).toBe(201);
    const { sha256 } = await json<{ sha256: string }>(upload);
    const served = await cloud.request('GET', `/v1/content/${sha256}`);
    expect(served.headers.get('cache-control')).toContain('immutable');
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(png);
    const fake = await cloud.app.request('/v1/content', {
      method: 'POST',
      headers: { authorization: `Bearer ${world.advertiser.token}`, 'content-type': 'image/png' },
      body: new TextEncoder().encode('<html>not an image</html>'),
    });
    expect(fake.status).toBe(400);
    // Proof of play counts only what the screen's config had it play in the period, at most what fits
    // in it: a campaign playing the 15 s creative goes out, and the last whole minute reports four plays.
    const playing = await buildWorld(cloud, {
      cities: ['Xiamen'],
      plan: tiersPlan(500),
      budgetFen: 500,
      creatives: [{ sha256, durationMs: 15_000 }],
    });
    const kiosk = playing.kiosks[0] as Kiosk;
    await sendBatch(cloud, kiosk, [makeTap(kiosk, await registerPhone(cloud), cloud.clock.nowMs)]);
    const minuteS = Math.floor(cloud.clock.nowMs / 60_000) * 60 - 60;
    await cloud.broker.deliverEvent({
      screenId: kiosk.screenId,
      event: {
        type: 'proof-of-play',
        periodStart: minuteS,
        periodEnd: minuteS + 60,
        items: [{ creativeSha256: sha256, campaignId: playing.campaignId, plays: 4, durationMs: 60_000 }],
      },
    });
    const report = await json<{
      items: { key: string; impressions: number; taps: number; cashFen: number }[];
    }>(
      await cloud.request('GET', `/v1/reports?by=city&campaignId=${playing.campaignId}`, {
        token: playing.advertiser.token,
      }),
    );
    const xiamen = report.items.find((row) => row.key === 'Xiamen');
    expect(xiamen?.impressions).toBe(4);
    expect(xiamen?.taps).toBeGreaterThan(0);
    const csv = await (
      await cloud.request('GET', '/v1/reports?by=day&format=csv', { token: playing.advertiser.token })
    ).text();
    expect(
      csv.startsWith(
        'day (Asia/Shanghai),impressions,taps,taps_in_reported_periods,unique_wallets,cash_fen,cash_yuan,coupons,tap_through_rate',
      ),
    ).toBe(true);
    const other = await json<{ items: unknown[] }>(
      await cloud.request('GET', `/v1/reports?campaignId=${playing.campaignId}`, {
        token: (await buildWorld(cloud, { cities: ['Lhasa'], plan: tiersPlan(500), budgetFen: 500 }))
          .advertiser.token,
      }),
    );
    expect(other.items).toEqual([]);
  });
  it.skipIf(!available)(
    'returns escrow on a signed early close and at expiry, and refuses later envelopes',
    async () => {
      const extra = await buildWorld(cloud, {
        cities: ['Chengdu'],
        plan: tiersPlan(4_000),
        budgetFen: 4_000,
      });
      const kiosk = extra.kiosks[0] as Kiosk;
      const deck = kiosk.decks[0];
      if (deck === undefined) throw new Error('no deck');
      const phone = await registerPhone(cloud);
      const now = cloud.clock.nowMs;
      await sendBatch(cloud, kiosk, [makeTap(kiosk, phone, now), makeTap(kiosk, phone, now)]);
      const budget = async () =>
        (
          await json<{ budgetBalanceFen: number }>(
            await cloud.request('GET', `/v1/campaigns/${extra.campaignId}`, { token: extra.operator }),
          )
        ).budgetBalanceFen;
      const before = await budget();
      const report = signDeckClose(
        { deckId: deck.deckId, screenId: kiosk.screenId, usedCount: 3, ts: Math.floor(now / 1000) },
        kiosk.key.privateKey,
      );
      await cloud.broker.deliverEvent({
        screenId: kiosk.screenId,
        event: { type: 'deck-close', report: toHex(report) },
      });
      const returned = deck.envelopes.slice(3).reduce((sum, e) => sum + e.amountFen, 0);
      expect(await budget()).toBe(before + returned);
      expect(
        (await sendBatch(cloud, kiosk, [makeTap(kiosk, phone, now, { envelopeIndex: 5 })])).results[0],
      ).toMatchObject({
        code: ErrorCode.DECK_EXPIRED,
      });
      // Envelope 2 is below usedCount: still redeemable until expiry.
      expect(
        (await sendBatch(cloud, kiosk, [makeTap(kiosk, phone, now, { envelopeIndex: 2 })])).results[0]
          ?.status,
      ).toBe('credited');
      // A deck-low event refills with a new deck sized by the observed rate.
      const decksBefore = cloud.broker.decks.length;
      await cloud.broker.deliverEvent({
        screenId: kiosk.screenId,
        event: { type: 'deck-low', campaignId: extra.campaignId, remaining: 0, tapRatePerHour: 2 },
      });
      expect(cloud.broker.decks.length).toBe(decksBefore + 1);
      const swept = await settleExpiredDecks(
        cloud.deps.db,
        cloud.deps.settings.money,
        new Date(now + 3 * 86_400_000),
      );
      expect(swept.decks).toBeGreaterThanOrEqual(2);
      const spent = deck.envelopes.slice(0, 3).reduce((sum, e) => sum + e.amountFen, 0);
      expect(await budget()).toBe(extra.budgetFen - spent);
      await expectLedgerOk(cloud);
    },
  );

  it.skipIf(!available)(
    "credits a screen's first tap seen even when its counter is past the tap-rate window",
    async () => {
      // A phone redeemed its receipt while the screen was offline: the first the cloud hears of this
      // screen is counter 15. One tap is no rate; it opens the screen's window.
      const fresh = (
        await buildWorld(cloud, { cities: ['Chengdu'], plan: tiersPlan(1_000), budgetFen: 1_000 })
      ).kiosks[0] as Kiosk;
      const phone = await registerPhone(cloud);
      const ack = await sendBatch(cloud, fresh, [makeTap(fresh, phone, cloud.clock.nowMs, { counter: 15 })]);
      expect(ack.results[0]).toMatchObject({ counter: 15, status: 'credited' });
      await expectLedgerOk(cloud);
    },
  );

  it.skipIf(!available)(
    'bounds coupon stock per campaign at creation and at activation, and never builds a larger pool',
    async () => {
      const nowS = Math.floor(cloud.clock.nowMs / 1000);
      const offer = (stock: number) => ({
        title: 'Free upsize',
        valueFen: 500,
        stock,
        validUntil: nowS + 60 * 86_400,
        validityDays: 7,
      });
      const creatives = await oneCreative(cloud, world.advertiser.token);
      const body = (stocks: number[]) => ({
        name: 'Coupons galore',
        sponsor: 'Tea Co',
        startsAt: nowS - 3600,
        endsAt: nowS + 30 * 86_400,
        budgetFen: 1_000,
        prizePlan: { kind: 'tiers', tiers: [{ amountFen: 100, count: 10 }] },
        couponOffers: stocks.map(offer),
        creatives,
      });
      const token = world.advertiser.token;
      const refused = await cloud.request('POST', '/v1/campaigns', {
        token,
        body: body([COUPON_STOCK_PER_CAMPAIGN_MAX, 1]),
      });
      expect([refused.status, (await json<{ error: { code: string } }>(refused)).error.code]).toEqual([
        400,
        ErrorCode.COUPON_STOCK_TOO_LARGE,
      ]);

      // One created before the bound (stock raised behind the service's back) cannot be activated.
      const created = await json<{ id: number }>(
        await cloud.request('POST', '/v1/campaigns', { token, body: body([10, 10]) }),
      );
      await cloud.deps.db.execute(
        sql`update coupon_offers set stock = ${COUPON_STOCK_PER_CAMPAIGN_MAX} where campaign_id = ${created.id}`,
      );
      const run = (transition: string, as: string) =>
        cloud.request('POST', `/v1/campaigns/${created.id}/transitions`, { token: as, body: { transition } });
      expect((await run('submit', token)).status).toBe(200);
      expect((await run('approve', world.operator)).status).toBe(200);
      expect(
        (
          await cloud.request('POST', `/v1/campaigns/${created.id}/funding`, {
            token,
            body: { amountFen: 1_000, transferId: nextTransferId() },
          })
        ).status,
      ).toBe(200);
      const activation = await run('activate', token);
      expect([activation.status, (await json<{ error: { code: string } }>(activation)).error.code]).toEqual([
        400,
        ErrorCode.COUPON_STOCK_TOO_LARGE,
      ]);
      const [pool] = await queryRows<{ n: unknown }>(
        cloud.deps.db,
        sql`select count(*) as n from campaign_envelopes where campaign_id = ${created.id}`,
      );
      expect(int(pool?.n)).toBe(0);
      await expectLedgerOk(cloud);
    },
  );

  it.skipIf(!available)(
    'sizes a refill with no settled taps by the default rate, not as the smallest deck, and only when needed',
    async () => {
      // A screen asks as soon as its config names a new campaign, before any tap.
      const fresh = await buildWorld(cloud, {
        cities: ["Xi'an"],
        plan: tiersPlan(10_000),
        budgetFen: 10_000,
      });
      const kiosk = fresh.kiosks[0] as Kiosk;
      const first = kiosk.decks[0];
      if (first === undefined) throw new Error('no deck at activation');
      const lowDeck = () =>
        cloud.broker.deliverEvent({
          screenId: kiosk.screenId,
          event: { type: 'deck-low', campaignId: fresh.campaignId, remaining: 0, tapRatePerHour: 0 },
        });
      // It holds the deck activation gave it, as much as its demand: that deck again (it may have been
      // lost while the kiosk was away), and no second deck.
      let before = cloud.broker.decks.length;
      await lowDeck();
      const again = cloud.broker.decks.slice(before).map((sent) => decodeDeck(sent.deck));
      expect(again.map((deck) => deck.ok && deck.value.deckId)).toEqual([first.deckId]);
      // Once that deck is closed unused, a refill comes, sized by the default rate.
      const report = signDeckClose(
        {
          deckId: first.deckId,
          screenId: kiosk.screenId,
          usedCount: 0,
          ts: Math.floor(cloud.clock.nowMs / 1000),
        },
        kiosk.key.privateKey,
      );
      await cloud.broker.deliverEvent({
        screenId: kiosk.screenId,
        event: { type: 'deck-close', report: toHex(report) },
      });
      before = cloud.broker.decks.length;
      await lowDeck();
      const published = cloud.broker.decks.slice(before);
      expect(published).toHaveLength(1);
      const deck = decodeDeck(published[0]?.deck ?? new Uint8Array());
      expect(deck.ok && deck.value.envelopes.length - deck.value.fallbackCount).toBe(
        deckSize(null, cloud.deps.settings.money),
      );
      expect(deckSize(null, cloud.deps.settings.money)).toBeGreaterThan(
        cloud.deps.settings.money.deckSizeMin,
      );
    },
  );
});
