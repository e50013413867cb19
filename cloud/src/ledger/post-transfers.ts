// Posts a batch of ledger transfers in one transaction with set-based SQL (TigerBeetle's model):
// lock the touched accounts in id order, recognise retries by transfer id, apply the batch in
// order in memory, then write every transfer and every balance change with one statement each.
import { sql } from 'drizzle-orm';
import { assert, ErrorCode } from '@redtap/shared';
import type { Database } from '../db/client.ts';
import { pgArray, recordsetOf, sortedIds } from '../db/pg-array.ts';
import { int, queryRows, sqlState } from '../db/rows.ts';

export const TRANSFER_BATCH_SIZE_MAX = 8_190;
/** A concurrent batch inserting the same new id makes ours fail on the unique key; re-run it. */
const UNIQUE_RACE_RETRIES_MAX = 3;

export interface TransferInput {
  /** Client-supplied and unique forever; allocate with `allocateTransferIds`. */
  id: number;
  debitAccountId: number;
  creditAccountId: number;
  amountFen: number;
  code: string;
  reference?: string | null;
}

export type TransferRejectCode =
  | typeof ErrorCode.INSUFFICIENT_FUNDS
  | typeof ErrorCode.TRANSFER_CONFLICT
  | typeof ErrorCode.NOT_FOUND
  | typeof ErrorCode.MONEY_INVALID
  | typeof ErrorCode.VALIDATION_FAILED;

export type TransferResult =
  | { id: number; status: 'posted' }
  /** The same transfer was posted before (a retry): the first result stands. */
  | { id: number; status: 'exists' }
  | { id: number; status: 'rejected'; code: TransferRejectCode };

export interface PostOptions {
  /** All or nothing: if any transfer is rejected, none is posted (TigerBeetle's linked events). */
  linked?: boolean;
  /**
   * Every id was just drawn from `ledger_transfer_id_seq` in this transaction, so none can exist yet and
   * the retry lookup is skipped (the primary key still guards it).
   */
  idsFresh?: boolean;
}

interface AccountRow {
  id: unknown;
  allow_negative: boolean;
  debits_posted_fen: unknown;
  credits_posted_fen: unknown;
}

interface ExistingRow {
  id: unknown;
  debit_account_id: unknown;
  credit_account_id: unknown;
  amount_fen: unknown;
  code: string;
  reference: string | null;
}

function sameContent(transfer: TransferInput, other: TransferInput): boolean {
  return (
    transfer.debitAccountId === other.debitAccountId &&
    transfer.creditAccountId === other.creditAccountId &&
    transfer.amountFen === other.amountFen &&
    transfer.code === other.code &&
    (transfer.reference ?? null) === (other.reference ?? null)
  );
}

function shapeError(transfer: TransferInput): TransferRejectCode | null {
  if (!Number.isSafeInteger(transfer.amountFen) || transfer.amountFen <= 0) return ErrorCode.MONEY_INVALID;
  if (transfer.debitAccountId === transfer.creditAccountId) return ErrorCode.VALIDATION_FAILED;
  return null;
}

export async function allocateTransferIds(db: Database, count: number): Promise<number[]> {
  assert(Number.isSafeInteger(count) && count >= 0 && count <= TRANSFER_BATCH_SIZE_MAX, 'bad id count');
  if (count === 0) return [];
  const rows = await queryRows<{ id: unknown }>(
    db,
    sql`select nextval('ledger_transfer_id_seq') as id from generate_series(1, ${count})`,
  );
  return rows.map((row) => int(row.id));
}

/** Posts inside the caller's transaction when given one, else in its own. Results are in input order. */
export async function postTransfers(
  db: Database,
  transfers: TransferInput[],
  options: PostOptions = {},
): Promise<TransferResult[]> {
  assert(transfers.length <= TRANSFER_BATCH_SIZE_MAX, `batch of ${transfers.length} transfers`);
  for (const transfer of transfers) {
    assert(Number.isSafeInteger(transfer.id) && transfer.id > 0, `bad transfer id ${transfer.id}`);
  }
  if (transfers.length === 0) return [];
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction((tx) => postInTransaction(tx, transfers, options));
    } catch (error) {
      if (sqlState(error) !== '23505' || attempt >= UNIQUE_RACE_RETRIES_MAX) throw error;
    }
  }
}

async function postInTransaction(
  tx: Database,
  transfers: TransferInput[],
  options: PostOptions,
): Promise<TransferResult[]> {
  const accountIds = [...new Set(transfers.flatMap((t) => [t.debitAccountId, t.creditAccountId]))];
  const transferIds = [...new Set(transfers.map((t) => t.id))];

  // Row locks in id order: two batches touching the same accounts queue instead of deadlocking.
  const accountRows = await queryRows<AccountRow>(
    tx,
    sql`select id, allow_negative, debits_posted_fen, credits_posted_fen from ledger_accounts
        where id = any(${pgArray(sortedIds(accountIds))}::bigint[])
        order by id for update`,
  );
  const existingRows =
    options.idsFresh === true
      ? []
      : await queryRows<ExistingRow>(
          tx,
          sql`select id, debit_account_id, credit_account_id, amount_fen, code, reference from ledger_transfers
              where id = any(${pgArray(sortedIds(transferIds))}::bigint[])`,
        );

  const accounts = new Map(
    accountRows.map((row) => [
      int(row.id),
      {
        allowNegative: row.allow_negative,
        balanceFen: int(row.credits_posted_fen) - int(row.debits_posted_fen),
      },
    ]),
  );
  const known = new Map<number, TransferInput>(
    existingRows.map((row) => [
      int(row.id),
      {
        id: int(row.id),
        debitAccountId: int(row.debit_account_id),
        creditAccountId: int(row.credit_account_id),
        amountFen: int(row.amount_fen),
        code: row.code,
        reference: row.reference,
      },
    ]),
  );

  const results: TransferResult[] = [];
  const accepted: TransferInput[] = [];
  const deltas = new Map<number, { debitsFen: number; creditsFen: number }>();
  for (const transfer of transfers) {
    const previous = known.get(transfer.id);
    if (previous !== undefined) {
      results.push(
        sameContent(transfer, previous)
          ? { id: transfer.id, status: 'exists' }
          : { id: transfer.id, status: 'rejected', code: ErrorCode.TRANSFER_CONFLICT },
      );
      continue;
    }
    const shape = shapeError(transfer);
    const debit = accounts.get(transfer.debitAccountId);
    const credit = accounts.get(transfer.creditAccountId);
    let code: TransferRejectCode | null = shape;
    if (code === null && (debit === undefined || credit === undefined)) code = ErrorCode.NOT_FOUND;
    if (
      code === null &&
      debit !== undefined &&
      !debit.allowNegative &&
      debit.balanceFen < transfer.amountFen
    ) {
      code = ErrorCode.INSUFFICIENT_FUNDS;
    }
    if (code !== null || debit === undefined || credit === undefined) {
      results.push({ id: transfer.id, status: 'rejected', code: code ?? ErrorCode.NOT_FOUND });
      continue;
    }
    debit.balanceFen -= transfer.amountFen;
    credit.balanceFen += transfer.amountFen;
    addDelta(deltas, transfer.debitAccountId, transfer.amountFen, 0);
    addDelta(deltas, transfer.creditAccountId, 0, transfer.amountFen);
    // A second copy of the same id later in this batch is a retry of this one.
    known.set(transfer.id, transfer);
    accepted.push(transfer);
    results.push({ id: transfer.id, status: 'posted' });
  }

  if (options.linked === true && results.some((result) => result.status === 'rejected')) {
    // Nothing is written; posted ones report the failure that undid them.
    return results.map((result) =>
      result.status === 'posted'
        ? { id: result.id, status: 'rejected', code: firstRejectCode(results) }
        : result,
    );
  }
  if (accepted.length === 0) return results;

  const transferRows = accepted.map((t) => ({
    id: t.id,
    debit_account_id: t.debitAccountId,
    credit_account_id: t.creditAccountId,
    amount_fen: t.amountFen,
    code: t.code,
    reference: t.reference ?? null,
  }));
  await tx.execute(
    sql`insert into ledger_transfers (id, debit_account_id, credit_account_id, amount_fen, code, reference)
        select id, debit_account_id, credit_account_id, amount_fen, code, reference
        from ${recordsetOf(transferRows, {
          id: 'bigint',
          debit_account_id: 'bigint',
          credit_account_id: 'bigint',
          amount_fen: 'bigint',
          code: 'text',
          reference: 'text',
        })}`,
  );
  const deltaRows = [...deltas].map(([id, delta]) => ({
    id,
    debits: delta.debitsFen,
    credits: delta.creditsFen,
  }));
  await tx.execute(
    sql`update ledger_accounts a
        set debits_posted_fen = a.debits_posted_fen + d.debits,
            credits_posted_fen = a.credits_posted_fen + d.credits
        from ${recordsetOf(deltaRows, { id: 'bigint', debits: 'bigint', credits: 'bigint' }, 'd')}
        where a.id = d.id`,
  );
  return results;
}

function addDelta(
  deltas: Map<number, { debitsFen: number; creditsFen: number }>,
  accountId: number,
  debitsFen: number,
  creditsFen: number,
): void {
  const delta = deltas.get(accountId) ?? { debitsFen: 0, creditsFen: 0 };
  delta.debitsFen += debitsFen;
  delta.creditsFen += creditsFen;
  deltas.set(accountId, delta);
}

function firstRejectCode(results: TransferResult[]): TransferRejectCode {
  for (const result of results) if (result.status === 'rejected') return result.code;
  return ErrorCode.VALIDATION_FAILED;
}

/** A new transfer whose id the ledger draws from `ledger_transfer_id_seq` while writing it. */
export type NewTransfer = Omit<TransferInput, 'id'>;

/**
 * Posts new transfers, all or nothing, inside the caller's transaction, in two statements: lock the
 * touched accounts in id order (as `postTransfers` does, so the two never deadlock) reading back the
 * debited ones, check
 * every transfer in order in memory, then insert the transfers with sequence-drawn ids and apply the
 * balance deltas in one statement. For bulk internal moves (redemption's escrow → wallet) that have no
 * client id to recognise, it skips `postTransfers`' savepoint, id allocation and retry lookup. The CHECK
 * constraints back the in-memory funds check as everywhere else.
 */
export async function postNewTransfers(
  tx: Database,
  transfers: readonly NewTransfer[],
): Promise<{ ok: true } | { ok: false; index: number; code: TransferRejectCode }> {
  assert(transfers.length <= TRANSFER_BATCH_SIZE_MAX, `batch of ${transfers.length} transfers`);
  if (transfers.length === 0) return { ok: true };
  const accountIds = sortedIds(transfers.flatMap((t) => [t.debitAccountId, t.creditAccountId]));
  const debitIds = sortedIds(transfers.map((t) => t.debitAccountId));
  // Every account is locked in id order, but only the debited ones come back with their balances: a
  // credit cannot break a balance, and a redemption group credits hundreds of wallets from a few decks.
  const accountRows = await queryRows<AccountRow & { locked: unknown }>(
    tx,
    sql`with locked as (
          select id, allow_negative, debits_posted_fen, credits_posted_fen from ledger_accounts
          where id = any(${pgArray(accountIds)}::bigint[])
          order by id for update
        )
        select id, allow_negative, debits_posted_fen, credits_posted_fen, (select count(*) from locked) as locked
        from locked where id = any(${pgArray(debitIds)}::bigint[])`,
  );
  const lockedCount = accountRows.length === 0 ? null : int(accountRows[0]?.locked);
  const accounts = new Map<number, { allowNegative: boolean; balanceFen: number }>(
    accountRows.map((row) => [
      int(row.id),
      {
        allowNegative: row.allow_negative,
        balanceFen: int(row.credits_posted_fen) - int(row.debits_posted_fen),
      },
    ]),
  );
  // All found: the credit-only accounts exist, and only ever gain. Otherwise ask which ones exist (rare).
  const creditOnly = accountIds.filter((id) => !accounts.has(id));
  const existing =
    lockedCount === accountIds.length
      ? creditOnly
      : (
          await queryRows<{ id: unknown }>(
            tx,
            sql`select id from ledger_accounts where id = any(${pgArray(creditOnly)}::bigint[])`,
          )
        ).map((row) => int(row.id));
  for (const id of existing) accounts.set(id, { allowNegative: true, balanceFen: 0 });
  const deltas = new Map<number, { debitsFen: number; creditsFen: number }>();
  for (const [index, transfer] of transfers.entries()) {
    const debit = accounts.get(transfer.debitAccountId);
    const credit = accounts.get(transfer.creditAccountId);
    let code = shapeError({ ...transfer, id: 1 });
    if (code === null && (debit === undefined || credit === undefined)) code = ErrorCode.NOT_FOUND;
    if (code === null && debit !== undefined && !debit.allowNegative && debit.balanceFen < transfer.amountFen)
      code = ErrorCode.INSUFFICIENT_FUNDS;
    if (code !== null || debit === undefined || credit === undefined)
      return { ok: false, index, code: code ?? ErrorCode.NOT_FOUND };
    debit.balanceFen -= transfer.amountFen;
    credit.balanceFen += transfer.amountFen;
    addDelta(deltas, transfer.debitAccountId, transfer.amountFen, 0);
    addDelta(deltas, transfer.creditAccountId, 0, transfer.amountFen);
  }
  const transferRows = transfers.map((t) => ({
    d: t.debitAccountId,
    c: t.creditAccountId,
    a: t.amountFen,
    k: t.code,
    r: t.reference ?? null,
  }));
  const deltaRows = [...deltas].map(([id, delta]) => ({ id, dr: delta.debitsFen, cr: delta.creditsFen }));
  await tx.execute(
    sql`with moved as (
          insert into ledger_transfers (id, debit_account_id, credit_account_id, amount_fen, code, reference)
          select nextval('ledger_transfer_id_seq'), t.d, t.c, t.a, t.k, t.r
          from ${recordsetOf(transferRows, { d: 'bigint', c: 'bigint', a: 'bigint', k: 'text', r: 'text' })}
        )
        update ledger_accounts a
        set debits_posted_fen = a.debits_posted_fen + d.dr, credits_posted_fen = a.credits_posted_fen + d.cr
        from ${recordsetOf(deltaRows, { id: 'bigint', dr: 'bigint', cr: 'bigint' }, 'd')}
        where a.id = d.id and a.id = any(${pgArray(accountIds)}::bigint[])`,
  );
  return { ok: true };
}
