// Merchants, stores and a store's till keys page to their last row with the server's cursor, on PGlite
// and on PostgreSQL: nothing is cut off, a brand sees only its own rows on every page, the merchant
// filter holds across pages, and a bad cursor or page size is refused with a stable code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@redtap/shared';
import type { DatabaseHandle } from '../src/db/client.ts';
import { openTestDatabase, testEngines } from './databases.ts';
import { advertiserSession, createTestCloud, json, operatorToken, type TestCloud } from './harness.ts';

const engines = await testEngines();

interface Page<T> {
  items: T[];
  nextAfter: number | null;
}
interface Row {
  id: number;
  advertiserId: number;
}
interface StoreRow extends Row {
  merchantId: number;
}
interface KeyRow {
  id: number;
  storeId: number;
  revokedAt: string | null;
}

/** More rows than one page of LIMIT, and a last page that is not full. */
const LIMIT = 3;
const MERCHANTS = 7;
const STORES = 8;
const KEYS = 7;

describe.each(engines)('merchant, store and till key pages on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let operator: string;
  let brand: { token: string; advertiserId: number };
  let other: { token: string; advertiserId: number };
  const merchantIds: number[] = [];
  const storeIds: number[] = [];
  const keyIds: number[] = [];
  let busyMerchant = 0;
  let busyStore = 0;

  async function ok<T>(response: Response, status = 200): Promise<T> {
    if (response.status !== status) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
    return json<T>(response);
  }

  /** Every row of a list, following `cursor` of each page until it is null; fails on a cursor loop. */
  async function readAll<T>(
    path: (cursor: number) => string,
    token: string,
    cursorOf: (page: { items: T[] } & Record<string, unknown>) => number | null,
  ): Promise<{ items: T[]; pages: number }> {
    const items: T[] = [];
    let cursor = 0;
    for (let pages = 1; pages <= 50; pages++) {
      const page = await ok<{ items: T[] } & Record<string, unknown>>(
        await cloud.request('GET', path(cursor), { token }),
      );
      expect(page.items.length).toBeLessThanOrEqual(LIMIT);
      items.push(...page.items);
      const next = cursorOf(page);
      if (next === null) return { items, pages };
      cursor = next;
    }
    throw new Error('the cursor never ran out');
  }
  const after = (page: Record<string, unknown>) => page.nextAfter as number | null;
  const before = (page: Record<string, unknown>) => page.nextBefore as number | null;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle);
    operator = await operatorToken(cloud);
    brand = await advertiserSession(cloud, operator);
    other = await advertiserSession(cloud, operator);
    for (let i = 0; i < MERCHANTS; i++) {
      const merchant = await ok<{ id: number }>(
        await cloud.request('POST', '/v1/merchants', { token: brand.token, body: { name: `Mart ${i}` } }),
        201,
      );
      merchantIds.push(merchant.id);
      // The other brand's rows sit between the brand's ids: a page must skip them, not stop at them.
      await ok(
        await cloud.request('POST', '/v1/merchants', { token: other.token, body: { name: `Other ${i}` } }),
        201,
      );
    }
    busyMerchant = merchantIds[0] ?? 0;
    for (let i = 0; i < STORES; i++) {
      const merchantId = i < STORES - 1 ? busyMerchant : (merchantIds[1] ?? 0);
      const store = await ok<{ id: number }>(
        await cloud.request('POST', `/v1/merchants/${merchantId}/stores`, {
          token: brand.token,
          body: { name: `Store ${i}`, city: '上海', address: `${i} Road` },
        }),
        201,
      );
      storeIds.push(store.id);
    }
    busyStore = storeIds[0] ?? 0;
    for (let i = 0; i < KEYS; i++) {
      const key = await ok<{ id: number }>(
        await cloud.request('POST', `/v1/stores/${busyStore}/till-keys`, {
          token: brand.token,
          body: { revokeOthers: true },
        }),
        201,
      );
      keyIds.push(key.id);
    }
  }, 120_000);
  afterAll(async () => {
    if (available) await handle.close();
  });

  it.skipIf(!available)('pages merchants by id to the last, each brand only its own', async () => {
    const mine = await readAll<Row>(
      (cursor) => `/v1/merchants?limit=${LIMIT}&after=${cursor}`,
      brand.token,
      after,
    );
    expect(mine.items.map((merchant) => merchant.id)).toEqual(merchantIds);
    expect(mine.pages).toBe(Math.ceil(MERCHANTS / LIMIT));
    expect(mine.items.every((merchant) => merchant.advertiserId === brand.advertiserId)).toBe(true);
    const every = await readAll<Row>(
      (cursor) => `/v1/merchants?limit=${LIMIT}&after=${cursor}`,
      operator,
      after,
    );
    expect(every.items).toHaveLength(2 * MERCHANTS);
    expect(new Set(every.items.map((merchant) => merchant.id)).size).toBe(2 * MERCHANTS);
  });

  it.skipIf(!available)('pages stores by id to the last, of one merchant when asked', async () => {
    const all = await readAll<StoreRow>(
      (cursor) => `/v1/stores?limit=${LIMIT}&after=${cursor}`,
      brand.token,
      after,
    );
    expect(all.items.map((store) => store.id)).toEqual(storeIds);
    const busy = await readAll<StoreRow>(
      (cursor) => `/v1/stores?merchantId=${busyMerchant}&limit=${LIMIT}&after=${cursor}`,
      brand.token,
      after,
    );
    expect(busy.items.map((store) => store.id)).toEqual(storeIds.slice(0, STORES - 1));
    expect(busy.items.every((store) => store.merchantId === busyMerchant)).toBe(true);
    expect(busy.pages).toBe(Math.ceil((STORES - 1) / LIMIT));
    // Another brand pages through none of them, even naming the merchant.
    const foreign = await ok<Page<StoreRow>>(
      await cloud.request('GET', `/v1/stores?merchantId=${busyMerchant}&limit=${LIMIT}`, {
        token: other.token,
      }),
    );
    expect(foreign).toEqual({ items: [], nextAfter: null });
  });

  it.skipIf(!available)("pages a store's till keys newest first to the oldest", async () => {
    const keys = await readAll<KeyRow>(
      (cursor) => `/v1/stores/${busyStore}/till-keys?limit=${LIMIT}&before=${cursor}`,
      brand.token,
      before,
    );
    expect(keys.items.map((key) => key.id)).toEqual([...keyIds].reverse());
    expect(keys.items.every((key) => key.storeId === busyStore)).toBe(true);
    // Each issue rotated the others out: only the newest is live.
    expect(keys.items.map((key) => key.revokedAt === null)).toEqual([
      true,
      ...Array<boolean>(KEYS - 1).fill(false),
    ]);
    const byDefault = await ok<{ items: KeyRow[]; nextBefore: number | null }>(
      await cloud.request('GET', `/v1/stores/${busyStore}/till-keys`, { token: brand.token }),
    );
    expect([byDefault.items.length, byDefault.nextBefore]).toEqual([KEYS, null]);
    const foreign = await cloud.request('GET', `/v1/stores/${busyStore}/till-keys`, { token: other.token });
    expect(foreign.status).toBe(404);
  });

  it.skipIf(!available)('refuses a page size or cursor out of range with VALIDATION_FAILED', async () => {
    for (const path of [
      '/v1/merchants?limit=0',
      '/v1/merchants?limit=101',
      '/v1/stores?after=-1',
      '/v1/stores?limit=x',
      `/v1/stores/${busyStore}/till-keys?before=-1`,
      `/v1/stores/${busyStore}/till-keys?limit=1000`,
    ]) {
      const response = await cloud.request('GET', path, { token: brand.token });
      const body = await json<{ error?: { code?: string } }>(response);
      expect([path, response.status, body.error?.code]).toEqual([path, 400, ErrorCode.VALIDATION_FAILED]);
    }
  });
});
