// Ledger snapshots for the hostile-input and security suites: every account's posted balance, so a test
// can prove that bad input moved no money at all, or exactly the money it expects.
import { sql } from 'drizzle-orm';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Database } from '../../src/db/client.ts';
import { int, queryRows } from '../../src/db/rows.ts';

/** account id → balance (credits − debits, fen). */
export type LedgerSnapshot = Map<number, number>;

export async function ledgerSnapshot(db: Database): Promise<LedgerSnapshot> {
  const rows = await queryRows<{ id: unknown; balance: unknown }>(
    db,
    sql`select id, credits_posted_fen - debits_posted_fen as balance from ledger_accounts order by id`,
  );
  return new Map(rows.map((row) => [int(row.id), int(row.balance)]));
}

/** Accounts whose balance differs between two snapshots (new accounts count from 0). */
export function ledgerChanges(before: LedgerSnapshot, after: LedgerSnapshot): Map<number, number> {
  const changes = new Map<number, number>();
  for (const [id, balance] of after) {
    const delta = balance - (before.get(id) ?? 0);
    if (delta !== 0) changes.set(id, delta);
  }
  for (const [id, balance] of before) if (!after.has(id) && balance !== 0) changes.set(id, -balance);
  return changes;
}

/** The ledger account of a wallet's cash. */
export async function walletAccountId(db: Database, walletId: number): Promise<number> {
  const [row] = await queryRows<{ id: unknown }>(
    db,
    sql`select ledger_account_id as id from wallets where id = ${walletId}`,
  );
  return int(row?.id);
}

/**
 * A full garbage collection, for heap measurements. `--expose-gc` cannot be passed to a test worker from
 * here, so the flag is set at run time and `gc` taken from a fresh context; null if that is refused.
 */
export function fullGc(): (() => void) | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? () => void (gc as () => unknown)() : null;
  } catch {
    return null;
  }
}

/** heapUsed in MiB after a full GC when available (a loose figure otherwise). */
export function heapUsedMiB(gc: (() => void) | null): number {
  if (gc !== null) {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed / 2 ** 20;
}
