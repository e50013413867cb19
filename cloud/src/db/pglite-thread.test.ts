// The same database contract on PGlite in-process and on PGlite on a worker thread: drizzle queries in
// both row modes, dates kept as text, transactions that commit, roll back and nest, PostgreSQL's error
// fields through drizzle, strict serialisation of concurrent transactions, and a data directory that
// survives a reopen. The ledger and redemption suites then run on the thread through the cloud process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ErrorCode } from '@redtap/shared';
import { createLedgerAccount, getLedgerAccounts, systemLedgerAccount } from '../ledger/accounts.ts';
import { checkLedger } from '../ledger/check-ledger.ts';
import { allocateTransferIds, postTransfers } from '../ledger/post-transfers.ts';
import { openDatabase, type DatabaseHandle } from './client.ts';
import { queryRows, sqlState } from './rows.ts';

// Opening and migrating a database takes seconds on a loaded two-core machine; twice that with a data
// directory. The bounds are sized for that, a healthy run takes a fraction.
const OPEN_MS = 120_000;
const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

async function open(thread: boolean, dataDir?: string): Promise<DatabaseHandle> {
  const handle = await openDatabase(
    dataDir === undefined ? { engine: 'pglite', thread } : { engine: 'pglite', thread, dataDir },
  );
  await handle.migrate();
  return handle;
}

describe.each([
  { name: 'in process', thread: false },
  { name: 'on a worker thread', thread: true },
])('PGlite $name', ({ thread }) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await open(thread);
  }, OPEN_MS);
  afterAll(() => handle.close());

  it('answers drizzle queries in both row modes and keeps dates as text', async () => {
    const { db } = handle;
    const rows = await queryRows<{ day: unknown; n: unknown; tags: unknown; doc: unknown }>(
      db,
      sql`select date '2026-12-07' as day, ${41}::bigint + 1 as n, array[1, 2]::int[] as tags,
                 jsonb_build_object('a', 1) as doc`,
    );
    expect(rows).toEqual([{ day: '2026-12-07', n: 42, tags: [1, 2], doc: { a: 1 } }]);
    const account = await createLedgerAccount(db, 'wallet_cash', 7);
    const [read] = await getLedgerAccounts(db, [account]);
    expect(read?.balanceFen).toBe(0);
  });

  it('commits, rolls back and nests transactions, with PostgreSQL error fields through drizzle', async () => {
    const { db } = handle;
    const bank = await systemLedgerAccount(db, 'external_funding');
    const to = await createLedgerAccount(db, 'advertiser', 1);
    const [id = 0, second = 0] = await allocateTransferIds(db, 2);
    await postTransfers(db, [
      { id, debitAccountId: bank, creditAccountId: to, amountFen: 100, code: 'fund' },
    ]);
    // A failing statement undoes the whole transaction.
    const failed = await db
      .transaction(async (tx) => {
        await tx.execute(sql`update ledger_accounts set owner_id = 99 where id = ${to}`);
        await tx.execute(
          sql`insert into ledger_transfers (id, debit_account_id, credit_account_id, amount_fen, code)
              values (${id}, ${bank}, ${to}, 1, 'again')`,
        );
      })
      .catch((error: unknown) => error);
    expect(sqlState(failed)).toBe('23505');
    const [owner] = await queryRows<{ owner_id: unknown }>(
      db,
      sql`select owner_id from ledger_accounts where id = ${to}`,
    );
    expect(owner?.owner_id).toBe(1);
    // A savepoint rolled back inside a committed transaction.
    await db.transaction(async (tx) => {
      await tx.execute(sql`update ledger_accounts set owner_id = 2 where id = ${to}`);
      await tx
        .transaction(async (inner) => {
          await inner.execute(sql`update ledger_accounts set owner_id = 3 where id = ${to}`);
          throw new Error('undo the inner one');
        })
        .catch(() => undefined);
    });
    const [after] = await queryRows<{ owner_id: unknown }>(
      db,
      sql`select owner_id from ledger_accounts where id = ${to}`,
    );
    expect(after?.owner_id).toBe(2);
    const overdraw = await postTransfers(db, [
      { id: second, debitAccountId: to, creditAccountId: bank, amountFen: 101, code: 'refund' },
    ]);
    expect(overdraw).toEqual([{ id: second, status: 'rejected', code: ErrorCode.INSUFFICIENT_FUNDS }]);
    expect((await checkLedger(db)).ok).toBe(true);
  });

  it('runs concurrent transactions one at a time, and standalone queries between them', async () => {
    const { db } = handle;
    await db.execute(sql`create table counters (id int primary key, n int not null)`);
    await db.execute(sql`insert into counters values (1, 0)`);
    const bump = () =>
      db.transaction(async (tx) => {
        const [row] = await queryRows<{ n: number }>(tx, sql`select n from counters where id = 1`);
        await tx.execute(sql`update counters set n = ${(row?.n ?? 0) + 1} where id = 1`);
      });
    const reads = Array.from({ length: 20 }, () => queryRows(db, sql`select n from counters`));
    await Promise.all([...Array.from({ length: 40 }, bump), ...reads]);
    const [row] = await queryRows<{ n: number }>(db, sql`select n from counters where id = 1`);
    expect(row?.n).toBe(40);
  });

  it(
    'keeps a data directory across a reopen',
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'redtap-pglite-'));
      directories.push(dataDir);
      const first = await open(thread, dataDir);
      const account = await createLedgerAccount(first.db, 'wallet_cash', 5);
      await first.close();
      const second = await open(thread, dataDir);
      try {
        expect((await getLedgerAccounts(second.db, [account])).length).toBe(1);
      } finally {
        await second.close();
      }
    },
    2 * OPEN_MS,
  );
});
