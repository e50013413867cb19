// The ledger invariant, checked on one consistent snapshot: the sum over all accounts is zero, no
// account that may not go negative is negative, and every balance equals the sum of its transfers.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';

const PROBLEMS_LISTED_MAX = 20;

export interface LedgerCheck {
  ok: boolean;
  accounts: number;
  transfers: number;
  /** Σ (credits − debits) over every account; must be 0. */
  totalFen: number;
  negativeAccountIds: number[];
  /** Accounts whose posted columns disagree with their transfers. */
  mismatchedAccountIds: number[];
}

export async function checkLedger(db: Database): Promise<LedgerCheck> {
  return db.transaction(
    async (tx) => {
      const [totals] = await queryRows<{ accounts: unknown; transfers: unknown; total: unknown }>(
        tx,
        sql`select (select count(*) from ledger_accounts) as accounts,
                   (select count(*) from ledger_transfers) as transfers,
                   (select coalesce(sum(credits_posted_fen - debits_posted_fen), 0) from ledger_accounts) as total`,
      );
      const negative = await queryRows<{ id: unknown }>(
        tx,
        sql`select id from ledger_accounts where not allow_negative and credits_posted_fen < debits_posted_fen
            order by id limit ${PROBLEMS_LISTED_MAX}`,
      );
      const mismatched = await queryRows<{ id: unknown }>(
        tx,
        sql`select a.id from ledger_accounts a
            left join (
              select account_id, sum(debit) as debits, sum(credit) as credits from (
                select debit_account_id as account_id, amount_fen as debit, 0::bigint as credit from ledger_transfers
                union all
                select credit_account_id, 0::bigint, amount_fen from ledger_transfers
              ) moves group by account_id
            ) t on t.account_id = a.id
            where a.debits_posted_fen <> coalesce(t.debits, 0) or a.credits_posted_fen <> coalesce(t.credits, 0)
            order by a.id limit ${PROBLEMS_LISTED_MAX}`,
      );
      const totalFen = int(totals?.total ?? 0);
      return {
        ok: totalFen === 0 && negative.length === 0 && mismatched.length === 0,
        accounts: int(totals?.accounts ?? 0),
        transfers: int(totals?.transfers ?? 0),
        totalFen,
        negativeAccountIds: negative.map((row) => int(row.id)),
        mismatchedAccountIds: mismatched.map((row) => int(row.id)),
      };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}
