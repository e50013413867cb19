// What a screen key alone can make the cloud do, on PGlite and PostgreSQL: a correctly signed token
// without an envelope may carry only its campaign's fallback coupon, while that campaign runs and
// targets the screen, out of the offer's stock still in the pool; a field that does not fit its column
// is rejected alone; and a token the database refuses is isolated instead of failing its whole group.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTapBatch, ErrorCode, type AckResult } from '@redtap/shared';
import type { DatabaseHandle } from '../../src/db/client.ts';
import { int, queryRows } from '../../src/db/rows.ts';
import { checkLedger } from '../../src/ledger/check-ledger.ts';
import { openTestDatabase, testEngines } from '../databases.ts';
import { createTestCloud, type TestCloud } from '../harness.ts';
import { buildWorld, makeTap, registerPhone, tiersPlan, type Kiosk, type World } from '../money-world.ts';

const engines = await testEngines();

async function send(cloud: TestCloud, kiosk: Kiosk, tokens: Uint8Array[]): Promise<AckResult[]> {
  const from = cloud.broker.acks.length;
  await cloud.broker.deliverTapBatch({ screenId: kiosk.screenId, payload: encodeTapBatch(tokens) });
  return (await cloud.broker.nextAck(kiosk.screenId, from)).results;
}

async function couponCount(cloud: TestCloud, campaignId: number): Promise<number> {
  const [row] = await queryRows<{ n: unknown }>(
    cloud.deps.db,
    sql`select count(*) as n from coupons where campaign_id = ${campaignId}`,
  );
  return int(row?.n);
}

async function poolStock(cloud: TestCloud, campaignId: number, offerId: number): Promise<number> {
  const [row] = await queryRows<{ n: unknown }>(
    cloud.deps.db,
    sql`select count(*) as n from campaign_envelopes
        where campaign_id = ${campaignId} and coupon_offer_id = ${offerId} and deck_id is null`,
  );
  return int(row?.n);
}

async function recordedCode(cloud: TestCloud, kiosk: Kiosk, counter: number): Promise<string | null> {
  const [row] = await queryRows<{ code: string | null }>(
    cloud.deps.db,
    sql`select code from redemptions where screen_id = ${kiosk.screenId} and counter = ${counter}`,
  );
  return row?.code ?? null;
}

describe.each(engines)('a screen key on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let shanghai: World;
  let beijing: World;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle);
    shanghai = await buildWorld(cloud, {
      cities: ['Shanghai'],
      plan: tiersPlan(4_000),
      budgetFen: 4_000,
      couponStock: 3,
    });
    beijing = await buildWorld(cloud, { cities: ['Beijing'], plan: tiersPlan(4_000), budgetFen: 4_000 });
  }, 120_000);
  afterAll(async () => {
    if (available) await handle.close();
  });

  const kioskOf = (world: World): Kiosk => {
    const kiosk = world.kiosks[0];
    if (kiosk === undefined) throw new Error('world without a kiosk');
    return kiosk;
  };

  it.skipIf(!available)('cannot mint coupons no deck grants', async () => {
    const kiosk = kioskOf(shanghai);
    const phone = await registerPhone(cloud);
    const now = cloud.clock.nowMs;
    const beforeShanghai = await couponCount(cloud, shanghai.campaignId);
    const beforeBeijing = await couponCount(cloud, beijing.campaignId);
    // Another city's campaign, with its own fallback offer: this screen is not targeted.
    const foreign = makeTap(kiosk, phone, now, {
      deck: null,
      campaignId: beijing.campaignId,
      couponOfferId: beijing.couponOfferId,
    });
    const foreignCounter = kiosk.counter;
    const results = await send(cloud, kiosk, [foreign]);
    expect(results).toEqual([
      { counter: foreignCounter, status: 'rejected', code: ErrorCode.COUPON_NOT_GRANTED },
    ]);
    expect(await recordedCode(cloud, kiosk, foreignCounter)).toBe(ErrorCode.COUPON_NOT_GRANTED);

    // Its own campaign once the fallback is withdrawn: an offer with no deck behind it is not issued.
    await cloud.deps.db.execute(
      sql`update campaigns set rules = jsonb_set(rules, '{fallbackCouponOfferId}', '0')
          where id = ${shanghai.campaignId}`,
    );
    try {
      const own = makeTap(kiosk, phone, now, {
        deck: null,
        campaignId: shanghai.campaignId,
        couponOfferId: shanghai.couponOfferId,
      });
      expect((await send(cloud, kiosk, [own]))[0]).toMatchObject({
        status: 'rejected',
        code: ErrorCode.COUPON_NOT_GRANTED,
      });
    } finally {
      await cloud.deps.db.execute(
        sql`update campaigns set rules = jsonb_set(rules, '{fallbackCouponOfferId}', ${String(shanghai.couponOfferId)}::jsonb)
            where id = ${shanghai.campaignId}`,
      );
    }
    expect(await couponCount(cloud, shanghai.campaignId)).toBe(beforeShanghai);
    expect(await couponCount(cloud, beijing.campaignId)).toBe(beforeBeijing);
    expect(await checkLedger(cloud.deps.db)).toMatchObject({ ok: true, totalFen: 0 });
  });

  it.skipIf(!available)('issues fallback coupons only out of the stock left in the pool', async () => {
    const kiosk = kioskOf(shanghai);
    const now = cloud.clock.nowMs;
    const stock = await poolStock(cloud, shanghai.campaignId, shanghai.couponOfferId);
    const before = await couponCount(cloud, shanghai.campaignId);
    // One phone per tap, so the per-wallet coupon cap is not what stops them.
    const tokens: Uint8Array[] = [];
    for (let i = 0; i <= stock; i++) {
      const phone = await registerPhone(cloud);
      tokens.push(
        makeTap(kiosk, phone, now, {
          deck: null,
          campaignId: shanghai.campaignId,
          couponOfferId: shanghai.couponOfferId,
        }),
      );
    }
    const results = await send(cloud, kiosk, tokens);
    expect(results.filter((result) => result.status === 'credited')).toHaveLength(stock);
    expect(results.at(-1)).toMatchObject({ status: 'rejected', code: ErrorCode.COUPON_OUT_OF_STOCK });
    expect(await couponCount(cloud, shanghai.campaignId)).toBe(before + stock);
    expect(await poolStock(cloud, shanghai.campaignId, shanghai.couponOfferId)).toBe(0);
    expect(await checkLedger(cloud.deps.db)).toMatchObject({ ok: true, totalFen: 0 });
  });

  it.skipIf(!available)('issues no coupon for a campaign that ended', async () => {
    const kiosk = kioskOf(beijing);
    const phone = await registerPhone(cloud);
    await cloud.deps.db.execute(sql`update campaigns set status = 'ended' where id = ${beijing.campaignId}`);
    try {
      const tap = makeTap(kiosk, phone, cloud.clock.nowMs, {
        deck: null,
        campaignId: beijing.campaignId,
        couponOfferId: beijing.couponOfferId,
      });
      expect((await send(cloud, kiosk, [tap]))[0]).toMatchObject({
        status: 'rejected',
        code: ErrorCode.COUPON_NOT_GRANTED,
      });
    } finally {
      await cloud.deps.db.execute(
        sql`update campaigns set status = 'active' where id = ${beijing.campaignId}`,
      );
    }
  });

  it.skipIf(!available)('rejects an out-of-range field alone and credits the rest of its batch', async () => {
    const kiosk = kioskOf(beijing);
    const phone = await registerPhone(cloud);
    const now = cloud.clock.nowMs;
    const genuine = makeTap(kiosk, phone, now);
    const genuineCounter = kiosk.counter;
    const overflow = makeTap(kiosk, phone, now, {
      deck: null,
      campaignId: beijing.campaignId,
      couponOfferId: 2 ** 31,
    });
    const overflowCounter = kiosk.counter;
    const results = await send(cloud, kiosk, [genuine, overflow]);
    expect(results.find((result) => result.counter === genuineCounter)?.status).toBe('credited');
    expect(results.find((result) => result.counter === overflowCounter)).toEqual({
      counter: overflowCounter,
      status: 'rejected',
      code: ErrorCode.TOKEN_FIELD_OUT_OF_RANGE,
    });
    expect(await recordedCode(cloud, kiosk, overflowCounter)).toBe(ErrorCode.TOKEN_FIELD_OUT_OF_RANGE);
  });

  it.skipIf(!available)('isolates a token the database refuses instead of failing its group', async () => {
    const kiosk = kioskOf(beijing);
    const phones = [await registerPhone(cloud), await registerPhone(cloud), await registerPhone(cloud)];
    const now = cloud.clock.nowMs;
    const tokens = phones.map((phone) => makeTap(kiosk, phone, now));
    const first = kiosk.counter - 2;
    const refused = kiosk.counter - 1;
    // A failure no validation foresees: the database itself refuses one row of the group.
    await cloud.deps.db.execute(
      sql.raw(`create or replace function refuse_one_tap() returns trigger language plpgsql as $$
        begin
          if new.screen_id = ${kiosk.screenId} and new.counter = ${refused} then
            raise exception 'refused for the test';
          end if;
          return new;
        end $$`),
    );
    await cloud.deps.db.execute(
      sql.raw(`create trigger refuse_one_tap before insert on redemptions
        for each row execute function refuse_one_tap()`),
    );
    try {
      const results = await send(cloud, kiosk, tokens);
      const statusOf = (counter: number) => results.find((result) => result.counter === counter)?.status;
      expect(statusOf(first)).toBe('credited');
      expect(statusOf(refused)).toBe('retry');
      expect(statusOf(refused + 1)).toBe('credited');
    } finally {
      await cloud.deps.db.execute(sql.raw('drop trigger refuse_one_tap on redemptions'));
      await cloud.deps.db.execute(sql.raw('drop function refuse_one_tap()'));
    }
    expect(await checkLedger(cloud.deps.db)).toMatchObject({ ok: true, totalFen: 0 });
  });
});
