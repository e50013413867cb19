// The ledger invariant, checked on one consistent snapshot: the sum over all accounts is zero, no
// account that may not go negative is negative, every balance equals the sum of its transfers (and every
// transfer names an account that exists: the table has no foreign keys, the posting checks), and each
// campaign's pool (its envelopes in no deck) holds exactly the cash of its budget account, from the
// pool's building at activation on (before it, the budget is being funded).
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';

export const PROBLEMS_LISTED_MAX = 20;

export interface LedgerCheck {
  ok: boolean;
  accounts: number;
  transfers: number;
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
            order by id limit ${PROBLEMS_LISTED_MAX + 1}`,
      );
      const mismatched = await queryRows<{ id: unknown }>(
        tx,
        sql`select coalesce(a.id, t.account_id) as id from ledger_accounts a
            full join (
              select account_id, sum(debit) as debits, sum(credit) as credits from (
                select debit_account_id as account_id, amount_fen as debit, 0::bigint as credit from ledger_transfers
                union all
                select credit_account_id, 0::bigint, amount_fen from ledger_transfers
              ) moves group by account_id
            ) t on t.account_id = a.id
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
      return {
        ok: totalFen === 0 && negative.length === 0 && mismatched.length === 0 && poolMismatch.length === 0,
        accounts: int(totals?.accounts ?? 0),
        transfers: int(totals?.transfers ?? 0),
        totalFen,
        negativeAccountIds: listed(negative),
        mismatchedAccountIds: listed(mismatched),
        poolMismatchCampaignIds: listed(poolMismatch),
        idsTruncated: [negative, mismatched, poolMismatch].some((rows) => rows.length > PROBLEMS_LISTED_MAX),
      };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}
