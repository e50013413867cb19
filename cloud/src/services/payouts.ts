// Payouts (docs/operations.md "Payouts"): the account a wallet is paid to; the batch the operator
// exports for the payment provider, which marks its withdrawals exported (in flight) once; and the
// provider's result file, which marks each of them paid (the money leaves through external funding) or
// failed (the money goes back to the wallet), exactly once — a re-import changes nothing.
import { parse } from 'csv-parse/sync';
import { eq, sql } from 'drizzle-orm';
import {
  ErrorCode,
  maskHolderName,
  maskPayoutAccount,
  parsePayoutAccount,
  type PayoutAccountInput,
  type PayoutAccountKind,
} from '@redtap/shared';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import { settlementExports } from '../db/schema/money-actions.ts';
import { payoutAccounts } from '../db/schema/payout-accounts.ts';
import { wallets } from '../db/schema/wallets.ts';
import { DomainError } from '../errors.ts';
import { systemLedgerAccount } from '../ledger/accounts.ts';
import { postNewTransfers, type NewTransfer } from '../ledger/post-transfers.ts';
import { csvText, csvYuan, type CsvCell } from './csv.ts';

/** Withdrawals in one exported batch, and rows in one result file. */
export const PAYOUT_BATCH_ROWS_MAX = 5_000;
/** A result file's size limit (about 200 bytes a row). */
export const PAYOUT_RESULT_FILE_BYTES_MAX = 1_048_576;
const PROVIDER_REFERENCE = /^[A-Za-z0-9_.:-]{1,64}$/;
const FAILURE_REASON_LENGTH_MAX = 200;

export const PAYOUT_EXPORT_HEADER = [
  'batch_id',
  'withdrawal_id',
  'wallet_id',
  'payee_kind',
  'payee_account',
  'payee_name',
  'payee_bank',
  'amount_fen',
  'amount_yuan',
  'requested_at',
] as const;
export const PAYOUT_RESULT_HEADER = [
  'batch_id',
  'withdrawal_id',
  'status',
  'provider_reference',
  'reason',
] as const;

export interface PayoutAccountView {
  kind: PayoutAccountKind;
  /** Masked: the full account is only in the exported batch file. */
  account: string;
  holderName: string;
  bankName: string | null;
  updatedAt: string;
}

export function batchIdOf(exportId: number): string {
  return `settlement-${String(exportId)}`;
}

export async function getPayoutAccount(db: Database, walletId: number): Promise<PayoutAccountView | null> {
  const [row] = await db.select().from(payoutAccounts).where(eq(payoutAccounts.walletId, walletId));
  if (row === undefined) return null;
  return {
    kind: row.kind,
    account: maskPayoutAccount(row.kind, row.account),
    holderName: maskHolderName(row.holderName),
    bankName: row.bankName,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Links (or replaces) the wallet's payout account. Withdrawals already requested keep their payee. */
export async function linkPayoutAccount(
  db: Database,
  input: { walletId: number; account: PayoutAccountInput; now: Date },
): Promise<PayoutAccountView> {
  const parsed = parsePayoutAccount(input.account);
  if (!parsed.ok) throw new DomainError(parsed.code, parsed.message);
  await db.transaction(async (tx) => {
    const [wallet] = await tx
      .select({ revokedAt: wallets.revokedAt })
      .from(wallets)
      .where(eq(wallets.id, input.walletId))
      .for('update');
    if (wallet === undefined) throw new DomainError(ErrorCode.NOT_FOUND, 'wallet not found');
    if (wallet.revokedAt !== null)
      throw new DomainError(ErrorCode.WALLET_REVOKED, 'this wallet is revoked; it links no payout account');
    const values = { ...parsed.value, updatedAt: input.now };
    await tx
      .insert(payoutAccounts)
      .values({ walletId: input.walletId, ...values })
      .onConflictDoUpdate({ target: payoutAccounts.walletId, set: values });
  });
  const view = await getPayoutAccount(db, input.walletId);
  if (view === null) throw new Error('payout account vanished');
  return view;
}

export interface PayoutBatch {
  csv: string;
  count: number;
  totalFen: number;
  exportId: number | null;
  batchId: string | null;
}

/**
 * The batch file for the payment provider: every pending withdrawal (bounded), with its payee, marked
 * exported in the same transaction. Nothing moves in the ledger yet: the money stays in withdrawal
 * clearing until the provider's result says paid or failed. The row locks make two concurrent exports
 * take disjoint withdrawals; the second, finding none, writes no empty batch.
 */
export async function exportPayoutBatch(
  db: Database,
  now: Date,
  createdBy: number | null = null,
): Promise<PayoutBatch> {
  return db.transaction(async (tx) => {
    const rows = await queryRows<{
      id: unknown;
      wallet_id: unknown;
      amount_fen: unknown;
      created_at: Date | string;
      payee_kind: string;
      payee_account: string;
      payee_name: string;
      payee_bank: string | null;
    }>(
      tx,
      // A withdrawal from before payout accounts carries no payee: it takes the wallet's account once one
      // is linked, and waits until then (docs/operations.md "Payouts").
      sql`select w.id, w.wallet_id, w.amount_fen, w.created_at,
                 coalesce(w.payee_kind, p.kind) as payee_kind,
                 coalesce(w.payee_account, p.account) as payee_account,
                 coalesce(w.payee_name, p.holder_name) as payee_name,
                 case when w.payee_kind is null then p.bank_name else w.payee_bank end as payee_bank
          from withdrawals w left join payout_accounts p on p.wallet_id = w.wallet_id
          where w.status = 'pending' and (w.payee_kind is not null or p.kind is not null)
          order by w.id limit ${PAYOUT_BATCH_ROWS_MAX} for update of w`,
    );
    if (rows.length === 0)
      return { csv: csvText(PAYOUT_EXPORT_HEADER, []), count: 0, totalFen: 0, exportId: null, batchId: null };
    // The export row is the batch's identity, so two batches never share an id.
    const [created] = await tx
      .insert(settlementExports)
      .values({ createdAt: now, createdBy, withdrawalCount: rows.length, totalFen: 0, csv: '' })
      .returning({ id: settlementExports.id });
    if (created === undefined) throw new Error('insert returned no row');
    const batchId = batchIdOf(created.id);
    let totalFen = 0;
    const lines: CsvCell[][] = rows.map((row) => {
      const fen = int(row.amount_fen);
      totalFen += fen;
      return [
        batchId,
        int(row.id),
        int(row.wallet_id),
        row.payee_kind,
        row.payee_account,
        row.payee_name,
        row.payee_bank,
        fen,
        csvYuan(fen),
        new Date(row.created_at).toISOString(),
      ];
    });
    const exported = rows.map((row) => ({
      id: int(row.id),
      kind: row.payee_kind,
      account: row.payee_account,
      name: row.payee_name,
      bank: row.payee_bank,
    }));
    // The payee goes onto the row as exported, so the batch file and the withdrawal agree for good.
    await tx.execute(
      sql`update withdrawals w set status = 'exported', exported_at = ${now.toISOString()}::timestamptz,
                 settlement_id = ${batchId}, payee_kind = e.kind, payee_account = e.account,
                 payee_name = e.name, payee_bank = e.bank
          from jsonb_to_recordset(${JSON.stringify(exported)}::jsonb)
            as e(id bigint, kind text, account text, name text, bank text)
          where w.id = e.id and w.status = 'pending'`,
    );
    const csv = csvText(PAYOUT_EXPORT_HEADER, lines);
    await tx.update(settlementExports).set({ csv, totalFen }).where(eq(settlementExports.id, created.id));
    return { csv, count: rows.length, totalFen, exportId: created.id, batchId };
  });
}

export interface PayoutResultRow {
  /** The file's line the row is on (1 is the header). */
  line: number;
  withdrawalId: number;
  status: 'paid' | 'failed';
  providerReference: string | null;
  reason: string | null;
}

function fileError(line: number, message: string): DomainError {
  return new DomainError(ErrorCode.PAYOUT_FILE_INVALID, `line ${String(line)}: ${message}`);
}

/**
 * Reads the provider's result file for one batch; never partially: the first problem refuses the whole
 * file with its line. Rows of another batch are refused, not skipped, so a wrong file is noticed.
 */
export function parsePayoutResults(text: string, batchId: string): PayoutResultRow[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      trim: true,
      skip_empty_lines: true,
      max_record_size: 4_096,
      to: PAYOUT_BATCH_ROWS_MAX + 1,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const line = (error as { lines?: unknown }).lines;
    throw fileError(typeof line === 'number' ? line : 0, error instanceof Error ? error.message : 'not CSV');
  }
  const [header, ...body] = records;
  if (header === undefined) throw fileError(1, 'the file is empty');
  const columns = header.record.map((name) => name.toLowerCase());
  const index = new Map(PAYOUT_RESULT_HEADER.map((name) => [name, columns.indexOf(name)]));
  const missing = PAYOUT_RESULT_HEADER.filter((name) => index.get(name) === -1);
  if (missing.length > 0) throw fileError(header.info.lines, `missing column(s) ${missing.join(', ')}`);
  if (body.length === 0) throw fileError(header.info.lines, 'the file has no result rows');
  if (body.length > PAYOUT_BATCH_ROWS_MAX)
    throw fileError(header.info.lines, `more than ${String(PAYOUT_BATCH_ROWS_MAX)} rows`);
  const seen = new Set<number>();
  return body.map(({ record, info }) => {
    const line = info.lines;
    const cell = (name: (typeof PAYOUT_RESULT_HEADER)[number]) => record[index.get(name) ?? -1] ?? '';
    if (record.length !== columns.length) throw fileError(line, `expected ${String(columns.length)} cells`);
    if (cell('batch_id') !== batchId)
      throw new DomainError(
        ErrorCode.PAYOUT_RESULT_UNKNOWN,
        `line ${String(line)}: batch ${JSON.stringify(cell('batch_id'))} is not ${batchId}`,
      );
    const idText = cell('withdrawal_id');
    const withdrawalId = /^[1-9]\d{0,15}$/.test(idText) ? Number(idText) : 0;
    if (!Number.isSafeInteger(withdrawalId) || withdrawalId <= 0)
      throw fileError(line, `withdrawal_id ${JSON.stringify(idText)} is not an id`);
    if (seen.has(withdrawalId)) throw fileError(line, `withdrawal ${idText} appears twice`);
    seen.add(withdrawalId);
    const status = cell('status').toLowerCase();
    if (status !== 'paid' && status !== 'failed')
      throw fileError(line, `status ${JSON.stringify(cell('status'))} is neither paid nor failed`);
    const reference = cell('provider_reference');
    if (reference === '' ? status === 'paid' : !PROVIDER_REFERENCE.test(reference))
      throw fileError(line, 'provider_reference must be 1–64 letters, digits or _ . : -');
    const reason = cell('reason');
    if (status === 'failed' && reason === '') throw fileError(line, 'a failed payout needs its reason');
    if (reason.length > FAILURE_REASON_LENGTH_MAX)
      throw fileError(line, `reason longer than ${String(FAILURE_REASON_LENGTH_MAX)} characters`);
    return {
      line,
      withdrawalId,
      status,
      providerReference: reference === '' ? null : reference,
      reason: reason === '' ? null : reason,
    };
  });
}

export interface PayoutImport {
  batchId: string;
  paid: number;
  failed: number;
  /** Rows whose result was recorded before (a re-import): nothing changed for them. */
  unchanged: number;
  paidFen: number;
  /** Failed withdrawals' money, back in the wallets. */
  returnedFen: number;
}

/**
 * Applies a batch's result file in one transaction, all or nothing: each exported withdrawal becomes paid
 * (clearing → external funding) or failed (clearing → its wallet). A row that repeats the recorded result
 * changes nothing; one that contradicts it is refused with its line.
 */
export async function importPayoutResults(
  db: Database,
  input: { exportId: number; csv: string; now: Date },
): Promise<PayoutImport> {
  const batchId = batchIdOf(input.exportId);
  const [batch] = await db
    .select({ id: settlementExports.id })
    .from(settlementExports)
    .where(eq(settlementExports.id, input.exportId));
  if (batch === undefined) throw new DomainError(ErrorCode.NOT_FOUND, `no batch ${batchId}`);
  const results = parsePayoutResults(input.csv, batchId);
  return db.transaction(async (tx) => {
    const rows = await queryRows<{
      id: unknown;
      status: string;
      amount_fen: unknown;
      provider_reference: string | null;
      wallet_account: unknown;
    }>(
      tx,
      sql`select w.id, w.status, w.amount_fen, w.provider_reference, a.ledger_account_id as wallet_account
          from withdrawals w join wallets a on a.id = w.wallet_id
          where w.settlement_id = ${batchId}
            and w.id in (select jsonb_array_elements_text(${JSON.stringify(results.map((r) => r.withdrawalId))}::jsonb)::bigint)
          order by w.id for update of w`,
    );
    const byId = new Map(rows.map((row) => [int(row.id), row]));
    const clearing = await systemLedgerAccount(tx, 'withdrawal_clearing');
    const external = await systemLedgerAccount(tx, 'external_funding');
    const moves: NewTransfer[] = [];
    const paidIds: { id: number; reference: string | null }[] = [];
    const failedIds: { id: number; reference: string | null; reason: string | null }[] = [];
    const outcome: PayoutImport = { batchId, paid: 0, failed: 0, unchanged: 0, paidFen: 0, returnedFen: 0 };
    for (const result of results) {
      const row = byId.get(result.withdrawalId);
      if (row === undefined)
        throw new DomainError(
          ErrorCode.PAYOUT_RESULT_UNKNOWN,
          `line ${String(result.line)}: withdrawal ${String(result.withdrawalId)} is not in ${batchId}`,
        );
      if (row.status !== 'exported') {
        if (row.status === result.status && row.provider_reference === result.providerReference) {
          outcome.unchanged += 1;
          continue;
        }
        throw new DomainError(
          ErrorCode.PAYOUT_RESULT_CONFLICT,
          `line ${String(result.line)}: withdrawal ${String(result.withdrawalId)} is already ${row.status}${row.provider_reference === null ? '' : ` (${row.provider_reference})`}`,
        );
      }
      const amountFen = int(row.amount_fen);
      const reference = `withdrawal:${String(result.withdrawalId)}`;
      if (result.status === 'paid') {
        moves.push({
          debitAccountId: clearing,
          creditAccountId: external,
          amountFen,
          code: 'payout',
          reference,
        });
        paidIds.push({ id: result.withdrawalId, reference: result.providerReference });
        outcome.paid += 1;
        outcome.paidFen += amountFen;
      } else {
        moves.push({
          debitAccountId: clearing,
          creditAccountId: int(row.wallet_account),
          amountFen,
          code: 'payout_failed',
          reference,
        });
        failedIds.push({
          id: result.withdrawalId,
          reference: result.providerReference,
          reason: result.reason,
        });
        outcome.failed += 1;
        outcome.returnedFen += amountFen;
      }
    }
    const posted = await postNewTransfers(tx, moves);
    // Clearing holds every exported withdrawal's money, so this is a broken ledger, not bad input.
    if (!posted.ok) throw new Error(`payout transfers refused: ${posted.code}`);
    const at = input.now.toISOString();
    if (paidIds.length > 0)
      await tx.execute(
        sql`update withdrawals w set status = 'paid', paid_at = ${at}::timestamptz, provider_reference = r.reference
            from jsonb_to_recordset(${JSON.stringify(paidIds)}::jsonb) as r(id bigint, reference text)
            where w.id = r.id and w.status = 'exported'`,
      );
    if (failedIds.length > 0)
      await tx.execute(
        sql`update withdrawals w set status = 'failed', failed_at = ${at}::timestamptz,
                   provider_reference = r.reference, failure_reason = r.reason
            from jsonb_to_recordset(${JSON.stringify(failedIds)}::jsonb) as r(id bigint, reference text, reason text)
            where w.id = r.id and w.status = 'exported'`,
      );
    return outcome;
  });
}

export interface HeldWithdrawal {
  id: number;
  walletId: number;
  amountFen: number;
  /** The multi-account signal that held it (account-signals.ts). */
  reason: string | null;
  /** The payee, masked, and how many wallets its account is linked to or was requested for. */
  payee: string | null;
  walletsSharingAccount: number;
  createdAt: string;
}

/** Withdrawals a multi-account signal held, oldest first (keyset pages on id). */
export async function listHeldWithdrawals(
  db: Database,
  page: { limit: number; after: number },
): Promise<HeldWithdrawal[]> {
  const rows = await queryRows<{
    id: unknown;
    wallet_id: unknown;
    amount_fen: unknown;
    hold_code: string | null;
    payee_kind: PayoutAccountKind | null;
    payee_account: string | null;
    created_at: Date | string;
    sharing: unknown;
  }>(
    db,
    sql`select w.id, w.wallet_id, w.amount_fen, w.hold_code, w.payee_kind, w.payee_account, w.created_at,
               (select count(*) from (
                  select p.wallet_id from payout_accounts p where p.kind = w.payee_kind and p.account = w.payee_account
                  union
                  select o.wallet_id from withdrawals o
                  where o.payee_kind = w.payee_kind and o.payee_account = w.payee_account) s) as sharing
        from withdrawals w where w.status = 'held' and w.id > ${page.after} order by w.id limit ${page.limit}`,
  );
  return rows.map((row) => ({
    id: int(row.id),
    walletId: int(row.wallet_id),
    amountFen: int(row.amount_fen),
    reason: row.hold_code,
    payee:
      row.payee_kind === null || row.payee_account === null
        ? null
        : `${row.payee_kind} ${maskPayoutAccount(row.payee_kind, row.payee_account)}`,
    walletsSharingAccount: int(row.sharing),
    createdAt: new Date(row.created_at).toISOString(),
  }));
}

/**
 * An operator's decision on a held withdrawal. Release makes it pending, so the next batch exports it and
 * the provider's result pays it, once; refuse gives its money back to the wallet (clearing → wallet) and it
 * no longer counts against the wallet's daily withdrawals.
 */
export async function reviewHeldWithdrawal(
  db: Database,
  input: { withdrawalId: number; decision: 'release' | 'refuse'; now: Date },
): Promise<{ id: number; status: 'pending' | 'refused'; amountFen: number }> {
  return db.transaction(async (tx) => {
    const [row] = await queryRows<{ status: string; amount_fen: unknown; wallet_account: unknown }>(
      tx,
      sql`select w.status, w.amount_fen, a.ledger_account_id as wallet_account
          from withdrawals w join wallets a on a.id = w.wallet_id
          where w.id = ${input.withdrawalId} for update of w`,
    );
    if (row === undefined) throw new DomainError(ErrorCode.NOT_FOUND, 'held withdrawal not found');
    if (row.status !== 'held')
      throw new DomainError(ErrorCode.CONFLICT, `the withdrawal is ${row.status}, not held`);
    const amountFen = int(row.amount_fen);
    const at = input.now.toISOString();
    if (input.decision === 'release') {
      await tx.execute(
        sql`update withdrawals set status = 'pending', reviewed_at = ${at}::timestamptz where id = ${input.withdrawalId}`,
      );
      return { id: input.withdrawalId, status: 'pending' as const, amountFen };
    }
    const clearing = await systemLedgerAccount(tx, 'withdrawal_clearing');
    const posted = await postNewTransfers(tx, [
      {
        debitAccountId: clearing,
        creditAccountId: int(row.wallet_account),
        amountFen,
        code: 'withdrawal_refused',
        reference: `withdrawal:${String(input.withdrawalId)}`,
      },
    ]);
    // Clearing holds every held withdrawal's money, so this is a broken ledger, not bad input.
    if (!posted.ok) throw new Error(`withdrawal refusal refused: ${JSON.stringify(posted)}`);
    await tx.execute(
      sql`update withdrawals set status = 'refused', reviewed_at = ${at}::timestamptz where id = ${input.withdrawalId}`,
    );
    return { id: input.withdrawalId, status: 'refused' as const, amountFen };
  });
}
