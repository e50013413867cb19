// Time rules the cloud shares with the kiosk. The credential expiry boundary it applies to a token's
// ts is the kiosk's (shared credentialExpired): expiresAt is the first second a credential is no longer
// valid, so a token the kiosk would have refused is never credited, and one it accepted a second
// earlier is. And the screen config dates each coupon offer, so the kiosk can tell a dead one, and
// carries the campaign's coupon cap, so the kiosk withholds a fallback coupon the cloud would refuse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cityKey, encodeTapBatch, ErrorCode, TapFlag, type Ack } from '@redtap/shared';
import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../src/db/client.ts';
import { queryRows } from '../src/db/rows.ts';
import { defaultMoneySettings } from '../src/money-settings.ts';
import { openTestDatabase, testEngines } from './databases.ts';
import { createTestCloud, type TestCloud } from './harness.ts';
import { buildWorld, makeTap, registerPhone, tiersPlan, type Kiosk, type World } from './money-world.ts';

const engines = await testEngines();

async function sendBatch(cloud: TestCloud, kiosk: Kiosk, tokens: Uint8Array[]): Promise<Ack> {
  const from = cloud.broker.acks.length;
  await cloud.broker.deliverTapBatch({ screenId: kiosk.screenId, payload: encodeTapBatch(tokens) });
  return cloud.broker.nextAck(kiosk.screenId, from);
}

describe.each(engines)('kiosk time rules on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let world: World;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle, { money: defaultMoneySettings });
    world = await buildWorld(cloud, {
      cities: ['Shanghai'],
      plan: tiersPlan(1_000),
      budgetFen: 1_000,
      cashPerWalletPerDay: 5,
      // More coupons than the kiosk's deck can take (180 of 285 envelopes), so the pool always keeps
      // some of the fallback offer's stock: with a handful, the deck's random draw could take them all.
      couponStock: 200,
    });
  });
  afterAll(async () => {
    if (available) await handle.close();
  });

  it.skipIf(!available)('refuses a token whose ts is expiresAt and credits one a second before', async () => {
    const kiosk = world.kiosks[0] as Kiosk;
    const deck = kiosk.decks[0];
    expect(deck).toBeDefined();
    const ts = (deck?.validFrom ?? 0) + 10;
    const atBoundary = await registerPhone(cloud);
    const justLive = await registerPhone(cloud);
    await cloud.deps.db.execute(
      sql`update wallet_credentials set expires_at = ${ts} where wallet_id = ${atBoundary.walletId}`,
    );
    await cloud.deps.db.execute(
      sql`update wallet_credentials set expires_at = ${ts + 1} where wallet_id = ${justLive.walletId}`,
    );
    const now = cloud.clock.nowMs;
    const ack = await sendBatch(cloud, kiosk, [
      makeTap(kiosk, atBoundary, now, { ts }),
      makeTap(kiosk, justLive, now, { ts }),
    ]);
    expect(ack.results[0]?.code).toBe(ErrorCode.CREDENTIAL_EXPIRED);
    expect(ack.results[1]).toMatchObject({ status: 'credited' });
  });

  it.skipIf(!available)('issues no coupon for a tap at or after its offer’s validUntil', async () => {
    const kiosk = world.kiosks[0] as Kiosk;
    const phone = await registerPhone(cloud);
    const nowS = Math.floor(cloud.clock.nowMs / 1000);
    const ts = nowS - 60;
    const coupons = async () =>
      (
        await queryRows<{ n: number }>(
          cloud.deps.db,
          sql`select count(*)::int as n from coupons where wallet_id = ${phone.walletId}`,
        )
      )[0]?.n;
    // The campaign's fallback offer, which an envelope-less tap may carry: live a second after ts,
    // then dead at ts.
    await cloud.deps.db.execute(
      sql`update coupon_offers set valid_until = ${ts + 1} where id = ${world.couponOfferId}`,
    );
    const live = await sendBatch(cloud, kiosk, [
      makeTap(kiosk, phone, cloud.clock.nowMs, {
        deck: null,
        campaignId: world.campaignId,
        couponOfferId: world.couponOfferId,
        ts,
      }),
    ]);
    expect(live.results[0]).toMatchObject({ status: 'credited' });
    expect(await coupons()).toBe(1);
    await cloud.deps.db.execute(
      sql`update coupon_offers set valid_until = ${ts + 1} where id = ${world.couponOfferId}`,
    );
    const dead = await sendBatch(cloud, kiosk, [
      makeTap(kiosk, phone, cloud.clock.nowMs, {
        deck: null,
        campaignId: world.campaignId,
        couponOfferId: world.couponOfferId,
        ts: ts + 1,
      }),
    ]);
    expect(dead.results[0]?.status).not.toBe('retry');
    expect(await coupons()).toBe(1);
  });

  it.skipIf(!available)(
    "publishes the campaign's advertiser and the screen's city key, for the phone's tap log",
    () => {
      const config = cloud.broker.configs.get((world.kiosks[0] as Kiosk).screenId);
      expect(config?.cityKey).toBe(cityKey('Shanghai'));
      expect(config?.campaigns[0]?.advertiserId).toBe(world.advertiser.advertiserId);
    },
  );

  it.skipIf(!available)("publishes each coupon offer's validUntil in the screen config", () => {
    const kiosk = world.kiosks[0] as Kiosk;
    const offers = cloud.broker.configs.get(kiosk.screenId)?.campaigns[0]?.couponOffers ?? [];
    expect(offers).toHaveLength(1);
    expect(offers[0]?.validUntil).toBe(Math.floor(cloud.clock.nowMs / 1000) + 60 * 86_400);
  });

  it.skipIf(!available)(
    'publishes the coupon cap it applies, so a kiosk that follows it sends no coupon it refuses',
    async () => {
      const kiosk = world.kiosks[0] as Kiosk;
      const cap = cloud.broker.configs.get(kiosk.screenId)?.campaigns[0]?.couponsPerWalletPerDay;
      expect(cap).toBe(2);
      const nowS = Math.floor(cloud.clock.nowMs / 1000);
      // Live again after the test above dated it.
      await cloud.deps.db.execute(
        sql`update coupon_offers set valid_until = ${nowS + 60 * 86_400} where id = ${world.couponOfferId}`,
      );
      const phone = await registerPhone(cloud);
      const fallbackTap = (couponOfferId: number, second: number) =>
        makeTap(kiosk, phone, cloud.clock.nowMs, {
          deck: null,
          campaignId: world.campaignId,
          couponOfferId,
          ts: nowS - 60 + second,
          flags: TapFlag.localCap,
        });
      const issued = async () =>
        (
          await queryRows<{ n: number }>(
            cloud.deps.db,
            sql`select count(*)::int as n from coupons where wallet_id = ${phone.walletId}`,
          )
        )[0]?.n;
      // Past its cash cap, a kiosk following the config gives the fallback coupon `cap` times, then none.
      const following = await sendBatch(cloud, kiosk, [
        fallbackTap(world.couponOfferId, 0),
        fallbackTap(world.couponOfferId, 1),
        fallbackTap(0, 2),
      ]);
      expect(following.results.map((result) => [result.status, result.code])).toEqual([
        ['credited', undefined],
        ['credited', undefined],
        ['credited', undefined],
      ]);
      expect(await issued()).toBe(2);
      // A kiosk that ignored the cap would have shown a third coupon, which the cloud refuses.
      const ignoring = await sendBatch(cloud, kiosk, [fallbackTap(world.couponOfferId, 3)]);
      expect(ignoring.results[0]).toMatchObject({ status: 'rejected', code: ErrorCode.CAP_CAMPAIGN_WALLET });
      expect(await issued()).toBe(2);
    },
  );
});
