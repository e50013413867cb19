// Wallets: one per registered phone key, with its cash account, issued credentials and login nonces.
import { sql } from 'drizzle-orm';
import {
  bigint,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { ledgerAccounts } from './ledger.ts';

export const wallets = pgTable(
  'wallets',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** 65-byte uncompressed P-256 point, lower-case hex. */
    phonePublicKey: text('phone_public_key').notNull(),
    ledgerAccountId: bigint('ledger_account_id', { mode: 'number' })
      .notNull()
      .references(() => ledgerAccounts.id),
    /** The highest credential serial issued so far. */
    credentialSerial: integer('credential_serial').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('wallets_phone_public_key_key').on(table.phonePublicKey)],
);

export const walletCredentials = pgTable(
  'wallet_credentials',
  {
    walletId: bigint('wallet_id', { mode: 'number' })
      .notNull()
      .references(() => wallets.id),
    serial: integer('serial').notNull(),
    issuerKeyId: integer('issuer_key_id').notNull(),
    /** u32 Unix seconds, as in the credential bytes. */
    expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
    /** The 147 credential bytes as issued, hex, so redemption verifies the issuer signature (§7 step 3). */
    credential: text('credential'),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.walletId, table.serial] }),
    index('wallet_credentials_revoked_idx')
      .on(table.revokedAt)
      .where(sql`${table.revokedAt} is not null`),
  ],
);

/** Single-use login challenges; a row is deleted when used or swept when expired. */
export const walletLoginNonces = pgTable(
  'wallet_login_nonces',
  {
    nonce: text('nonce').primaryKey(),
    walletId: bigint('wallet_id', { mode: 'number' })
      .notNull()
      .references(() => wallets.id),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (table) => [index('wallet_login_nonces_expires_idx').on(table.expiresAt)],
);
