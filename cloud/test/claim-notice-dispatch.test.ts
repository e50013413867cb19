// The claim-notice dispatcher on PGlite and PostgreSQL: a pass holds its batch by a lease, not by a
// transaction, so the rows stay unlocked while the broker is slow and a second pass (another replica)
// takes none of them; a published notice is deleted, a failed one waits for the next pass with one more
// attempt, and one out of attempts or too old is dropped unpublished. The dispatcher drains the outbox.
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../src/db/client.ts';
import { int, queryRows } from '../src/db/rows.ts';
import {
  defaultClaimNoticeLimits,
  dispatchClaimNotices,
  startClaimNoticeDispatcher,
  type ClaimNotice,
} from '../src/services/claim-notices.ts';
import { openTestDatabase, testEngines } from './databases.ts';

const engines = await testEngines();
const SCREEN_ID = 4_242;

describe.each(engines)('claim notice dispatch on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
  });
  afterAll(async () => {
    if (available) await handle.close();
  });
  beforeEach(async () => {
    if (available) await handle.db.execute(sql`delete from claim_notices`);
  });

  const addNotices = async (count: number, createdAt = new Date()) => {
    for (let seq = 1; seq <= count; seq++)
      await handle.db.execute(
        sql`insert into claim_notices (screen_id, payload, created_at)
            values (${SCREEN_ID}, ${JSON.stringify({ ticketSeq: seq, claimedAt: Math.floor(createdAt.getTime() / 1000) })}::jsonb,
              ${createdAt.toISOString()}::timestamptz)`,
      );
  };
  const outbox = () =>
    queryRows<{ attempts: unknown; lease_until: unknown }>(
      handle.db,
      sql`select attempts, lease_until from claim_notices order by id`,
    );

  it.skipIf(!available)('holds its batch by a lease while publishing, with no row locked', async () => {
    await addNotices(3);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const published: ClaimNotice[] = [];
    let started: () => void = () => undefined;
    const publishing = new Promise<void>((resolve) => {
      started = resolve;
    });
    const pass = dispatchClaimNotices(
      handle.db,
      async (_screenId, notice) => {
        started();
        await gate;
        published.push(notice);
      },
      new Date(),
    );
    await publishing;
    // Another replica's pass meanwhile takes nothing (leased) and waits on nothing (no lock held).
    const other = await dispatchClaimNotices(
      handle.db,
      () => Promise.reject(new Error('unused')),
      new Date(),
    );
    expect(other).toEqual({ taken: 0, published: 0, dropped: 0, failed: 0 });
    const locked = await handle.db.transaction(async (tx) =>
      queryRows<{ id: unknown }>(tx, sql`select id from claim_notices for update nowait`),
    );
    expect(locked).toHaveLength(3);
    release();
    expect(await pass).toEqual({ taken: 3, published: 3, dropped: 0, failed: 0 });
    expect(published.map((notice) => notice.ticketSeq).sort()).toEqual([1, 2, 3]);
    expect(await outbox()).toEqual([]);
  });

  it.skipIf(!available)(
    'keeps a notice the broker refused for the next pass, then drops it out of attempts',
    async () => {
      await addNotices(1);
      const limits = { ...defaultClaimNoticeLimits, attemptsMax: 2 };
      const refuse = () => Promise.reject(new Error('broker away'));
      expect(await dispatchClaimNotices(handle.db, refuse, new Date(), limits)).toEqual({
        taken: 1,
        published: 0,
        dropped: 0,
        failed: 1,
      });
      expect((await outbox()).map((row) => [int(row.attempts), int(row.lease_until)])).toEqual([[1, 0]]);
      await dispatchClaimNotices(handle.db, refuse, new Date(), limits);
      expect(await dispatchClaimNotices(handle.db, refuse, new Date(), limits)).toEqual({
        taken: 1,
        published: 0,
        dropped: 1,
        failed: 0,
      });
      expect(await outbox()).toEqual([]);
    },
  );

  it.skipIf(!available)(
    'drops a notice too old to matter, and one whose stored payload is not a message',
    async () => {
      await addNotices(1, new Date(Date.now() - (defaultClaimNoticeLimits.noticeAgeMaxS + 60) * 1000));
      await handle.db.execute(
        sql`insert into claim_notices (screen_id, payload, created_at) values (${SCREEN_ID}, '{"ticketSeq":"x"}'::jsonb, now())`,
      );
      const published: ClaimNotice[] = [];
      expect(
        await dispatchClaimNotices(
          handle.db,
          (_screenId, notice) => {
            published.push(notice);
            return Promise.resolve();
          },
          new Date(),
        ),
      ).toEqual({ taken: 2, published: 0, dropped: 2, failed: 0 });
      expect(published).toEqual([]);
      expect(await outbox()).toEqual([]);
    },
  );

  it.skipIf(!available)('takes a lease that ran out (a pass that died) again', async () => {
    await addNotices(1);
    await handle.db.execute(sql`update claim_notices set lease_until = ${Date.now() + 60_000}`);
    const publish = () => Promise.resolve();
    expect((await dispatchClaimNotices(handle.db, publish, new Date())).taken).toBe(0);
    const later = new Date(Date.now() + 61_000);
    expect(await dispatchClaimNotices(handle.db, publish, later)).toEqual({
      taken: 1,
      published: 1,
      dropped: 0,
      failed: 0,
    });
  });

  it.skipIf(!available)('drains an outbox larger than a batch, pass after pass', async () => {
    await addNotices(25);
    const published: number[] = [];
    const dispatcher = startClaimNoticeDispatcher({
      db: handle.db,
      publish: (_screenId, notice) => {
        published.push(notice.ticketSeq);
        return Promise.resolve();
      },
      logger: pino({ level: 'silent' }),
      now: () => new Date(),
      limits: { ...defaultClaimNoticeLimits, batchSizeMax: 7 },
    });
    try {
      await dispatcher.idle();
      expect(published.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      expect(await outbox()).toEqual([]);
    } finally {
      await dispatcher.close();
    }
  });
});
