// Wallet withdrawals into withdrawal clearing, and their settlement by the operator's payout export.
import { sql } from 'drizzle-orm';
import { bigint, check, date, index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const withdrawalStatuses = ['pending', 'paid'] as const;
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
    settlementId: text('settlement_id'),
  },
  (table) => [
    uniqueIndex('withdrawals_idempotency_key').on(table.walletId, table.idempotencyKey),
    index('withdrawals_wallet_day_idx').on(table.walletId, table.day),
    index('withdrawals_pending_idx')
      .on(table.id)
      .where(sql`${table.status} = 'pending'`),
    check('withdrawals_amount_check', sql`${table.amountFen} > 0`),
  ],
);
