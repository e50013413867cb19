// The account a wallet's withdrawals are paid to (an Alipay account or a bank card), one per wallet.
// A withdrawal copies it when requested, so relinking never redirects money already on its way.
import { sql } from 'drizzle-orm';
import { bigint, check, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { wallets } from './wallets.ts';

/** The same list as `storedPayoutAccountKinds` of @redtap/shared (the schema imports nothing from it at run time). */
export const storedPayoutAccountKinds = ['alipay', 'bank_card'] as const;

export const payoutAccounts = pgTable(
  'payout_accounts',
  {
    walletId: bigint('wallet_id', { mode: 'number' })
      .primaryKey()
      .references(() => wallets.id),
    kind: text('kind', { enum: storedPayoutAccountKinds }).notNull(),
    /** Normalised by `parsePayoutAccount`: phone digits, lower-case email or card digits. */
    account: text('account').notNull(),
    /** The account holder's real name, which the provider checks against the account. */
    holderName: text('holder_name').notNull(),
    /** The issuing bank of a card; null for Alipay. */
    bankName: text('bank_name'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    check('payout_accounts_kind_check', sql`${table.kind} in ('alipay', 'bank_card')`),
    // Wallets sharing one account, a multi-account signal read at each withdrawal (account-signals.ts).
    index('payout_accounts_account_idx').on(table.kind, table.account),
  ],
);
