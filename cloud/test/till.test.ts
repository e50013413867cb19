// Coupons at the till end to end, on PGlite and PostgreSQL: merchants, stores and till keys; a coupon won
// by a tap looked up and redeemed; every refusal code; idempotent retries; two tills racing on one code;
// key rotation, revocation and scoping; guess rate limiting; and the coupon report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, toHex } from '@redtap/shared';
import { sql } from 'drizzle-orm';
import { couponCheckCharacter, formatCouponCode, newCouponBody } from '../src/coupons/coupon-code.ts';
import { CouponErrorCode } from '../src/coupons/coupon-errors.ts';
import type { DatabaseHandle } from '../src/db/client.ts';
import { queryRows } from '../src/db/rows.ts';
import { DAY_MAX, DAY_MIN } from '../src/http/schemas.ts';
import { couponReport } from '../src/services/coupon-reports.ts';
import { seedDemoStore } from '../src/services/merchants.ts';
import { openTestDatabase, testEngines } from './databases.ts';
import { createTestCloud, json, walletSession, type TestCloud } from './harness.ts';
import { buildWorld, makeTap, tiersPlan, type Kiosk, type World } from './money-world.ts';

const engines = await testEngines();
let counterSeed = 1_000_000;

async function ok<T>(response: Response, status = 200): Promise<T> {
  if (response.status !== status) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  return json<T>(response);
}

async function errorCode(response: Response): Promise<[number, string | undefined]> {
  const body = await json<{ error?: { code?: string } }>(response);
  return [response.status, body.error?.code];
}

/** A coupon row as settlement writes it, for states a tap cannot produce quickly (expired). */
async function insertCoupon(
  cloud: TestCloud,
  world: World,
  options: { validUntil?: number; walletId?: number } = {},
): Promise<string> {
  const body = newCouponBody();
  counterSeed += 1;
  const nowS = Math.floor(cloud.clock.nowMs / 1000);
  const screenId = world.kiosks[0]?.screenId ?? 0;
  await cloud.deps.db.execute(
    sql`insert into coupons (code, wallet_id, coupon_offer_id, campaign_id, screen_id, counter, tap_day, issued_at, valid_until)
        values (${body}, ${options.walletId ?? 1}, ${world.couponOfferId}, ${world.campaignId}, ${screenId},
                ${counterSeed}, current_date, ${new Date(cloud.clock.nowMs - 3_600_000).toISOString()}::timestamptz,
                ${options.validUntil ?? nowS + 86_400})`,
  );
  return formatCouponCode(body);
}

describe.each(engines)('coupons at the till on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let brandA: World;
  let brandB: World;
  let storeId = 0;
  let tillKey = '';
  let otherTillKey = '';

  const till = (method: string, path: string, key: string, body?: unknown) =>
    cloud.request(method, path, { token: key, body: body ?? (method === 'POST' ? {} : undefined) });
  const redeem = (code: string, key = tillKey, tillTxnId?: string) =>
    till(
      'POST',
      `/v1/till/coupons/${encodeURIComponent(code)}/redeem`,
      key,
      tillTxnId === undefined ? {} : { tillTxnId },
    );

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle);
    brandA = await buildWorld(cloud, {
      cities: ['上海'],
      plan: tiersPlan(2_000),
      budgetFen: 2_000,
      // More coupons than one deck can take (180 of 527 envelopes), so a fallback coupon always finds
      // stock left in the pool whatever the deck's random draw took.
      couponStock: 400,
    });
    brandB = await buildWorld(cloud, {
      cities: ['北京'],
      plan: tiersPlan(2_000),
      budgetFen: 2_000,
      couponStock: 400,
    });
  }, 60_000);
  afterAll(async () => {
    if (available) await handle.close();
  });

  it.skipIf(!available)('registers merchants and stores, chooses offers and issues till keys', async () => {
    const asA = brandA.advertiser.token;
    const merchant = await ok<{ id: number; advertiserId: number }>(
      await cloud.request('POST', '/v1/merchants', { token: asA, body: { name: 'Tea Co franchise' } }),
      201,
    );
    expect(merchant.advertiserId).toBe(brandA.advertiser.advertiserId);
    const store = await ok<{ id: number; acceptedOfferIds: number[] }>(
      await cloud.request('POST', `/v1/merchants/${merchant.id}/stores`, {
        token: asA,
        body: { name: 'People Square', city: '上海', address: '1 Nanjing Rd' },
      }),
      201,
    );
    storeId = store.id;
    expect(store.acceptedOfferIds).toEqual([]);
    // Another brand's offer is not this store's to accept; another brand cannot touch the store.
    expect(
      await errorCode(
        await cloud.request('PUT', `/v1/stores/${storeId}/offers`, {
          token: asA,
          body: { couponOfferIds: [brandB.couponOfferId] },
        }),
      ),
    ).toEqual([404, ErrorCode.NOT_FOUND]);
    expect(
      await errorCode(
        await cloud.request('PUT', `/v1/stores/${storeId}/offers`, {
          token: brandB.advertiser.token,
          body: { couponOfferIds: [] },
        }),
      ),
    ).toEqual([404, ErrorCode.NOT_FOUND]);
    const updated = await ok<{ acceptedOfferIds: number[] }>(
      await cloud.request('PUT', `/v1/stores/${storeId}/offers`, {
        token: asA,
        body: { couponOfferIds: [brandA.couponOfferId] },
      }),
    );
    expect(updated.acceptedOfferIds).toEqual([brandA.couponOfferId]);
    // The operator registers for an advertiser it names.
    const byOperator = await cloud.request('POST', '/v1/merchants', {
      token: brandA.operator,
      body: { name: 'Kiosk partner', advertiserId: brandA.advertiser.advertiserId },
    });
    expect(byOperator.status).toBe(201);
    expect(
      await errorCode(
        await cloud.request('POST', '/v1/merchants', { token: brandA.operator, body: { name: 'x' } }),
      ),
    ).toEqual([400, ErrorCode.VALIDATION_FAILED]);

    const issued = await ok<{ id: number; key: string; hint: string }>(
      await cloud.request('POST', `/v1/stores/${storeId}/till-keys`, { token: asA, body: {} }),
      201,
    );
    expect(issued.key).toMatch(/^rttk_[A-Za-z0-9_-]{43}$/);
    expect(issued.key.startsWith(issued.hint)).toBe(true);
    tillKey = issued.key;
    const listed = await ok<{ items: Record<string, unknown>[] }>(
      await cloud.request('GET', `/v1/stores/${storeId}/till-keys`, { token: asA }),
    );
    expect(JSON.stringify(listed)).not.toContain(issued.key);
    const [stored] = await queryRows<{ secret_hash: string }>(
      cloud.deps.db,
      sql`select secret_hash from till_keys where id = ${issued.id}`,
    );
    expect(stored?.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    const me = await ok<{ storeId: number; acceptedOffers: { id: number }[] }>(
      await till('GET', '/v1/till/store', tillKey),
    );
    expect(me).toMatchObject({ storeId, acceptedOffers: [{ id: brandA.couponOfferId }] });

    // A second store of brand A that accepts nothing, for NOT_ACCEPTED_HERE on the brand's own coupon.
    const bare = await ok<{ id: number }>(
      await cloud.request('POST', `/v1/merchants/${merchant.id}/stores`, {
        token: asA,
        body: { name: 'Airport', city: '上海', address: 'T2' },
      }),
      201,
    );
    otherTillKey = (
      await ok<{ key: string }>(
        await cloud.request('POST', `/v1/stores/${bare.id}/till-keys`, { token: asA, body: {} }),
        201,
      )
    ).key;
  });

  it.skipIf(!available)('redeems a coupon won by a tap, once, and the wallet sees it redeemed', async () => {
    const kiosk = brandA.kiosks[0] as Kiosk;
    const session = await walletSession(cloud);
    const tap = makeTap(
      kiosk,
      { walletId: session.walletId, serial: 1, key: session.phone },
      cloud.clock.nowMs,
      {
        deck: null,
        campaignId: brandA.campaignId,
        couponOfferId: brandA.couponOfferId,
        flags: 2,
      },
    );
    const won = await ok<{ status: string; couponCode: string }>(
      await cloud.request('POST', '/v1/redeem', { token: session.token, body: { token: toHex(tap) } }),
    );
    expect(won.status).toBe('credited');
    // Lower case and spaces are what a cashier types; the check character still matches.
    const typed = won.couponCode.toLowerCase().replaceAll('-', ' ');
    const seen = await ok<{
      status: string;
      acceptedHere: boolean;
      refusal: string | null;
      offer: { id: number };
    }>(await till('GET', `/v1/till/coupons/${encodeURIComponent(typed)}`, tillKey));
    expect(seen).toMatchObject({
      status: 'issued',
      acceptedHere: true,
      refusal: null,
      offer: { id: brandA.couponOfferId },
    });
    const redeemed = await ok<{ status: string; replayed: boolean; redeemedAt: string }>(
      await redeem(typed, tillKey, 'txn-1'),
    );
    expect(redeemed).toMatchObject({ status: 'redeemed', replayed: false });
    // The same till transaction again: the same answer. Another transaction: refused.
    expect(await ok(await redeem(won.couponCode, tillKey, 'txn-1'))).toMatchObject({
      status: 'redeemed',
      replayed: true,
      redeemedAt: redeemed.redeemedAt,
    });
    expect(await errorCode(await redeem(won.couponCode, tillKey, 'txn-2'))).toEqual([
      409,
      CouponErrorCode.COUPON_ALREADY_REDEEMED,
    ]);
    expect(await errorCode(await redeem(won.couponCode, tillKey))).toEqual([
      409,
      CouponErrorCode.COUPON_ALREADY_REDEEMED,
    ]);
    const after = await ok<{ refusal: string; status: string }>(
      await till('GET', `/v1/till/coupons/${won.couponCode}`, tillKey),
    );
    expect(after).toMatchObject({ status: 'redeemed', refusal: CouponErrorCode.COUPON_ALREADY_REDEEMED });
    const wallet = await ok<{ items: { code: string; status: string }[] }>(
      await cloud.request('GET', '/v1/wallets/me/coupons', { token: session.token }),
    );
    expect(wallet.items[0]).toMatchObject({ code: won.couponCode, status: 'redeemed' });
  });

  it.skipIf(!available)('refuses with every stable code', async () => {
    const good = await insertCoupon(cloud, brandA);
    const body = good.replaceAll('-', '').slice(0, 16);
    const wrongCheck = couponCheckCharacter(body) === '0' ? '1' : '0';
    expect(await errorCode(await redeem(`${body}${wrongCheck}`))).toEqual([
      400,
      CouponErrorCode.COUPON_CODE_INVALID,
    ]);
    expect(await errorCode(await till('GET', `/v1/till/coupons/${body}`, tillKey))).toEqual([
      400,
      CouponErrorCode.COUPON_CODE_INVALID,
    ]);
    expect(await errorCode(await redeem('x'.repeat(64)))).toEqual([400, CouponErrorCode.COUPON_CODE_INVALID]);
    expect(await errorCode(await redeem(formatCouponCode(newCouponBody())))).toEqual([
      404,
      CouponErrorCode.COUPON_UNKNOWN,
    ]);
    // Another brand's coupon: refused at lookup too, and nothing about it is revealed.
    const foreign = await insertCoupon(cloud, brandB);
    const lookedUp = await till('GET', `/v1/till/coupons/${foreign}`, tillKey);
    expect(await errorCode(lookedUp)).toEqual([422, CouponErrorCode.COUPON_NOT_ACCEPTED_HERE]);
    expect(await errorCode(await redeem(foreign))).toEqual([422, CouponErrorCode.COUPON_NOT_ACCEPTED_HERE]);
    // The brand's own coupon at a store that does not take the offer.
    expect(await errorCode(await redeem(good, otherTillKey))).toEqual([
      422,
      CouponErrorCode.COUPON_NOT_ACCEPTED_HERE,
    ]);
    const expired = await insertCoupon(cloud, brandA, {
      validUntil: Math.floor(cloud.clock.nowMs / 1000) - 1,
    });
    expect(await ok(await till('GET', `/v1/till/coupons/${expired}`, tillKey))).toMatchObject({
      status: 'expired',
      refusal: CouponErrorCode.COUPON_EXPIRED,
    });
    expect(await errorCode(await redeem(expired))).toEqual([410, CouponErrorCode.COUPON_EXPIRED]);
    expect((await redeem(good)).status).toBe(200);
    expect(await errorCode(await redeem(good))).toEqual([409, CouponErrorCode.COUPON_ALREADY_REDEEMED]);
  });

  it.skipIf(!available)('lets exactly one of two tills redeem a code at the same moment', async () => {
    const second = await ok<{ key: string }>(
      await cloud.request('POST', `/v1/stores/${storeId}/till-keys`, {
        token: brandA.advertiser.token,
        body: {},
      }),
      201,
    );
    for (let round = 0; round < 8; round++) {
      const code = await insertCoupon(cloud, brandA);
      const results = await Promise.all([
        redeem(code, tillKey, `a-${round}`),
        redeem(code, second.key, `b-${round}`),
      ]);
      const statuses = results.map((response) => response.status).sort();
      expect(statuses, `round ${round}`).toEqual([200, 409]);
      const loser = results.find((response) => response.status === 409);
      expect(loser && (await errorCode(loser))[1]).toBe(CouponErrorCode.COUPON_ALREADY_REDEEMED);
      const [row] = await queryRows<{ n: unknown }>(
        cloud.deps.db,
        sql`select count(*) filter (where redeemed_at is not null) as n from coupons
            where code = ${code.replaceAll('-', '').slice(0, 16)}`,
      );
      expect(Number(row?.n)).toBe(1);
    }
    // The same transaction id from two requests at once (a till retrying early): both get the one result.
    const code = await insertCoupon(cloud, brandA);
    const twins = await Promise.all([redeem(code, tillKey, 'twin'), redeem(code, tillKey, 'twin')]);
    expect(twins.map((response) => response.status)).toEqual([200, 200]);
  });

  it.skipIf(!available)(
    'scopes till keys: rotation and revocation end them, and they can do nothing else',
    async () => {
      expect((await till('GET', '/v1/campaigns', tillKey)).status).toBe(403);
      expect((await till('GET', '/v1/stores', tillKey)).status).toBe(403);
      expect((await till('GET', '/v1/wallets/me/coupons', tillKey)).status).toBe(403);
      expect((await till('GET', '/v1/auth/me', tillKey)).status).toBe(403);
      expect((await cloud.request('GET', '/v1/till/store', { token: brandA.advertiser.token })).status).toBe(
        403,
      );
      // The key with its last character changed (never to itself: a key may end in A).
      const forged = `${tillKey.slice(0, -1)}${tillKey.endsWith('A') ? 'B' : 'A'}`;
      expect((await till('GET', '/v1/till/store', forged)).status).toBe(401);

      const rotated = await ok<{ key: string; id: number }>(
        await cloud.request('POST', `/v1/stores/${storeId}/till-keys`, {
          token: brandA.advertiser.token,
          body: { revokeOthers: true },
        }),
        201,
      );
      expect(await errorCode(await till('GET', '/v1/till/store', tillKey))).toEqual([
        401,
        ErrorCode.UNAUTHENTICATED,
      ]);
      expect((await till('GET', '/v1/till/store', rotated.key)).status).toBe(200);
      expect(
        (
          await cloud.request('POST', `/v1/till-keys/${rotated.id}/revoke`, {
            token: brandB.advertiser.token,
          })
        ).status,
      ).toBe(404);
      expect(
        (
          await cloud.request('POST', `/v1/till-keys/${rotated.id}/revoke`, {
            token: brandA.advertiser.token,
          })
        ).status,
      ).toBe(200);
      expect((await till('GET', '/v1/till/store', rotated.key)).status).toBe(401);
      tillKey = (
        await ok<{ key: string }>(
          await cloud.request('POST', `/v1/stores/${storeId}/till-keys`, {
            token: brandA.advertiser.token,
            body: {},
          }),
          201,
        )
      ).key;
    },
  );

  it.skipIf(!available)(
    'rate-limits guessing per key and per address; misses cost more than hits',
    async () => {
      const limited = createTestCloud(handle, {
        tillRateLimit: { pointsMax: 30, windowMs: 60_000, failureCost: 10 },
      });
      const guess = (key: string) =>
        limited.request('GET', `/v1/till/coupons/${formatCouponCode(newCouponBody())}`, { token: key });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await guess(tillKey)).status);
      expect(statuses).toEqual([404, 404, 404, 429]);
      // The address is spent too, whatever key it uses next; wrong keys count against it as well.
      expect((await guess(otherTillKey)).status).toBe(429);
      limited.clock.nowMs += 60_000;
      const found = await insertCoupon(cloud, brandA);
      const hits: number[] = [];
      for (let i = 0; i < 25; i++)
        hits.push((await limited.request('GET', `/v1/till/coupons/${found}`, { token: tillKey })).status);
      expect(new Set(hits)).toEqual(new Set([200]));
      expect((await guess(tillKey)).status).toBe(404);
      expect((await guess(tillKey)).status).toBe(429);
    },
  );

  it.skipIf(!available)(
    'reports redemption rate and time to redeem by campaign, offer, store and city',
    async () => {
      const asA = { token: brandA.advertiser.token };
      type Row = {
        key: string;
        issued: number;
        redeemed: number;
        redemptionRate: number | null;
        redeemMedianS: number | null;
      };
      const byCampaign = await ok<{ items: Row[] }>(
        await cloud.request('GET', '/v1/reports/coupons?by=campaign', asA),
      );
      expect(byCampaign.items).toHaveLength(1);
      const [campaign] = byCampaign.items;
      expect(campaign?.key).toBe(String(brandA.campaignId));
      expect(campaign?.redeemed).toBeGreaterThanOrEqual(10);
      expect(campaign?.redemptionRate).toBeCloseTo((campaign?.redeemed ?? 0) / (campaign?.issued ?? 1));
      expect(campaign?.redeemMedianS).toBeGreaterThanOrEqual(0);
      const byStore = await ok<{ items: Row[] }>(
        await cloud.request('GET', '/v1/reports/coupons?by=store', asA),
      );
      expect(byStore.items.find((row) => row.key === String(storeId))?.redeemed).toBe(campaign?.redeemed);
      for (const by of ['offer', 'city'] as const) {
        const rows = await ok<{ items: Row[] }>(
          await cloud.request('GET', `/v1/reports/coupons?by=${by}`, asA),
        );
        expect(
          rows.items.reduce((sum, row) => sum + row.redeemed, 0),
          by,
        ).toBe(campaign?.redeemed);
      }
      // Brand B sees only its own coupons.
      const other = await ok<{ items: Row[] }>(
        await cloud.request('GET', '/v1/reports/coupons?by=campaign', { token: brandB.advertiser.token }),
      );
      expect(other.items.map((row) => row.key)).toEqual([String(brandB.campaignId)]);
      const csv = await (await cloud.request('GET', '/v1/reports/coupons?by=store&format=csv', asA)).text();
      expect(csv.split('\n')[0]).toBe(
        'store,label,issued,redeemed,expired,redemption_rate,redeem_median_s,redeem_p90_s',
      );
      // Past its row limit a report is refused, never answered with its first rows as if they were all.
      const everyDay = { by: 'campaign', from: DAY_MIN, to: DAY_MAX, now: cloud.deps.now() } as const;
      const both = await couponReport(cloud.deps.db, { kind: 'all' }, everyDay, 2);
      expect(both.map((row) => row.key).sort()).toEqual(
        [String(brandA.campaignId), String(brandB.campaignId)].sort(),
      );
      await expect(couponReport(cloud.deps.db, { kind: 'all' }, everyDay, 1)).rejects.toMatchObject({
        code: ErrorCode.REPORT_TOO_LARGE,
      });
    },
  );

  it.skipIf(!available)('seeds a demo store whose key redeems the campaign’s coupons', async () => {
    const first = await seedDemoStore(cloud.deps.db, {
      campaignId: brandB.campaignId,
      now: cloud.deps.now(),
    });
    const again = await seedDemoStore(cloud.deps.db, {
      campaignId: brandB.campaignId,
      now: cloud.deps.now(),
    });
    expect(again.storeId).toBe(first.storeId);
    expect((await till('GET', '/v1/till/store', first.tillKey)).status).toBe(401);
    const code = await insertCoupon(cloud, brandB);
    expect((await redeem(code, again.tillKey)).status).toBe(200);
  });
});
