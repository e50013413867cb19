// The operator's money actions, kept as history: each settlement export (its file can be downloaded
// again), each decision on a held tap, and who funded an advertiser.
import { bigint, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const settlementExports = pgTable('settlement_exports', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  /** The operator user who exported; null when run from the command line. */
  createdBy: bigint('created_by', { mode: 'number' }),
  withdrawalCount: integer('withdrawal_count').notNull(),
  totalFen: bigint('total_fen', { mode: 'number' }).notNull(),
  /** The exact file handed out, so a re-download is byte-identical. */
  csv: text('csv').notNull(),
});

export const holdDecisions = pgTable('hold_decisions', {
  /** A held tap is decided once: the redemption leaves `held` in the same transaction. */
  redemptionId: bigint('redemption_id', { mode: 'number' }).primaryKey(),
  decision: text('decision', { enum: ['release', 'refuse'] }).notNull(),
  amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
  decidedBy: bigint('decided_by', { mode: 'number' }),
  decidedAt: timestamp('decided_at', { withTimezone: true }).notNull(),
});

export const advertiserFundings = pgTable('advertiser_fundings', {
  /** The ledger transfer that moved the money (the caller's idempotency key). */
  transferId: bigint('transfer_id', { mode: 'number' }).primaryKey(),
  advertiserId: bigint('advertiser_id', { mode: 'number' }).notNull(),
  amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
  fundedBy: bigint('funded_by', { mode: 'number' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});
