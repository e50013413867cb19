// An advertiser's statement: every ledger transfer into or out of the advertiser's cash account (the
// operator's fundings, the money moved into campaign budgets and what campaigns returned), each with
// the balance right after it, so the lines add up to the ledger's balance. Paged newest first by the
// line's position in the account's history, so no line is skipped or repeated between pages.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import { advertiserFundings } from '../db/schema/money-actions.ts';
import { getLedgerAccount } from '../ledger/accounts.ts';
import { getAdvertiser } from './accounts.ts';

export interface StatementLine {
  /** The line's position in the account's history, 1 for the oldest: the paging cursor. */
  seq: number;
  transferId: number;
  /** The ledger code: `fund_advertiser`, `fund_campaign`, `refund_campaign`, … */
  code: string;
  /** Signed: positive into the advertiser's account, negative out of it. */
  amountFen: number;
  createdAt: string;
  /** The campaign whose budget the money went to or came from, if any. */
  campaignId: number | null;
  campaignName: string | null;
  fundedBy: number | null;
  fundedByEmail: string | null;
  balanceAfterFen: number;
}

export interface Statement {
  items: StatementLine[];
  /** The cursor of the next (older) page; null when this page reaches the first line. */
  nextBefore: number | null;
  /** What the account holds now: the newest line's balanceAfterFen. */
  balanceFen: number;
}

/** Who funded: written after the ledger posted (a retry of the same transfer keeps the first record). */
export async function recordFunding(
  db: Database,
  input: { transferId: number; advertiserId: number; amountFen: number; fundedBy: number | null; now: Date },
): Promise<void> {
  await db
    .insert(advertiserFundings)
    .values({ ...input, createdAt: input.now })
    .onConflictDoNothing({ target: advertiserFundings.transferId });
}

export async function fundingStatement(
  db: Database,
  advertiserId: number,
  page: { limit: number; before: number },
): Promise<Statement> {
  const advertiser = await getAdvertiser(db, { kind: 'all' }, advertiserId);
  const account = advertiser.ledgerAccountId;
  // Ordered by (created_at, id): server-drawn transfer ids start at 2^40, above client-supplied funding
  // ids, so the id alone is no time order.
  const rows = await queryRows<{
    seq: unknown;
    id: unknown;
    code: string;
    delta: unknown;
    created_at: Date | string;
    balance_after: unknown;
    campaign_id: unknown;
    campaign_name: string | null;
    funded_by: unknown;
    email: string | null;
  }>(
    db,
    sql`with moves as (
          select id, code, created_at,
                 case when credit_account_id = ${account} then amount_fen else -amount_fen end as delta,
                 case when credit_account_id = ${account} then debit_account_id else credit_account_id end as other
          from ledger_transfers where credit_account_id = ${account} or debit_account_id = ${account}),
        numbered as (
          select *, row_number() over (order by created_at, id) as seq,
                 sum(delta) over (order by created_at, id) as balance_after
          from moves)
        select n.seq, n.id, n.code, n.delta, n.created_at, n.balance_after,
               c.id as campaign_id, c.name as campaign_name, f.funded_by, u.email
        from numbered n
        left join campaigns c on c.budget_account_id = n.other
        left join advertiser_fundings f on f.transfer_id = n.id
        left join users u on u.id = f.funded_by
        where ${page.before}::bigint = 0 or n.seq < ${page.before}::bigint
        order by n.seq desc limit ${page.limit}`,
  );
  const items = rows.map((row) => ({
    seq: int(row.seq),
    transferId: int(row.id),
    code: row.code,
    amountFen: int(row.delta),
    createdAt: new Date(row.created_at).toISOString(),
    campaignId: row.campaign_id === null ? null : int(row.campaign_id),
    campaignName: row.campaign_name,
    fundedBy: row.funded_by === null ? null : int(row.funded_by),
    fundedByEmail: row.email,
    balanceAfterFen: int(row.balance_after),
  }));
  const last = items.at(-1);
  const balance = await getLedgerAccount(db, account);
  return {
    items,
    nextBefore: items.length === page.limit && last !== undefined && last.seq > 1 ? last.seq : null,
    balanceFen: balance?.balanceFen ?? 0,
  };
}
