// The till's guessing limit holds under attack, on PGlite and PostgreSQL: hundreds of parallel lookups
// with one key get no more answers than the limit (each request reserves its cost before it runs), and
// a flood of requests from more client addresses than the in-memory table tracks does not reset the
// key's budget (it is kept per key in the database, apart from the per-address counts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCouponCode, newCouponBody } from '../src/coupons/coupon-code.ts';
import type { DatabaseHandle } from '../src/db/client.ts';
import { openTestDatabase, testEngines } from './databases.ts';
import { advertiserSession, createTestCloud, json, operatorToken, type TestCloud } from './harness.ts';

const engines = await testEngines();
/** As in production: 60 wrong guesses a minute per key. */
const LIMIT = { pointsMax: 600, windowMs: 60_000, failureCost: 10 };
const WRONG_GUESSES_MAX = LIMIT.pointsMax / LIMIT.failureCost;
const ADDRESSES_FLOODED = 10_050;

describe.each(engines)('till guessing limit on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let brandToken = '';
  let storeId = 0;

  const newTillKey = async (): Promise<string> => {
    const response = await cloud.request('POST', `/v1/stores/${storeId}/till-keys`, {
      token: brandToken,
      body: {},
    });
    expect(response.status).toBe(201);
    return (await json<{ key: string }>(response)).key;
  };
  /** A lookup of a well-formed code nobody holds, from the given client address. */
  const guess = async (key: string, address: string) =>
    cloud.app.request(`/v1/till/coupons/${formatCouponCode(newCouponBody())}`, {
      headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': address },
    });
  const addressOf = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle, { tillRateLimit: LIMIT, trustProxy: true });
    const operator = await operatorToken(cloud);
    brandToken = (await advertiserSession(cloud, operator)).token;
    const merchant = await json<{ id: number }>(
      await cloud.request('POST', '/v1/merchants', { token: brandToken, body: { name: 'Guess Mart' } }),
    );
    const store = await json<{ id: number }>(
      await cloud.request('POST', `/v1/merchants/${merchant.id}/stores`, {
        token: brandToken,
        body: { name: 'Guess Mart 1', city: 'Shanghai', address: '1 Guess Road' },
      }),
    );
    storeId = store.id;
  }, 120_000);

  afterAll(async () => {
    if (available) await handle.close();
  });

  it.skipIf(!available)(
    'answers at most the limit to 400 parallel lookups with one key',
    async () => {
      const key = await newTillKey();
      // Each from its own address, so only the key's budget stands in the way.
      const responses = await Promise.all(Array.from({ length: 400 }, (_, n) => guess(key, addressOf(n))));
      const statuses = responses.map((response) => response.status);
      const answered = statuses.filter((status) => status !== 429);
      expect(answered.every((status) => status === 404)).toBe(true);
      expect(answered.length).toBeLessThanOrEqual(WRONG_GUESSES_MAX);
      expect(answered.length).toBeGreaterThan(0);
      // And from one address, the address's own budget holds the same way.
      const other = await newTillKey();
      const sameAddress = await Promise.all(Array.from({ length: 400 }, () => guess(other, '192.0.2.7')));
      expect(sameAddress.filter((response) => response.status !== 429).length).toBeLessThanOrEqual(
        WRONG_GUESSES_MAX,
      );
    },
    180_000,
  );

  it.skipIf(!available)(
    'keeps a limited key limited through a flood of 10,050 client addresses',
    async () => {
      const key = await newTillKey();
      let answered = 0;
      for (let n = 0; n < WRONG_GUESSES_MAX + 5; n++)
        if ((await guess(key, '198.51.100.1')).status !== 429) answered += 1;
      expect(answered).toBe(WRONG_GUESSES_MAX);
      // Requests presenting a (malformed) till key from ever new addresses: each is tracked per address.
      for (let n = 0; n < ADDRESSES_FLOODED; n++) {
        const response = await cloud.app.request('/v1/till/store', {
          headers: { authorization: 'Bearer rttk_flood', 'x-forwarded-for': addressOf(100_000 + n) },
        });
        expect(response.status).toBe(401);
      }
      const after = await Promise.all(
        Array.from({ length: 40 }, (_, n) => guess(key, addressOf(200_000 + n))),
      );
      expect(after.map((response) => response.status)).toEqual(Array.from({ length: 40 }, () => 429));
      // The budget comes back with the next window, not before.
      cloud.clock.nowMs += LIMIT.windowMs;
      expect((await guess(key, '198.51.100.1')).status).toBe(404);
    },
    300_000,
  );
});
