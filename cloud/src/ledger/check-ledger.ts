// The ledger invariant, checked on one consistent snapshot: the sum over all accounts is zero, no
// account that may not go negative is negative, every balance equals the sum of its transfers (and every
// transfer names an account that exists: the table has no foreign keys, the posting checks), and each
// campaign's pool (its envelopes in no deck) holds exactly the cash of its budget account, from the
// pool's building at activation on (before it, the budget is being funded).
//
// Balances are compared with the transfers incrementally: a check that holds leaves a checkpoint (the
// snapshot it ran in and, per account, the sums of the transfers that snapshot saw), and the next check
// reads only the transfers that snapshot did not see (by the writing transaction's id, `tx_id`) and adds
// them to the checkpoint's sums, so its cost follows the transfers since and the accounts, not the
// history. A transfer changed or removed before the checkpoint is found by the full check (`full`), which
// sums every transfer again and, when it holds, rebuilds the checkpoint: run it for audits.
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { int, queryRows, sqlState } from '../db/rows.ts';

export const PROBLEMS_LISTED_MAX = 20;

export interface LedgerCheck {
  ok: boolean;
  /** `full`: every transfer was summed; `incremental`: those since the last checkpoint, added to its sums. */
  mode: 'full' | 'incremental';
  accounts: number;
  transfers: number;
  /** Transfers this check read (all of them in a full check). */
  transfersRead: number;
  /** Σ (credits − debits) over every account; must be 0. */
  totalFen: number;
  negativeAccountIds: number[];
  /** Accounts whose posted columns disagree with their transfers, and ids that transfers name but no account has. */
  mismatchedAccountIds: number[];
  /** Campaigns whose undelivered envelopes' cash differs from their budget account's balance. */
  poolMismatchCampaignIds: number[];
  /** One of the id lists holds its first PROBLEMS_LISTED_MAX only: there are more problems than listed. */
  idsTruncated: boolean;
}

/** The first PROBLEMS_LISTED_MAX ids of a problem query (which reads one more, to tell there are more). */
const listed = (rows: { id: unknown }[]) => rows.slice(0, PROBLEMS_LISTED_MAX).map((row) => int(row.id));

/** Per account, debits and credits of the transfers that `where` selects (`ledger_transfers x`). */
const movesOf = (where: SQL) =>
  sql`select account_id, sum(debit) as debits, sum(credit) as credits from (
        select x.debit_account_id as account_id, x.amount_fen as debit, 0::bigint as credit
        from ledger_transfers x where ${where}
        union all
        select x.credit_account_id, 0::bigint, x.amount_fen from ledger_transfers x where ${where}
      ) moves group by account_id`;

export async function checkLedger(db: Database, options: { full?: boolean } = {}): Promise<LedgerCheck> {
  return db.transaction(
    async (tx) => {
      const [checkpoint] = await queryRows<{ snapshot: string; transfers: unknown; now: string }>(
        tx,
        sql`select c.snapshot, c.transfers, pg_current_snapshot()::text as now from (select 1) one
            left join ledger_checkpoints c on c.id = 1`,
      );
      const since = checkpoint?.snapshot ?? null;
      const full = options.full === true || since === null;
      // Transfers the checkpoint's snapshot did not see: written by a transaction from its xmin on that
      // had not committed when it was taken. Transfers from before the column have no tx_id and are older.
      const fresh = full
        ? sql`true`
        : sql`x.tx_id >= pg_snapshot_xmin(${since}::pg_snapshot)
              and not pg_visible_in_snapshot(x.tx_id, ${since}::pg_snapshot)`;
      const [read] = await queryRows<{ n: unknown }>(
        tx,
        sql`select count(*) as n from ledger_transfers x where ${fresh}`,
      );
      const transfersRead = int(read?.n ?? 0);
      const sums = full
        ? movesOf(sql`true`)
        : sql`select coalesce(c.account_id, m.account_id) as account_id,
                     coalesce(c.debits_fen, 0) + coalesce(m.debits, 0) as debits,
                     coalesce(c.credits_fen, 0) + coalesce(m.credits, 0) as credits
              from ledger_checkpoint_accounts c full join (${movesOf(fresh)}) m on m.account_id = c.account_id`;
      const [totals] = await queryRows<{ accounts: unknown; total: unknown }>(
        tx,
        sql`select count(*) as accounts, coalesce(sum(credits_posted_fen - debits_posted_fen), 0) as total
            from ledger_accounts`,
      );
      const negative = await queryRows<{ id: unknown }>(
        tx,
        sql`select id from ledger_accounts where not allow_negative and credits_posted_fen < debits_posted_fen
            order by id limit ${PROBLEMS_LISTED_MAX + 1}`,
      );
      const mismatched = await queryRows<{ id: unknown }>(
        tx,
        sql`select coalesce(a.id, t.account_id) as id from ledger_accounts a
            full join (${sums}) t on t.account_id = a.id
            where a.id is null
               or a.debits_posted_fen <> coalesce(t.debits, 0) or a.credits_posted_fen <> coalesce(t.credits, 0)
            order by 1 limit ${PROBLEMS_LISTED_MAX + 1}`,
      );
      const poolMismatch = await queryRows<{ id: unknown }>(
        tx,
        sql`select c.id from campaigns c
            join ledger_accounts b on b.id = c.budget_account_id
            left join (select campaign_id, sum(amount_fen) as pooled from campaign_envelopes
                       where deck_id is null group by campaign_id) p on p.campaign_id = c.id
            where c.pool_built_at is not null
              and b.credits_posted_fen - b.debits_posted_fen <> coalesce(p.pooled, 0)
            order by c.id limit ${PROBLEMS_LISTED_MAX + 1}`,
      );
      const totalFen = int(totals?.total ?? 0);
      const transfers = full ? transfersRead : int(checkpoint?.transfers ?? 0) + transfersRead;
      const ok =
        totalFen === 0 && negative.length === 0 && mismatched.length === 0 && poolMismatch.length === 0;
      // A check that holds becomes the next one's starting point; one that fails leaves the checkpoint
      // where it was, so the problem is found again until it is mended.
      if (ok && checkpoint !== undefined && (full || transfersRead > 0))
        await advanceCheckpoint(tx, {
          since,
          now: checkpoint.now,
          transfers,
          full,
          moves: movesOf(fresh),
        });
      return {
        ok,
        mode: full ? 'full' : 'incremental',
        accounts: int(totals?.accounts ?? 0),
        transfers,
        transfersRead,
        totalFen,
        negativeAccountIds: listed(negative),
        mismatchedAccountIds: listed(mismatched),
        poolMismatchCampaignIds: listed(poolMismatch),
        idsTruncated: [negative, mismatched, poolMismatch].some((rows) => rows.length > PROBLEMS_LISTED_MAX),
      };
    },
    { isolationLevel: 'repeatable read' },
  );
}

/**
 * Moves the checkpoint to this check's snapshot, unless another check moved it since this one read it
 * (then that one's stands): the row is replaced only where it still holds the snapshot read.
 */
async function advanceCheckpoint(
  tx: Database,
  input: { since: string | null; now: string; transfers: number; full: boolean; moves: SQL },
): Promise<void> {
  try {
    await tx.transaction(async (savepoint) => {
      const moved = await queryRows<{ id: unknown }>(
        savepoint,
        input.since === null
          ? sql`insert into ledger_checkpoints (id, snapshot, transfers, created_at)
                values (1, ${input.now}, ${input.transfers}, now()) on conflict (id) do nothing returning id`
          : sql`update ledger_checkpoints set snapshot = ${input.now}, transfers = ${input.transfers},
                  created_at = now()
                where id = 1 and snapshot = ${input.since} returning id`,
      );
      if (moved.length === 0) return;
      if (input.full) await savepoint.execute(sql`delete from ledger_checkpoint_accounts`);
      await savepoint.execute(
        sql`insert into ledger_checkpoint_accounts as c (account_id, debits_fen, credits_fen)
            select account_id, debits, credits from (${input.moves}) m order by account_id
            on conflict (account_id) do update set debits_fen = c.debits_fen + excluded.debits_fen,
              credits_fen = c.credits_fen + excluded.credits_fen`,
      );
    });
  } catch (error) {
    // A concurrent check moved it first (repeatable read refuses to write over what it cannot see).
    if (sqlState(error) !== '40001') throw error;
  }
}
