// Revocations as a numbered log (docs/protocol.md §5.5, §5.8): each revocation takes the next numbers,
// a screen config carries the latest number and a bounded window, and a screen pages the rest over
// HTTP with its broker login. With 200,000 revocations the config stays small and a screen that starts
// from 0 reaches every unexpired revocation through signed pages.
import { sql } from 'drizzle-orm';
import { PgPreparedQuery } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ErrorCode,
  REVOCATION_PAGE_MAX,
  REVOCATION_WINDOW_MAX,
  RevocationPage,
  fromHex,
  generateKeyPair,
  importPublicKeyRaw,
  toHex,
  verifyRevocationPage,
  type ScreenConfig,
} from '@redtap/shared';
import type { DatabaseHandle } from '../src/db/client.ts';
import { createApp } from '../src/http/app.ts';
import { createMetricsRegistry } from '../src/http/metrics.ts';
import { int, queryRows } from '../src/db/rows.ts';
import { dispatchScreenConfigs, markAllScreenConfigsStale } from '../src/services/config-dispatcher.ts';
import { screenConfigOptionsOf } from '../src/services/screen-config.ts';
import { dispatchTestConfigs } from './config-dispatch.ts';
import { openTestDatabase, testEngines } from './databases.ts';
import { createTestCloud, enrolBody, json, operatorToken, type TestCloud } from './harness.ts';

const engines = await testEngines();

/** What a config may weigh whatever the number of revocations: the window's share is at most ~41 kB. */
const CONFIG_BYTES_BOUND = 128 * 1024;

describe.each(engines)('revocation log on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let operator: string;
  let screen: { id: number; basic: string };

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle);
    operator = await operatorToken(cloud);
    const created = await cloud.request('POST', '/v1/screens', {
      token: operator,
      body: { name: 'Lobby', city: 'Ningbo', building: 'Harbour', elevator: 'R1' },
    });
    const id = (await json<{ id: number }>(created)).id;
    const code = await json<{ code: string }>(
      await cloud.request('POST', `/v1/screens/${id}/enrolment-codes`, { token: operator }),
    );
    const enrolled = await json<{ mqtt: { username: string; password: string } }>(
      await cloud.request('POST', '/v1/enrol', { body: enrolBody(code.code, generateKeyPair()) }),
    );
    const login = `${enrolled.mqtt.username}:${enrolled.mqtt.password}`;
    screen = { id, basic: `Basic ${Buffer.from(login).toString('base64')}` };
  }, 180_000);
  afterAll(async () => {
    if (available) await handle.close();
  });

  const published = (): ScreenConfig => {
    const config = cloud.broker.configs.get(screen.id);
    if (config === undefined) throw new Error('no config published');
    return config;
  };

  async function revokeNewWallet(): Promise<{ walletId: number; serial: number }> {
    const issued = await json<{ walletId: number; credentialSerial: number }>(
      await cloud.request('POST', '/v1/wallets', {
        body: { publicKey: toHex(generateKeyPair().publicKeyRaw) },
      }),
    );
    const revoked = await cloud.request(
      'POST',
      `/v1/wallets/${issued.walletId}/credentials/${issued.credentialSerial}/revoke`,
      { token: operator },
    );
    expect(revoked.status).toBe(200);
    return { walletId: issued.walletId, serial: issued.credentialSerial };
  }

  function page(after: number, options: { limit?: number; authorization?: string } = {}) {
    const limit = options.limit === undefined ? '' : `&limit=${options.limit}`;
    return cloud.app.request(`/v1/screens/me/revocations?after=${after}${limit}`, {
      headers: { authorization: options.authorization ?? screen.basic },
    });
  }

  function issuerKey(keyId: number) {
    const offered = published().issuerKeys.find((key) => key.keyId === keyId);
    const raw = offered === undefined ? null : fromHex(offered.publicKey);
    const imported = raw === null ? null : importPublicKeyRaw(raw);
    if (imported?.ok !== true) throw new Error(`issuer key ${keyId} is not in the config`);
    return imported.value;
  }

  /** Pages from `after` until the config's version, checking every signature; the entries seen. */
  async function catchUp(after: number, target: number, limit?: number) {
    const entries: string[] = [];
    let pages = 0;
    while (after < target) {
      const response = await page(after, limit === undefined ? {} : { limit });
      expect(response.status).toBe(200);
      const body = RevocationPage.parse(await response.json());
      expect(body.after).toBe(after);
      expect(body.through).toBeGreaterThan(after);
      expect(verifyRevocationPage(screen.id, body, issuerKey(body.keyId))).toBe(true);
      // Another screen could not take this page as its own.
      expect(verifyRevocationPage(screen.id + 1, body, issuerKey(body.keyId))).toBe(false);
      entries.push(...body.entries);
      after = body.through;
      pages += 1;
    }
    return { entries, pages, reached: after };
  }

  it.skipIf(!available)(
    'numbers each revocation, carries it in the window and the v1 list, and pages it to a screen',
    async () => {
      await dispatchTestConfigs(cloud);
      const before = published().revocation.version;
      const first = await revokeNewWallet();
      const second = await revokeNewWallet();
      await dispatchTestConfigs(cloud);
      const { revocation } = published();
      expect(revocation.version).toBe(before + 2);
      expect(revocation.since).toBe(Math.max(0, revocation.version - REVOCATION_WINDOW_MAX));
      const wanted = [first, second].map(({ walletId, serial }) => `${walletId}:${serial}`);
      expect(revocation.recent?.map((entry) => entry.split(':').slice(0, 2).join(':'))).toEqual(
        expect.arrayContaining(wanted),
      );
      // The v1 list, complete while it fits: kiosks from before the window keep working.
      expect(revocation.credentials).toEqual(expect.arrayContaining(wanted));
      const caught = await catchUp(0, revocation.version);
      expect(caught.reached).toBe(revocation.version);
      expect(caught.entries).toEqual(revocation.recent);
    },
  );

  it.skipIf(!available)('refuses a page to anyone but a screen, and a number beyond the latest', async () => {
    const anonymous = await cloud.app.request('/v1/screens/me/revocations?after=0');
    expect([anonymous.status, (await json<{ error: { code: string } }>(anonymous)).error.code]).toEqual([
      401,
      ErrorCode.UNAUTHENTICATED,
    ]);
    const operatorCall = await page(0, { authorization: `Bearer ${operator}` });
    expect([operatorCall.status, (await json<{ error: { code: string } }>(operatorCall)).error.code]).toEqual(
      [403, ErrorCode.FORBIDDEN],
    );
    const wrong = `Basic ${Buffer.from(`screen-${screen.id}:not-the-password`).toString('base64')}`;
    const refused = await page(0, { authorization: wrong });
    expect([refused.status, (await json<{ error: { code: string } }>(refused)).error.code]).toEqual([
      401,
      ErrorCode.UNAUTHENTICATED,
    ]);
    const ahead = await page(published().revocation.version + 1);
    expect([ahead.status, (await json<{ error: { code: string } }>(ahead)).error.code]).toEqual([
      400,
      ErrorCode.VALIDATION_FAILED,
    ]);
    const tooMany = await page(0, { limit: REVOCATION_PAGE_MAX + 1 });
    expect(tooMany.status).toBe(400);
  });

  it.skipIf(!available)(
    'counts screen logins per address before hashing: over the limit a login is refused unhashed',
    async () => {
      // The same cloud (its issuer keys) with a limit of 2 and a clock of its own.
      const clock = { nowMs: cloud.clock.nowMs };
      const limited = createApp({
        ...cloud.deps,
        metrics: createMetricsRegistry({ defaultMetrics: false }),
        now: () => new Date(clock.nowMs),
        settings: { ...cloud.deps.settings, screenLoginRateLimit: { limit: 2, windowMs: 60_000 } },
      });
      const authenticate = vi.spyOn(cloud.deps.screenAuth, 'authenticate');
      const wrong = `Basic ${Buffer.from(`screen-${screen.id}:not-the-password`).toString('base64')}`;
      const call = async (authorization: string) => {
        const response = await limited.request('/v1/screens/me/revocations?after=0', {
          headers: { authorization },
        });
        return [response.status, (await json<{ error?: { code: string } }>(response)).error?.code];
      };
      expect(await call(wrong)).toEqual([401, ErrorCode.UNAUTHENTICATED]);
      expect(await call(screen.basic)).toEqual([200, undefined]);
      expect(await call(wrong)).toEqual([429, ErrorCode.RATE_LIMITED]);
      // The right login too, from an address over its limit: counted before it is checked.
      expect(await call(screen.basic)).toEqual([429, ErrorCode.RATE_LIMITED]);
      expect(authenticate).toHaveBeenCalledTimes(2);
      // A request without a screen login is not counted.
      const anonymous = await limited.request('/v1/screens/me/revocations?after=0');
      expect(anonymous.status).toBe(401);
      expect(authenticate).toHaveBeenCalledTimes(2);
      // The next window lets the screen in again.
      clock.nowMs += 60_000;
      expect(await call(screen.basic)).toEqual([200, undefined]);
      authenticate.mockRestore();
    },
  );

  it.skipIf(!available)(
    'a dispatcher pass reads the revocations and issuer keys once, however many screens it builds',
    async () => {
      await revokeNewWallet();
      await handle.db.execute(
        sql`insert into screens (name, city, building, elevator, timezone, status)
            select 'Lobby ' || n, 'Ningbo', 'Harbour', 'P' || n, 'Asia/Shanghai', 'active'
            from generate_series(1, 60) as n`,
      );
      await markAllScreenConfigsStale(handle.db);
      // Every statement of either driver goes through drizzle's prepared query.
      const spy = vi.spyOn(
        PgPreparedQuery.prototype as unknown as { queryWithCache: (...args: unknown[]) => Promise<unknown> },
        'queryWithCache',
      );
      try {
        const outcome = await dispatchScreenConfigs({
          db: handle.db,
          publish: (screenId, config) => cloud.broker.publishConfig(screenId, config),
          options: () => screenConfigOptionsOf(cloud.deps.settings),
          now: cloud.deps.now,
        });
        expect(outcome.published).toBeGreaterThanOrEqual(61);
        const reading = (table: string) =>
          spy.mock.calls.filter(([query]) => typeof query === 'string' && query.includes(table)).length;
        // The window and the v1 list, and the latest number: once per pass, not per screen.
        expect(reading('wallet_credentials')).toBe(2);
        expect(reading('revocation_head')).toBe(1);
        expect(reading('issuer_keys')).toBe(1);
      } finally {
        spy.mockRestore();
      }
    },
  );

  it.skipIf(!available)(
    'with 200,000 revocations the config stays bounded and a screen from 0 pages to every unexpired one',
    async () => {
      const wallet = await revokeNewWallet();
      const nowS = Math.floor(cloud.deps.now().getTime() / 1000);
      const count = 200_000;
      // Set-based, as a revocation would number them: serials 1001.. of one wallet, every third expired.
      await handle.db.execute(sql`
        with head as (update revocation_head set seq = seq + ${count} where id = 1 returning seq)
        insert into wallet_credentials (wallet_id, serial, issuer_key_id, expires_at, revoked_at, revocation_seq)
        select ${wallet.walletId}, 1000 + n, 0,
               case when n % 3 = 0 then ${nowS - 60}::bigint else ${nowS + 86_400}::bigint end,
               now(), head.seq - ${count}::bigint + n
        from generate_series(1, ${count}) as n, head`);
      const [unexpired] = await queryRows<{ n: unknown }>(
        handle.db,
        sql`select count(*) as n from wallet_credentials
            where revocation_seq is not null and expires_at > ${nowS}`,
      );
      await dispatchTestConfigs(cloud);
      const config = published();
      const bytes = Buffer.byteLength(JSON.stringify(config));
      expect(bytes).toBeLessThan(CONFIG_BYTES_BOUND);
      expect(config.revocation.version).toBeGreaterThanOrEqual(count);
      // Too many for the v1 list: it is left out rather than cut.
      expect(config.revocation.credentials).toBeUndefined();
      expect(config.revocation.recent?.length).toBeLessThanOrEqual(REVOCATION_WINDOW_MAX);

      const caught = await catchUp(0, config.revocation.version);
      expect(caught.reached).toBe(config.revocation.version);
      expect(new Set(caught.entries).size).toBe(int(unexpired?.n));
      expect(caught.entries).toHaveLength(int(unexpired?.n));
      // Expired revocations are skipped, not sent: a screen from 0 receives the snapshot of the live ones.
      expect(caught.entries.every((entry) => Number(entry.split(':')[2]) > nowS)).toBe(true);
      expect(caught.pages).toBeGreaterThan(1);
      // A screen inside the window needs no page at all: the window ends at the version.
      expect(config.revocation.recent).toEqual(
        caught.entries.slice(-(config.revocation.recent?.length ?? 0)),
      );

      // The version only rises: the next revocation takes the next number.
      await revokeNewWallet();
      await dispatchTestConfigs(cloud);
      expect(published().revocation.version).toBe(config.revocation.version + 1);
    },
    300_000,
  );
});
