// Wallets: one per registered phone key or passkey sign-up, with its cash account, issued credentials and
// login nonces.
import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
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
    /**
     * 65-byte uncompressed P-256 point, lower-case hex. Null for a wallet signed up with a passkey
     * (wallet-passkeys.ts): it has no phone key, so no credential and no taps by NFC. The unique index
     * holds for every key that is set (PostgreSQL never counts nulls as equal).
     */
    phonePublicKey: text('phone_public_key'),
    ledgerAccountId: bigint('ledger_account_id', { mode: 'number' })
      .notNull()
      .references(() => ledgerAccounts.id),
    /** The highest credential serial issued so far. */
    credentialSerial: integer('credential_serial').notNull().default(0),
    /**
     * Carried in every wallet session token and checked on each request; bumping it ends every
     * session issued before (revocation does).
     */
    sessionEpoch: integer('session_epoch').notNull().default(0),
    /**
     * Set when a credential is revoked (a lost or cloned phone): the phone key can no longer register
     * or log in, and nothing moves money for the wallet. Operators still see it.
     */
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
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
    /**
     * The revocation's place in the network's revocation sequence (docs/protocol.md §5.5): set with
     * revokedAt, from revocation_head in the revoking transaction, so numbers are contiguous and in
     * commit order. Never cleared: a revocation is never undone.
     */
    revocationSeq: bigint('revocation_seq', { mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.walletId, table.serial] }),
    index('wallet_credentials_revoked_idx')
      .on(table.revokedAt)
      .where(sql`${table.revokedAt} is not null`),
    uniqueIndex('wallet_credentials_revocation_seq_key')
      .on(table.revocationSeq)
      .where(sql`${table.revocationSeq} is not null`),
    // The unexpired revocations, without reading the expired ones.
    index('wallet_credentials_revoked_expiry_idx')
      .on(table.expiresAt)
      .where(sql`${table.revocationSeq} is not null`),
  ],
);

/**
 * One row (id 1): the last revocation sequence number taken. The revoking transaction raises it by the
 * credentials it revokes, holding the row until commit, so a number is only seen once every smaller one
 * has committed: a screen that is current to `seq` misses no revocation at or below it.
 */
export const revocationHead = pgTable(
  'revocation_head',
  {
    id: integer('id').primaryKey(),
    seq: bigint('seq', { mode: 'number' }).notNull().default(0),
  },
  (table) => [check('revocation_head_single', sql`${table.id} = 1`)],
);

/**
 * Login challenges already used. Challenges themselves are stateless (HMAC-bound, see
 * services/wallets.ts); a row here makes one single use until it expires, then it is swept.
 */
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
