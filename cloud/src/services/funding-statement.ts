// An advertiser's funding statement: each funding with its time, amount, the operator who posted it
// and the advertiser's balance right after it (from the ledger, so campaign funding in between counts).
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import { advertiserFundings } from '../db/schema/money-actions.ts';
import { getAdvertiser } from './accounts.ts';

export interface FundingLine {
  transferId: number;
  amountFen: number;
  createdAt: string;
  fundedBy: number | null;
  fundedByEmail: string | null;
  balanceAfterFen: number;
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
  limit: number,
): Promise<FundingLine[]> {
  const advertiser = await getAdvertiser(db, { kind: 'all' }, advertiserId);
  const account = advertiser.ledgerAccountId;
  const rows = await queryRows<{
    id: unknown;
    amount_fen: unknown;
    created_at: Date | string;
    balance_after: unknown;
    funded_by: unknown;
    email: string | null;
  }>(
    db,
    sql`with moves as (
          select id, code, amount_fen, created_at,
                 sum(case when credit_account_id = ${account} then amount_fen else -amount_fen end)
                   over (order by created_at, id) as balance_after
          from ledger_transfers where credit_account_id = ${account} or debit_account_id = ${account})
        select m.id, m.amount_fen, m.created_at, m.balance_after, f.funded_by, u.email
        from moves m left join advertiser_fundings f on f.transfer_id = m.id
        left join users u on u.id = f.funded_by
        where m.code = 'fund_advertiser'
        order by m.created_at desc, m.id desc limit ${limit}`,
  );
  return rows.map((row) => ({
    transferId: int(row.id),
    amountFen: int(row.amount_fen),
    createdAt: new Date(row.created_at).toISOString(),
    fundedBy: row.funded_by === null ? null : int(row.funded_by),
    fundedByEmail: row.email,
    balanceAfterFen: int(row.balance_after),
  }));
}
