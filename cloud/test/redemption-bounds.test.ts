// Settlement bounds where money moves, on PGlite and PostgreSQL: deck-less taps dated before their
// campaign, before their credential or too long ago are refused with nothing issued; day caps count on
// the tap's own day, kept in the per-wallet day counters; a refused hold gives its count back; an
// envelope returned after its campaign ended is refunded, not pooled; and checkLedger holds each
// campaign's pool to its budget account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capDay, encodeTapBatch, ErrorCode, type Ack } from '@redtap/shared';
import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../src/db/client.ts';
import { int, queryRows } from '../src/db/rows.ts';
import { checkLedger } from '../src/ledger/check-ledger.ts';
import { defaultMoneySettings, networkRulesOf } from '../src/money-settings.ts';
import { openTestDatabase, testEngines } from './databases.ts';
import { createTestCloud, json, type TestCloud } from './harness.ts';
import { buildWorld, makeTap, registerPhone, tiersPlan, type Kiosk, type World } from './money-world.ts';

const engines = await testEngines();
const rules = networkRulesOf(defaultMoneySettings);

async function sendBatch(cloud: TestCloud, kiosk: Kiosk, tokens: Uint8Array[]): Promise<Ack> {
  const from = cloud.broker.acks.length;
  await cloud.broker.deliverTapBatch({ screenId: kiosk.screenId, payload: encodeTapBatch(tokens) });
  return cloud.broker.nextAck(kiosk.screenId, from);
}

async function expectLedgerOk(cloud: TestCloud): Promise<void> {
  const check = await checkLedger(cloud.deps.db);
  expect(check, JSON.stringify(check)).toMatchObject({ ok: true, totalFen: 0, poolMismatchCampaignIds: [] });
}

async function count(cloud: TestCloud, query: ReturnType<typeof sql>): Promise<number> {
  const [row] = await queryRows<{ n: unknown }>(cloud.deps.db, query);
  return int(row?.n ?? 0);
}

/** The first second of a cap day after `fromS`: the next local midnight in the cap zone. */
function nextCapMidnight(fromS: number): number {
  const day = capDay(fromS, rules);
  let low = fromS;
  let high = fromS + 26 * 3600;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (capDay(middle, rules) === day) low = middle + 1;
    else high = middle;
  }
  return low;
}

describe.each(engines)('settlement bounds on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let world: World;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle, { money: { ...defaultMoneySettings } });
    world = await buildWorld(cloud, {
      cities: ['Shanghai'],
      plan: tiersPlan(20_000),
      budgetFen: 20_000,
      cashPerWalletPerDay: 5,
      couponStock: 20,
    });
  });
  afterAll(async () => {
    if (available) await handle.close();
  });

  it.skipIf(!available)('publishes the network rules in every screen config', () => {
    const kiosk = world.kiosks[0] as Kiosk;
    expect(cloud.broker.configs.get(kiosk.screenId)?.rules).toEqual(
      networkRulesOf(cloud.deps.settings.money),
    );
  });

  it.skipIf(!available)(
    'refuses deck-less fallback coupons dated before the campaign, before the credential or too long ago',
    async () => {
      const kiosk = world.kiosks[0] as Kiosk;
      const startMs = cloud.clock.nowMs;
      const nowS = Math.floor(startMs / 1000);
      const stock = () =>
        count(
          cloud,
          sql`select count(*) as n from campaign_envelopes
              where campaign_id = ${world.campaignId} and coupon_offer_id = ${world.couponOfferId}`,
        );
      const stockBefore = await stock();
      const fallback = (phone: Awaited<ReturnType<typeof registerPhone>>, ts: number) =>
        makeTap(kiosk, phone, cloud.clock.nowMs, {
          deck: null,
          ts,
          campaignId: world.campaignId,
          couponOfferId: world.couponOfferId,
          flags: 2,
        });
      // The campaign started an hour before the world was built; the phone registers now.
      const early = await registerPhone(cloud);
      const beforeCampaign = await sendBatch(cloud, kiosk, [fallback(early, nowS - 2 * 86_400 + 600)]);
      const beforeCredential = await sendBatch(cloud, kiosk, [fallback(early, nowS - 1800)]);
      // Three days on, a tap dated just after registration arrives.
      cloud.clock.nowMs = startMs + 3 * 86_400_000;
      let tooOld: Ack;
      try {
        tooOld = await sendBatch(cloud, kiosk, [fallback(early, nowS + 60)]);
      } finally {
        cloud.clock.nowMs = startMs;
      }
      expect(
        [beforeCampaign, beforeCredential, tooOld].map((ack) => [
          ack.results[0]?.status,
          ack.results[0]?.code,
        ]),
      ).toEqual([
        ['rejected', ErrorCode.TAP_BEFORE_CAMPAIGN],
        ['rejected', ErrorCode.TAP_BEFORE_CREDENTIAL],
        ['rejected', ErrorCode.TAP_TOO_OLD],
      ]);
      // Nothing issued, nothing taken from the pool, nothing counted.
      expect(
        await count(cloud, sql`select count(*) as n from coupons where wallet_id = ${early.walletId}`),
      ).toBe(0);
      expect(await stock()).toBe(stockBefore);
      expect(
        await count(
          cloud,
          sql`select count(*) as n from wallet_day_totals where wallet_id = ${early.walletId}`,
        ),
      ).toBe(0);
      await expectLedgerOk(cloud);
    },
  );

  it.skipIf(!available)('counts day caps on the tap’s own day, whenever it arrives', async () => {
    const kiosk = world.kiosks[0] as Kiosk;
    const deck = kiosk.decks[0];
    if (deck === undefined) throw new Error('the kiosk holds no deck');
    const startMs = cloud.clock.nowMs;
    // A local midnight inside the deck's life, with a minute either side.
    const midnight = nextCapMidnight(Math.max(deck.validFrom, Math.floor(startMs / 1000)) + 120);
    expect(midnight + 60).toBeLessThanOrEqual(deck.validUntil);
    const phone = await registerPhone(cloud);
    cloud.clock.nowMs = (midnight + 90) * 1000;
    try {
      const at = (ts: number) => makeTap(kiosk, phone, cloud.clock.nowMs, { ts });
      const evening = [0, 1, 2, 3, 4].map((i) => at(midnight - 60 + 10 * i));
      const morning = [0, 1, 2, 3, 4].map((i) => at(midnight + 1 + 10 * i));
      const late = at(midnight - 5);
      const ack = await sendBatch(cloud, kiosk, [...evening, ...morning]);
      expect(ack.results.map((result) => result.code ?? result.status)).toEqual(Array(10).fill('credited'));
      // The evening's sixth arrives after the morning's taps: still the evening's, past its cap of 5.
      expect((await sendBatch(cloud, kiosk, [late])).results[0]).toMatchObject({
        status: 'rejected',
        code: ErrorCode.CAP_CAMPAIGN_WALLET,
      });
      const totals = await queryRows<{ tap_day: string; cash_count: unknown }>(
        cloud.deps.db,
        sql`select tap_day::text as tap_day, cash_count from wallet_day_totals where wallet_id = ${phone.walletId}
            order by tap_day`,
      );
      expect(totals.map((row) => [row.tap_day, int(row.cash_count)])).toEqual([
        [capDay(midnight - 1, rules), 5],
        [capDay(midnight, rules), 5],
      ]);
    } finally {
      cloud.clock.nowMs = startMs;
    }
    await expectLedgerOk(cloud);
  });

  it.skipIf(!available)(
    'records each coupon tap’s time and bounds a day’s fallback coupons even when sent in reverse time order',
    async () => {
      const kiosk = world.kiosks[0] as Kiosk;
      const phone = await registerPhone(cloud);
      const nowS = Math.floor(cloud.clock.nowMs / 1000);
      // The deck's fallback-coupon allotment slots (its last envelopes), each taken once.
      const deck = kiosk.decks[0];
      if (deck === undefined) throw new Error('the kiosk holds no deck');
      const slots = deck.envelopes
        .map((envelope, index) => ({ envelope, index }))
        .filter(({ envelope }) => envelope.amountFen === 0 && envelope.couponOfferId === world.couponOfferId)
        .map(({ index }) => index);
      expect(slots.length).toBeGreaterThanOrEqual(3);
      const fallback = (ts: number) =>
        makeTap(kiosk, phone, cloud.clock.nowMs, { ts, envelopeIndex: slots.pop() ?? -1 });
      // The campaign's coupon cap is 2; each tap is dated before the one sent ahead of it.
      const acks = [];
      for (const ts of [nowS - 30, nowS - 60, nowS - 90])
        acks.push(await sendBatch(cloud, kiosk, [fallback(ts)]));
      expect(acks.map((ack) => ack.results[0]?.code ?? ack.results[0]?.status)).toEqual([
        'credited',
        'credited',
        ErrorCode.CAP_CAMPAIGN_WALLET,
      ]);
      const [totals] = await queryRows<{
        coupon_count: unknown;
        coupon_tap_ts: unknown[] | string;
        fallback_count: unknown;
      }>(
        cloud.deps.db,
        sql`select coupon_count, coupon_tap_ts, fallback_count from wallet_day_totals
            where wallet_id = ${phone.walletId} and campaign_id = ${world.campaignId}`,
      );
      const times =
        typeof totals?.coupon_tap_ts === 'string'
          ? totals.coupon_tap_ts.replace(/[{}]/g, '').split(',')
          : (totals?.coupon_tap_ts ?? []);
      expect(times.map((time) => int(time))).toEqual([nowS - 30, nowS - 60]);
      expect([int(totals?.coupon_count), int(totals?.fallback_count)]).toEqual([2, 2]);
      await expectLedgerOk(cloud);
    },
  );

  it.skipIf(!available)('gives a refused hold’s cash packet back to the wallet’s day counts', async () => {
    const kiosk = world.kiosks[0] as Kiosk;
    const phone = await registerPhone(cloud);
    const now = cloud.clock.nowMs;
    // A counter far beyond anything this screen sent is held.
    const held = makeTap(kiosk, phone, now, { counter: kiosk.counter + 20_000 });
    expect((await sendBatch(cloud, kiosk, [held])).results[0]).toMatchObject({
      code: ErrorCode.HELD_FOR_REVIEW,
    });
    const day = capDay(Math.floor(now / 1000), rules);
    const cash = () =>
      count(
        cloud,
        sql`select coalesce(sum(cash_count), 0) as n from wallet_day_totals
            where wallet_id = ${phone.walletId} and tap_day = ${day}::date`,
      );
    expect(await cash()).toBe(1);
    const [hold] = await queryRows<{ id: unknown }>(
      cloud.deps.db,
      sql`select id from redemptions where wallet_id = ${phone.walletId} and status = 'held'`,
    );
    const refused = await cloud.request('POST', `/v1/holds/${int(hold?.id)}/refuse`, {
      token: world.operator,
    });
    expect(refused.status).toBe(200);
    expect(await cash()).toBe(0);
    expect(
      await count(
        cloud,
        sql`select coalesce(sum(cash_count), 0) as n from wallet_day_screens where wallet_id = ${phone.walletId}`,
      ),
    ).toBe(0);
    await expectLedgerOk(cloud);
  });

  it.skipIf(!available)(
    'refunds an envelope a rejected tap returns after its campaign ended, instead of pooling it',
    async () => {
      const other = await buildWorld(cloud, { cities: ['Suzhou'], plan: tiersPlan(2_000), budgetFen: 2_000 });
      const kiosk = other.kiosks[0] as Kiosk;
      const ended = await cloud.request('POST', `/v1/campaigns/${other.campaignId}/transitions`, {
        token: other.advertiser.token,
        body: { transition: 'end' },
      });
      expect(ended.status).toBe(200);
      const phone = await registerPhone(cloud);
      // An unknown credential serial: rejected, and the envelope it names leaves escrow.
      const ack = await sendBatch(cloud, kiosk, [makeTap(kiosk, phone, cloud.clock.nowMs, { serial: 99 })]);
      expect(ack.results[0]).toMatchObject({ status: 'rejected', code: ErrorCode.CREDENTIAL_MISMATCH });
      const [row] = await queryRows<{ deck_id: unknown }>(
        cloud.deps.db,
        sql`select deck_id from redemptions where screen_id = ${kiosk.screenId} and counter = ${kiosk.counter}`,
      );
      expect(row?.deck_id).not.toBeNull();
      expect(
        await count(
          cloud,
          sql`select count(*) as n from campaign_envelopes where campaign_id = ${other.campaignId} and deck_id is null`,
        ),
      ).toBe(0);
      const campaign = await json<{ budgetBalanceFen: number }>(
        await cloud.request('GET', `/v1/campaigns/${other.campaignId}`, { token: other.operator }),
      );
      expect(campaign.budgetBalanceFen).toBe(0);
      await expectLedgerOk(cloud);
    },
  );

  it.skipIf(!available)('checkLedger finds a campaign whose pool and budget diverge', async () => {
    await expectLedgerOk(cloud);
    const [stray] = await queryRows<{ position: unknown }>(
      cloud.deps.db,
      sql`insert into campaign_envelopes (campaign_id, amount_fen, coupon_offer_id)
          values (${world.campaignId}, 7, 0) returning position`,
    );
    try {
      const check = await checkLedger(cloud.deps.db);
      expect(check.ok).toBe(false);
      expect(check.poolMismatchCampaignIds).toEqual([world.campaignId]);
      // The transfers themselves still balance: only the pool says otherwise.
      expect(check.totalFen).toBe(0);
    } finally {
      await cloud.deps.db.execute(
        sql`delete from campaign_envelopes where position = ${int(stray?.position)}`,
      );
    }
    await expectLedgerOk(cloud);
  });
});
