// Screen configs as desired state: a revocation or key rotation answers with what it queued and
// publishes nothing itself; the config dispatcher publishes to every active screen, rides out a broker
// outage with backoff, splits the work between replicas without regressing a version, and the request's
// statement count does not grow with the fleet.
import { generateKeyPair, toHex, type ScreenConfig } from '@redtap/shared';
import { sql } from 'drizzle-orm';
import { PgPreparedQuery } from 'drizzle-orm/pg-core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DatabaseHandle } from '../src/db/client.ts';
import { int, queryRows } from '../src/db/rows.ts';
import {
  defaultConfigDispatchLimits,
  dispatchScreenConfigs,
  markAllScreenConfigsStale,
  startScreenConfigDispatcher,
  type ConfigDispatchDeps,
  type PublishScreenConfig,
} from '../src/services/config-dispatcher.ts';
import { backoffMs } from '../src/services/leased-work.ts';
import { screenConfigOptionsOf } from '../src/services/screen-config.ts';
import { drainScreenConfigs } from './config-dispatch.ts';
import { openTestDatabase, testEngines } from './databases.ts';
import { createTestCloud, json, operatorToken, type TestCloud } from './harness.ts';

const engines = await testEngines();

interface Progress {
  generation: number;
  screens: number;
  applied: number;
  retrying: number;
  confirmed: number | null;
}

describe.each(engines)('screen config dispatcher on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let operator: string;
  let city = 0;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle);
    operator = await operatorToken(cloud);
  }, 180_000);
  afterAll(async () => {
    if (available) await handle.close();
  });

  /** `count` active screens in one statement (the trigger gives each its config state row). */
  async function activeScreens(count: number): Promise<number[]> {
    city += 1;
    const rows = await queryRows<{ id: unknown }>(
      handle.db,
      sql`insert into screens (name, city, building, elevator, timezone, status)
          select 'Lobby ' || n, ${`City ${city}`}, 'Tower', 'E' || n, 'Asia/Shanghai', 'active'
          from generate_series(1, ${count}) as n
          returning id`,
    );
    return rows.map((row) => int(row.id));
  }

  function dispatchDeps(publish: PublishScreenConfig, overrides: Partial<ConfigDispatchDeps> = {}) {
    return {
      db: handle.db,
      publish,
      options: () => screenConfigOptionsOf(cloud.deps.settings),
      now: cloud.deps.now,
      ...overrides,
    } satisfies ConfigDispatchDeps;
  }
  const toBroker: PublishScreenConfig = (screenId, config) => cloud.broker.publishConfig(screenId, config);

  async function revokeNewWallet(): Promise<{
    credential: string;
    queued: { screens: number; generation: number };
  }> {
    const phone = generateKeyPair();
    const issued = await json<{ walletId: number; credentialSerial: number }>(
      await cloud.request('POST', '/v1/wallets', { body: { publicKey: toHex(phone.publicKeyRaw) } }),
    );
    const response = await cloud.request(
      'POST',
      `/v1/wallets/${issued.walletId}/credentials/${issued.credentialSerial}/revoke`,
      { token: operator },
    );
    expect(response.status).toBe(200);
    const body = await json<{ queued: { screens: number; generation: number } }>(response);
    return { credential: `${issued.walletId}:${issued.credentialSerial}`, queued: body.queued };
  }

  async function progress(generation?: number): Promise<Progress> {
    const query = generation === undefined ? '' : `?generation=${generation}`;
    const response = await cloud.request('GET', `/v1/screen-configs/progress${query}`, { token: operator });
    expect(response.status).toBe(200);
    return json<Progress>(response);
  }

  it.skipIf(!available)(
    'a revocation answers with what it queued, publishes nothing, and the dispatcher publishes it everywhere',
    async () => {
      const ids = await activeScreens(30);
      await drainScreenConfigs(dispatchDeps(toBroker));
      cloud.broker.configs.clear();

      const { credential, queued } = await revokeNewWallet();
      const active = await progress();
      expect(queued.screens).toBe(active.screens);
      expect(active).toMatchObject({ generation: queued.generation, applied: 0 });
      expect(cloud.broker.configs.size).toBe(0);

      const outcome = await drainScreenConfigs(dispatchDeps(toBroker));
      expect(outcome.failed).toBe(0);
      for (const id of ids)
        expect(cloud.broker.configs.get(id)?.revocation.credentials).toContain(credential);
      expect(await progress(queued.generation)).toMatchObject({ applied: active.screens, retrying: 0 });

      // Nothing is left: another pass claims nothing and publishes nothing.
      cloud.broker.configs.clear();
      expect((await dispatchScreenConfigs(dispatchDeps(toBroker))).claimed).toBe(0);
      expect(cloud.broker.configs.size).toBe(0);

      // An unknown credential still answers 404 and queues nothing.
      const before = await progress();
      const missing = await cloud.request('POST', `/v1/wallets/${ids[0]}/credentials/999/revoke`, {
        token: operator,
      });
      expect(missing.status).toBe(404);
      expect((await progress()).generation).toBe(before.generation);
    },
  );

  it.skipIf(!available)(
    'counts the kiosks that confirmed a revocation in their heartbeats, not the configs published',
    async () => {
      const ids = await activeScreens(4);
      const phone = generateKeyPair();
      const issued = await json<{ walletId: number; credentialSerial: number }>(
        await cloud.request('POST', '/v1/wallets', { body: { publicKey: toHex(phone.publicKeyRaw) } }),
      );
      const revoked = await json<{ revocationNumber: number; queued: { generation: number } }>(
        await cloud.request(
          'POST',
          `/v1/wallets/${issued.walletId}/credentials/${issued.credentialSerial}/revoke`,
          { token: operator },
        ),
      );
      expect(revoked.revocationNumber).toBeGreaterThan(0);
      const { generation } = revoked.queued;
      const asked = async () => {
        const response = await cloud.request(
          'GET',
          `/v1/screen-configs/progress?generation=${generation}&revocation=${revoked.revocationNumber}`,
          { token: operator },
        );
        expect(response.status).toBe(200);
        return json<Progress>(response);
      };
      await drainScreenConfigs(dispatchDeps(toBroker));
      const published = await asked();
      expect(published.applied).toBe(published.screens);
      expect(published.confirmed).toBe(0);
      expect((await progress(generation)).confirmed).toBeNull();

      const heartbeat = (screenId: number, revocations?: number) =>
        cloud.broker.deliverEvent({
          screenId,
          event: {
            type: 'heartbeat',
            ts: Math.floor(cloud.clock.nowMs / 1000),
            appVersion: 'test',
            counter: 0,
            backlog: 0,
            decks: [],
            ...(revocations === undefined ? {} : { revocations }),
          },
        });
      const [first = 0, second = 0, third = 0, fourth = 0] = ids;
      await heartbeat(first, revoked.revocationNumber);
      await heartbeat(second, revoked.revocationNumber + 5);
      await heartbeat(third, revoked.revocationNumber - 1);
      // A kiosk that does not report the number is never counted as confirming.
      await heartbeat(fourth);
      expect((await asked()).confirmed).toBe(2);
      // A heartbeat without the field keeps what an earlier one said.
      await heartbeat(third, revoked.revocationNumber);
      await heartbeat(third);
      expect((await asked()).confirmed).toBe(3);

      const refused = await cloud.request('GET', '/v1/screen-configs/progress?revocation=0', {
        token: operator,
      });
      expect(refused.status).toBe(400);
    },
  );

  it.skipIf(!available)('an issuer key rotation queues every screen too', async () => {
    const [id] = await activeScreens(3);
    const response = await cloud.request('POST', '/v1/issuer-keys/rotate', { token: operator });
    expect(response.status).toBe(200);
    const rotated = await json<{ keyId: number; queued: { screens: number; generation: number } }>(response);
    expect(rotated.queued.screens).toBe((await progress()).screens);
    await drainScreenConfigs(dispatchDeps(toBroker));
    expect(cloud.broker.configs.get(id ?? 0)?.issuerKeys.map((key) => key.keyId)).toContain(rotated.keyId);
  });

  it.skipIf(!available)('a broker outage during a revocation delays it and loses nothing', async () => {
    const ids = await activeScreens(20);
    await drainScreenConfigs(dispatchDeps(toBroker));
    let refusing = true;
    const refused: number[] = [];
    const flaky: PublishScreenConfig = async (screenId, config) => {
      if (refusing) {
        refused.push(screenId);
        throw new Error('connection refused');
      }
      await toBroker(screenId, config);
    };
    const random = () => 0.5;
    const deps = dispatchDeps(flaky, { random });

    const { credential, queued } = await revokeNewWallet();
    const first = await drainScreenConfigs(deps);
    expect(first.failed).toBe(queued.screens);
    expect(first.published).toBe(0);
    expect(await progress(queued.generation)).toMatchObject({ applied: 0, retrying: queued.screens });
    // Backing off: at the same time nothing is claimed again.
    expect((await dispatchScreenConfigs(deps)).claimed).toBe(0);

    // Still down at the first retry; the second wait is longer.
    cloud.clock.nowMs += backoffMs(1, defaultConfigDispatchLimits, random);
    expect((await drainScreenConfigs(deps)).failed).toBe(queued.screens);
    const [state] = await queryRows<{ attempts: unknown; next_attempt_at: unknown; last_error: string }>(
      handle.db,
      sql`select attempts, next_attempt_at, last_error from screen_config_state where screen_id = ${ids[0]}`,
    );
    expect(int(state?.attempts)).toBe(2);
    expect(int(state?.next_attempt_at) - cloud.clock.nowMs).toBe(
      backoffMs(2, defaultConfigDispatchLimits, random),
    );
    expect(state?.last_error).toBe('connection refused');

    refusing = false;
    cloud.clock.nowMs += backoffMs(2, defaultConfigDispatchLimits, random);
    const after = await drainScreenConfigs(deps);
    expect(after).toMatchObject({ failed: 0, published: queued.screens });
    for (const id of ids) expect(cloud.broker.configs.get(id)?.revocation.credentials).toContain(credential);
    expect(await progress(queued.generation)).toMatchObject({ applied: queued.screens, retrying: 0 });
    expect(refused.length).toBe(2 * queued.screens);
  });

  it.skipIf(!available)('a dispatcher started later picks up what was left stale, and stops', async () => {
    const ids = await activeScreens(10);
    const { credential, queued } = await revokeNewWallet();
    const dispatcher = startScreenConfigDispatcher({
      ...dispatchDeps(toBroker),
      logger: pino({ level: 'silent' }),
    });
    try {
      await dispatcher.idle();
      for (const id of ids)
        expect(cloud.broker.configs.get(id)?.revocation.credentials).toContain(credential);
      expect((await progress(queued.generation)).applied).toBe(queued.screens);
    } finally {
      await dispatcher.close();
    }
  });

  it.skipIf(!available)(
    'two replicas publish each screen once per version and never regress one',
    async () => {
      const ids = new Set(await activeScreens(60));
      await drainScreenConfigs(dispatchDeps(toBroker));
      const seen = new Map<number, number[]>();
      const recording: PublishScreenConfig = async (screenId, config: ScreenConfig) => {
        // Let the other replica run between claim and publish.
        await new Promise((resolve) => setImmediate(resolve));
        if (ids.has(screenId)) seen.set(screenId, [...(seen.get(screenId) ?? []), config.version]);
        await toBroker(screenId, config);
      };
      const limits = { ...defaultConfigDispatchLimits, batchSizeMax: 7, concurrency: 3 };
      const replica = (db: DatabaseHandle['db']) =>
        drainScreenConfigs(dispatchDeps(recording, { db, limits }));
      const second = await openSecondHandle();
      try {
        for (let round = 0; round < 3; round++) {
          await revokeNewWallet();
          await Promise.all([replica(handle.db), replica(second.db)]);
        }
      } finally {
        await second.close();
      }
      for (const id of ids) {
        const versions = seen.get(id) ?? [];
        // Three changes of content: three versions, each published once, in order.
        expect(versions).toHaveLength(3);
        for (let i = 1; i < versions.length; i++) expect(versions[i]).toBeGreaterThan(versions[i - 1] ?? 0);
      }
      expect((await progress()).retrying).toBe(0);
    },
    // Three rounds over every screen of the suite on one PGlite engine: generous for a loaded machine.
    120_000,
  );

  /** A second connection pool on the same PostgreSQL database (PGlite has one engine: the same handle). */
  async function openSecondHandle(): Promise<{ db: DatabaseHandle['db']; close: () => Promise<void> }> {
    if (engine === 'pglite') return { db: handle.db, close: () => Promise.resolve() };
    const [row] = await queryRows<{ name: string }>(handle.db, sql`select current_database() as name`);
    const url = new URL(
      process.env.REDTAP_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    );
    url.pathname = `/${row?.name ?? ''}`;
    const { openDatabase } = await import('../src/db/client.ts');
    const other = await openDatabase({ engine: 'postgres', url: url.toString(), poolSizeMax: 4 });
    return { db: other.db, close: () => other.close() };
  }

  it.skipIf(!available)(
    'the revocation request runs as many statements for 2,000 screens as for 20',
    async () => {
      const statements = async (work: () => Promise<unknown>): Promise<number> => {
        // Every statement of either driver goes through this (drizzle's prepared query).
        const spy = vi.spyOn(
          PgPreparedQuery.prototype as unknown as {
            queryWithCache: (...args: unknown[]) => Promise<unknown>;
          },
          'queryWithCache',
        );
        try {
          await work();
          return spy.mock.calls.length;
        } finally {
          spy.mockRestore();
        }
      };
      await activeScreens(20);
      await drainScreenConfigs(dispatchDeps(toBroker));
      cloud.broker.configs.clear();
      const few = await statements(revokeNewWallet);
      await activeScreens(2_000);
      const many = await statements(revokeNewWallet);
      expect(few).toBeGreaterThan(0);
      expect(many).toBe(few);
      expect(cloud.broker.configs.size).toBe(0);
      // The marking itself is one statement.
      expect(await statements(() => markAllScreenConfigsStale(handle.db))).toBe(1);
      // What was queued waits for the dispatcher (whose cost per screen docs/scaling.md gives).
      const queued = await progress();
      expect(queued.applied).toBe(0);
      expect(queued.screens).toBeGreaterThanOrEqual(2_020);
    },
    120_000,
  );
});
