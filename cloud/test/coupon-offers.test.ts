// Coupon offers at campaign creation: an offer that would hand out coupons already expired (validUntil
// past, or before the campaign starts) is refused with its own 400 code, and days valid must be ≥ 1.
// Money in the refusal messages is written in yuan, as people read it, not in fen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@redtap/shared';
import type { DatabaseHandle } from '../src/db/client.ts';
import { openTestDatabase } from './databases.ts';
import { advertiserSession, createTestCloud, json, operatorToken, type TestCloud } from './harness.ts';
import { oneCreative } from './money-world.ts';

const DAY_S = 86_400;

describe('coupon offers at campaign creation', () => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let token: string;
  let nowS: number;
  let creatives: { sha256: string; durationMs: number }[];

  beforeAll(async () => {
    handle = await openTestDatabase('pglite');
    cloud = createTestCloud(handle);
    nowS = Math.floor(cloud.clock.nowMs / 1000);
    token = (await advertiserSession(cloud, await operatorToken(cloud))).token;
    creatives = await oneCreative(cloud, token);
  }, 60_000);
  afterAll(async () => {
    await handle.close();
  });

  const create = async (offer: { validUntil?: number; validityDays?: number }, startsAt = nowS) =>
    cloud.request('POST', '/v1/campaigns', {
      token,
      body: {
        name: 'Offers',
        sponsor: 'Tea Co',
        startsAt,
        endsAt: startsAt + 30 * DAY_S,
        budgetFen: 1_000,
        prizePlan: { kind: 'tiers', tiers: [{ amountFen: 100, count: 10 }] },
        couponOffers: [
          {
            title: 'Free upsize',
            valueFen: 500,
            stock: 10,
            validUntil: offer.validUntil ?? nowS + 60 * DAY_S,
            validityDays: offer.validityDays ?? 30,
          },
        ],
        creatives,
      },
    });

  const codeOf = async (response: Response) => [
    response.status,
    (await json<{ error?: { code?: string } }>(response)).error?.code,
  ];

  it('refuses a validUntil already past', async () => {
    expect(await codeOf(await create({ validUntil: nowS - DAY_S }))).toEqual([
      400,
      ErrorCode.COUPON_OFFER_EXPIRED,
    ]);
  });

  it('refuses a validUntil before the campaign starts', async () => {
    const startsAt = nowS + 10 * DAY_S;
    expect(await codeOf(await create({ validUntil: startsAt - DAY_S }, startsAt))).toEqual([
      400,
      ErrorCode.COUPON_OFFER_EXPIRED,
    ]);
  });

  it('refuses zero days valid instead of rounding it up', async () => {
    expect(await codeOf(await create({ validityDays: 0 }))).toEqual([400, ErrorCode.VALIDATION_FAILED]);
  });

  it('writes amounts in a budget refusal as ¥, not fen', async () => {
    const response = await cloud.request('POST', '/v1/campaigns', {
      token,
      body: {
        name: 'Mismatch',
        sponsor: 'Tea Co',
        startsAt: nowS,
        endsAt: nowS + DAY_S,
        budgetFen: 17_680,
        prizePlan: { kind: 'tiers', tiers: [{ amountFen: 100, count: 10 }] },
        creatives,
      },
    });
    const { error } = await json<{ error: { code: string; message: string } }>(response);
    expect([response.status, error.code]).toEqual([400, ErrorCode.MONEY_INVALID]);
    expect(error.message).toContain('¥176.80');
    expect(error.message).toContain('¥10.00');
    expect(error.message).not.toMatch(/\bfen\b/);
  });

  it('accepts a validUntil after the start and today', async () => {
    expect((await create({ validUntil: nowS + DAY_S, validityDays: 1 })).status).toBe(201);
  });
});
