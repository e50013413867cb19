// A redemption transaction that fails because the database went away (a PostgreSQL failover: the leader
// shuts down, a demoted leader refuses writes, the link dies, the reply of a COMMIT is lost) is retried
// by the service until the database answers again, and the permanent (screen_id, counter) identity makes
// that safe: a token whose first attempt did commit is answered as a duplicate of its first result and
// credited once. On PGlite and PostgreSQL, with a database wrapper that injects the failures.
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, DatabaseHandle } from '../src/db/client.ts';
import { int, isDatabaseUnavailable, queryRows } from '../src/db/rows.ts';
import { getLedgerAccount } from '../src/ledger/accounts.ts';
import { checkLedger } from '../src/ledger/check-ledger.ts';
import { createRedemptionService } from '../src/redemption/redemption-service.ts';
import { openTestDatabase, testEngines } from './databases.ts';
import { createTestCloud, type TestCloud } from './harness.ts';
import { buildWorld, makeTap, registerPhone, tiersPlan, type Kiosk, type Phone } from './money-world.ts';

const engines = await testEngines();
const logger = pino({ level: 'silent' });

/** Errors as `pg` raises them when the server goes away. */
const failures = {
  adminShutdown: () =>
    Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
  readOnly: () =>
    Object.assign(new Error('cannot execute INSERT in a read-only transaction'), { code: '25006' }),
  linkLost: () => new Error('Connection terminated unexpectedly'),
  refused: () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5000'), { code: 'ECONNREFUSED' }),
};

type Injection =
  /** The transaction runs its statements, then fails before COMMIT (rolled back). */
  | { when: 'before-commit'; error: () => Error }
  /** The transaction commits, then the caller is told it failed (the COMMIT's reply was lost). */
  | { when: 'after-commit'; error: () => Error };

/** `db` whose next transactions fail as `plan` says, one injection per transaction, then work. */
function failingDatabase(db: Database, plan: Injection[]): { db: Database; transactions: () => number } {
  let transactions = 0;
  const wrapper = Object.create(db) as Database;
  wrapper.transaction = (async (work: (tx: Database) => Promise<unknown>) => {
    transactions += 1;
    const injection = plan.shift();
    if (injection === undefined) return db.transaction(work);
    if (injection.when === 'before-commit')
      return db.transaction(async (tx) => {
        await work(tx);
        throw injection.error();
      });
    await db.transaction(work);
    throw injection.error();
  }) as Database['transaction'];
  return { db: wrapper, transactions: () => transactions };
}

describe('database unavailability', () => {
  it('tells a failover from a refused statement', () => {
    for (const make of Object.values(failures)) expect(isDatabaseUnavailable(make())).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code: '08006' }))).toBe(true);
    // Drizzle wraps the driver's error as its cause.
    expect(isDatabaseUnavailable(new Error('Failed query', { cause: failures.adminShutdown() }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('dup'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('syntax'), { code: '42601' }))).toBe(false);
    expect(isDatabaseUnavailable(new Error('anything else'))).toBe(false);
  });
});

describe.each(engines)('redemption through a database failover on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let kiosk: Kiosk;
  let phone: Phone;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle);
    const world = await buildWorld(cloud, {
      cities: ['Hangzhou'],
      plan: tiersPlan(20_000),
      budgetFen: 20_000,
      cashPerWalletPerDay: 100,
      couponStock: 0,
    });
    const first = world.kiosks[0];
    if (first === undefined) throw new Error('no kiosk');
    kiosk = first;
    phone = await registerPhone(cloud);
    // A fresh PGlite migrates in-process: minutes, not seconds, on a loaded two-core machine.
  }, 240_000);
  afterAll(async () => {
    if (available) await handle.close();
  });

  async function balance(): Promise<number> {
    const [row] = await queryRows<{ id: unknown }>(
      handle.db,
      sql`select ledger_account_id as id from wallets where id = ${phone.walletId}`,
    );
    return (await getLedgerAccount(handle.db, int(row?.id)))?.balanceFen ?? -1;
  }

  async function rowsOf(counter: number): Promise<number> {
    const [row] = await queryRows<{ n: unknown }>(
      handle.db,
      sql`select count(*) as n from redemptions where screen_id = ${kiosk.screenId} and counter = ${counter}`,
    );
    return int(row?.n);
  }

  function serviceOver(plan: Injection[], unavailableRetryMs?: number) {
    const failing = failingDatabase(handle.db, plan);
    const service = createRedemptionService({
      db: failing.db,
      logger,
      now: () => new Date(cloud.clock.nowMs),
      settings: cloud.deps.settings.money,
      ...(unavailableRetryMs === undefined ? {} : { unavailableRetryMs }),
    });
    return { service, transactions: failing.transactions };
  }

  it.skipIf(!available)(
    'retries a transaction the server shut down or refused as read-only, and credits the tap once',
    async () => {
      const before = await balance();
      const { service, transactions } = serviceOver([
        { when: 'before-commit', error: failures.adminShutdown },
        { when: 'before-commit', error: failures.readOnly },
        { when: 'before-commit', error: failures.refused },
      ]);
      const token = makeTap(kiosk, phone, cloud.clock.nowMs);
      const result = await service.redeem(token);
      await service.close();
      expect(result.status).toBe('credited');
      expect(transactions()).toBe(4);
      expect(await rowsOf(kiosk.counter)).toBe(1);
      expect(await balance()).toBe(before + (result.amountFen ?? 0));
      expect(await checkLedger(handle.db)).toMatchObject({ ok: true, totalFen: 0 });
    },
  );

  it.skipIf(!available)(
    'answers a retry after a lost COMMIT reply as a duplicate of the credit, which is posted once',
    async () => {
      const before = await balance();
      const { service, transactions } = serviceOver([{ when: 'after-commit', error: failures.linkLost }]);
      const token = makeTap(kiosk, phone, cloud.clock.nowMs);
      const result = await service.redeem(token);
      await service.close();
      expect(transactions()).toBe(2);
      // The first attempt committed: the retry finds the token recorded under (screen_id, counter).
      expect(result.status).toBe('duplicate');
      expect(result.amountFen ?? 0).toBeGreaterThan(0);
      expect(await rowsOf(kiosk.counter)).toBe(1);
      expect(await balance()).toBe(before + (result.amountFen ?? 0));
      // The kiosk's own resend of the same token changes nothing either.
      const again = await cloud.deps.redemption.redeem(token);
      expect(again).toMatchObject({ status: 'duplicate', amountFen: result.amountFen });
      expect(await balance()).toBe(before + (result.amountFen ?? 0));
      expect(await checkLedger(handle.db)).toMatchObject({ ok: true, totalFen: 0 });
    },
  );

  it.skipIf(!available)(
    'answers retry, without splitting the group, when the database stays away past the bound',
    async () => {
      const before = await balance();
      const down = Array.from({ length: 50 }, () => ({
        when: 'before-commit' as const,
        error: failures.linkLost,
      }));
      const { service, transactions } = serviceOver(down, 1_000);
      const token = makeTap(kiosk, phone, cloud.clock.nowMs);
      const result = await service.redeem(token);
      await service.close();
      expect(result.status).toBe('retry');
      // Backoff from 100 ms, doubling, within the 1 s bound: a few attempts (fewer on a slow machine),
      // not the fifty the database would have failed.
      expect(transactions()).toBeGreaterThanOrEqual(2);
      expect(transactions()).toBeLessThanOrEqual(4);
      expect(await rowsOf(kiosk.counter)).toBe(0);
      expect(await balance()).toBe(before);
      // Once the database is back, the kiosk's resend is credited.
      expect((await cloud.deps.redemption.redeem(token)).status).toBe('credited');
    },
  );
});
