// Ledger accounts: created per owner (advertiser, campaign, deck, wallet) and read back with balances.
import { and, eq, inArray } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { ledgerAccounts, type LedgerAccountKind } from '../db/schema/ledger.ts';

export interface LedgerAccount {
  id: number;
  kind: LedgerAccountKind;
  ownerId: number | null;
  allowNegative: boolean;
  debitsPostedFen: number;
  creditsPostedFen: number;
  /** credits − debits: what the account holds. */
  balanceFen: number;
}

/** Only external funding sources may go negative: money enters the system through them. */
export async function createLedgerAccount(
  db: Database,
  kind: LedgerAccountKind,
  ownerId: number | null = null,
): Promise<number> {
  const [row] = await db
    .insert(ledgerAccounts)
    .values({ kind, ownerId, allowNegative: kind === 'external_funding' })
    .returning({ id: ledgerAccounts.id });
  if (row === undefined) throw new Error('insert returned no row');
  return row.id;
}

/** The single system account of a kind without an owner (external funding, operator), created on first use. */
export async function systemLedgerAccount(
  db: Database,
  kind: 'external_funding' | 'operator' | 'withdrawal_clearing' | 'review_hold',
): Promise<number> {
  const [existing] = await db
    .select({ id: ledgerAccounts.id })
    .from(ledgerAccounts)
    .where(and(eq(ledgerAccounts.kind, kind), eq(ledgerAccounts.ownerId, 0)))
    .limit(1);
  if (existing !== undefined) return existing.id;
  // Owner 0 marks the system account, so the (kind, owner) unique index makes creation race-free.
  const [row] = await db
    .insert(ledgerAccounts)
    .values({ kind, ownerId: 0, allowNegative: kind === 'external_funding' })
    .onConflictDoNothing()
    .returning({ id: ledgerAccounts.id });
  if (row !== undefined) return row.id;
  return systemLedgerAccount(db, kind);
}

const accountColumns = {
  id: ledgerAccounts.id,
  kind: ledgerAccounts.kind,
  ownerId: ledgerAccounts.ownerId,
  allowNegative: ledgerAccounts.allowNegative,
  debitsPostedFen: ledgerAccounts.debitsPostedFen,
  creditsPostedFen: ledgerAccounts.creditsPostedFen,
};

export async function getLedgerAccounts(db: Database, ids: number[]): Promise<LedgerAccount[]> {
  if (ids.length === 0) return [];
  const rows = await db.select(accountColumns).from(ledgerAccounts).where(inArray(ledgerAccounts.id, ids));
  return rows.map((row) => ({ ...row, balanceFen: row.creditsPostedFen - row.debitsPostedFen }));
}

export async function getLedgerAccount(db: Database, id: number): Promise<LedgerAccount | null> {
  const [account] = await getLedgerAccounts(db, [id]);
  return account ?? null;
}
