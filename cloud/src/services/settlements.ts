// Past settlement exports (written by settleWithdrawals): listed newest first, each file downloadable
// again byte for byte; a re-download never touches withdrawals or the ledger.
import { desc, eq, lt } from 'drizzle-orm';
import { ErrorCode } from '@redtap/shared';
import type { Database } from '../db/client.ts';
import { settlementExports } from '../db/schema/money-actions.ts';
import { DomainError } from '../errors.ts';

export interface SettlementExportView {
  id: number;
  settlementId: string;
  createdAt: string;
  createdBy: number | null;
  withdrawalCount: number;
  totalFen: number;
}

export async function listSettlementExports(
  db: Database,
  page: { limit: number; before: number },
): Promise<SettlementExportView[]> {
  const rows = await db
    .select({
      id: settlementExports.id,
      createdAt: settlementExports.createdAt,
      createdBy: settlementExports.createdBy,
      withdrawalCount: settlementExports.withdrawalCount,
      totalFen: settlementExports.totalFen,
    })
    .from(settlementExports)
    .where(page.before > 0 ? lt(settlementExports.id, page.before) : undefined)
    .orderBy(desc(settlementExports.id))
    .limit(page.limit);
  return rows.map((row) => ({
    ...row,
    settlementId: `settlement-${String(row.id)}`,
    createdAt: row.createdAt.toISOString(),
  }));
}

export async function settlementExportCsv(
  db: Database,
  id: number,
): Promise<{ csv: string; settlementId: string }> {
  const [row] = await db
    .select({ csv: settlementExports.csv })
    .from(settlementExports)
    .where(eq(settlementExports.id, id))
    .limit(1);
  if (row === undefined) throw new DomainError(ErrorCode.NOT_FOUND, 'no such settlement export');
  return { csv: row.csv, settlementId: `settlement-${String(id)}` };
}
