// Wallet withdrawals into withdrawal clearing, and their payout: the operator's export hands a batch to
// the payment provider (exported, in flight), and the provider's result file marks each paid or failed.
import { sql } from 'drizzle-orm';
import { bigint, check, date, index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { storedPayoutAccountKinds } from './payout-accounts.ts';

/**
 * pending → exported (in a batch, in flight) → paid | failed (its money back in the wallet). A withdrawal
 * to a payout account many wallets share is held (its money waits in clearing) until an operator releases
 * it (pending) or refuses it (refused, its money back in the wallet).
 */
export const withdrawalStatuses = ['pending', 'exported', 'paid', 'failed', 'held', 'refused'] as const;
export type WithdrawalStatus = (typeof withdrawalStatuses)[number];

export const withdrawals = pgTable(
  'withdrawals',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    walletId: bigint('wallet_id', { mode: 'number' }).notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    status: text('status', { enum: withdrawalStatuses }).notNull().default('pending'),
    transferId: bigint('transfer_id', { mode: 'number' }).notNull(),
    /** Local day of the request: the daily limit counts by it. */
    day: date('day', { mode: 'string' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    /** The batch (`settlement-N`) that exported it; set once, with exportedAt. */
    settlementId: text('settlement_id'),
    exportedAt: timestamp('exported_at', { withTimezone: true }),
    failedAt: timestamp('failed_at', { withTimezone: true }),
    /** The provider's reference for the payment, from its result file. */
    providerReference: text('provider_reference'),
    /** Why the provider could not pay (its words), for a failed withdrawal. */
    failureReason: text('failure_reason'),
    /** The payee as linked when it was requested (payout_accounts), null before payout accounts existed. */
    payeeKind: text('payee_kind', { enum: storedPayoutAccountKinds }),
    payeeAccount: text('payee_account'),
    payeeName: text('payee_name'),
    payeeBank: text('payee_bank'),
    /** Why it was held (a shared ErrorCode of a multi-account signal); null if it never was. */
    holdCode: text('hold_code'),
    /** When an operator released or refused the hold. */
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('withdrawals_idempotency_key').on(table.walletId, table.idempotencyKey),
    index('withdrawals_wallet_day_idx').on(table.walletId, table.day),
    index('withdrawals_pending_idx')
      .on(table.id)
      .where(sql`${table.status} = 'pending'`),
    index('withdrawals_settlement_idx').on(table.settlementId),
    check('withdrawals_amount_check', sql`${table.amountFen} > 0`),
    // Wallets an account was requested for, a multi-account signal read at each withdrawal.
    index('withdrawals_payee_idx').on(table.payeeKind, table.payeeAccount),
    index('withdrawals_held_idx')
      .on(table.id)
      .where(sql`${table.status} = 'held'`),
    check(
      'withdrawals_status_check',
      sql`${table.status} in ('pending', 'exported', 'paid', 'failed', 'held', 'refused')`,
    ),
  ],
);
