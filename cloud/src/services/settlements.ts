// Past payout batches (written by exportPayoutBatch): listed newest first with how many of their
// withdrawals are still in flight, paid or failed; each file downloadable again byte for byte (a
// re-download never touches withdrawals or the ledger).
import { count, desc, eq, inArray, lt } from 'drizzle-orm';
import { ErrorCode } from '@redtap/shared';
import type { Database } from '../db/client.ts';
import { settlementExports } from '../db/schema/money-actions.ts';
import { withdrawals } from '../db/schema/withdrawals.ts';
import { DomainError } from '../errors.ts';
import { UTF8_BOM } from './csv.ts';

export interface SettlementExportView {
  id: number;
  settlementId: string;
  createdAt: string;
  createdBy: number | null;
  withdrawalCount: number;
  totalFen: number;
  /** Exported and waiting for the provider's result. */
  inFlightCount: number;
  paidCount: number;
  failedCount: number;
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
  const ids = rows.map((row) => `settlement-${String(row.id)}`);
  const counts =
    ids.length === 0
      ? []
      : await db
          .select({ settlementId: withdrawals.settlementId, status: withdrawals.status, n: count() })
          .from(withdrawals)
          .where(inArray(withdrawals.settlementId, ids))
          .groupBy(withdrawals.settlementId, withdrawals.status);
  const countOf = (settlementId: string, status: string) =>
    counts.find((row) => row.settlementId === settlementId && row.status === status)?.n ?? 0;
  return rows.map((row) => {
    const settlementId = `settlement-${String(row.id)}`;
    return {
      ...row,
      settlementId,
      createdAt: row.createdAt.toISOString(),
      // Batches from before the provider's result file were marked paid when exported.
      inFlightCount: countOf(settlementId, 'exported'),
      paidCount: countOf(settlementId, 'paid'),
      failedCount: countOf(settlementId, 'failed'),
    };
  });
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
  // PGlite drops a leading byte order mark from stored text; the file handed out always has one.
  const csv = row.csv.startsWith(UTF8_BOM) ? row.csv : `${UTF8_BOM}${row.csv}`;
  return { csv, settlementId: `settlement-${String(id)}` };
}
