// Double-entry ledger after TigerBeetle's model: accounts with posted debits and credits, and
// immutable transfers with client-supplied unique ids. Corrections are new transfers.
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  pgSequence,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

export const ledgerAccountKinds = [
  /** Money entering or leaving the system (bank, payment provider): the only kind that may go negative. */
  'external_funding',
  /** The operator's own revenue and fees. */
  'operator',
  'advertiser',
  'campaign_budget',
  /** Money reserved for one envelope deck on one screen. */
  'deck_escrow',
  'wallet_cash',
  /** Withdrawals in flight to the payment provider. */
  'withdrawal_clearing',
  /** Cash of taps held for operator review: released to the wallet or refused back to the budget. */
  'review_hold',
] as const;
export type LedgerAccountKind = (typeof ledgerAccountKinds)[number];

/** PostgreSQL's 64-bit transaction id, as text. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

export const ledgerAccounts = pgTable(
  'ledger_accounts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    kind: text('kind', { enum: ledgerAccountKinds }).notNull(),
    /** The id of the owning row in the kind's table (advertiser, campaign, deck, wallet), if any. */
    ownerId: bigint('owner_id', { mode: 'number' }),
    allowNegative: boolean('allow_negative').notNull().default(false),
    debitsPostedFen: bigint('debits_posted_fen', { mode: 'number' }).notNull().default(0),
    creditsPostedFen: bigint('credits_posted_fen', { mode: 'number' }).notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('ledger_accounts_owner_key')
      .on(table.kind, table.ownerId)
      .where(sql`${table.ownerId} is not null`),
    // The last line of defence: the posting code checks first and reports INSUFFICIENT_FUNDS.
    check(
      'ledger_accounts_balance_check',
      sql`${table.allowNegative} or ${table.creditsPostedFen} >= ${table.debitsPostedFen}`,
    ),
    check(
      'ledger_accounts_negative_kind_check',
      sql`not ${table.allowNegative} or ${table.kind} = 'external_funding'`,
    ),
  ],
);

export const ledgerTransfers = pgTable(
  'ledger_transfers',
  {
    /** Client-supplied, so a retried post is recognised; allocate from `ledger_transfer_id_seq`. */
    id: bigint('id', { mode: 'number' }).primaryKey(),
    /**
     * No foreign keys on the two accounts (as in TigerBeetle, the posting checks them): every posting
     * locks and reads both accounts in its transaction and refuses an unknown one (NOT_FOUND), an
     * account that has posted anything cannot be deleted (`ledger_accounts_keep_posted`, migration
     * 0015), and `checkLedger` reports a transfer naming a missing account. Two per-row foreign-key
     * checks were half the cost of inserting a redemption's transfer.
     */
    debitAccountId: bigint('debit_account_id', { mode: 'number' }).notNull(),
    creditAccountId: bigint('credit_account_id', { mode: 'number' }).notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    /** What the movement is (`fund_advertiser`, `reserve_deck`, `redeem`, …). */
    code: text('code').notNull(),
    /** Free-form reference to the business row that caused it (`deck:42`). */
    reference: text('reference'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * The transaction that wrote it: the incremental ledger check reads only transfers that its last
     * checkpoint's snapshot did not see (check-ledger.ts). Null for transfers written before the column.
     */
    txId: xid8('tx_id').default(sql`pg_current_xact_id()`),
  },
  (table) => [
    index('ledger_transfers_tx_idx').on(table.txId),
    index('ledger_transfers_debit_idx').on(table.debitAccountId),
    index('ledger_transfers_credit_idx').on(table.creditAccountId),
    check('ledger_transfers_amount_check', sql`${table.amountFen} > 0`),
    check('ledger_transfers_distinct_check', sql`${table.debitAccountId} <> ${table.creditAccountId}`),
  ],
);

/**
 * Server-allocated ids start at 2^40, so they can never meet client-supplied ids (funding calls), which
 * must stay below it.
 */
export const CLIENT_TRANSFER_ID_MAX = 2 ** 40 - 1;
export const ledgerTransferIdSequence = pgSequence('ledger_transfer_id_seq', { startWith: 2 ** 40 });

/**
 * The last checkpoint of the ledger check (one row): the snapshot it was taken in (`pg_snapshot` as
 * text) and how many transfers that snapshot saw. With `ledger_checkpoint_accounts` it lets a check read
 * only the transfers written since, plus the current accounts.
 */
export const ledgerCheckpoints = pgTable(
  'ledger_checkpoints',
  {
    id: integer('id').primaryKey(),
    snapshot: text('snapshot').notNull(),
    transfers: bigint('transfers', { mode: 'number' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [check('ledger_checkpoints_single', sql`${table.id} = 1`)],
);

/** Per account, the sums of the transfers the checkpoint's snapshot saw (verified against the balances). */
export const ledgerCheckpointAccounts = pgTable('ledger_checkpoint_accounts', {
  accountId: bigint('account_id', { mode: 'number' }).primaryKey(),
  debitsFen: bigint('debits_fen', { mode: 'number' }).notNull(),
  creditsFen: bigint('credits_fen', { mode: 'number' }).notNull(),
});
