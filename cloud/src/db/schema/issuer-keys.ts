// The cloud's P-256 issuer keys, which sign wallet credentials and envelope decks. One key is active;
// older keys keep verifying until the last credential they signed expires.
import { sql } from 'drizzle-orm';
import { check, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const issuerKeys = pgTable(
  'issuer_keys',
  {
    /** The u8 `issuerKeyId` of the wire formats. */
    keyId: integer('key_id').primaryKey(),
    publicKey: text('public_key').notNull(),
    /** PKCS#8 PEM sealed with AES-256-GCM under the key-encryption key (never stored in the DB). */
    privateKeySealed: text('private_key_sealed').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Set when a newer key takes over signing. */
    retiredAt: timestamp('retired_at', { withTimezone: true }),
    /** After this the key is no longer pinned on screens: every credential it signed has expired. */
    verifiesUntil: timestamp('verifies_until', { withTimezone: true }),
  },
  (table) => [check('issuer_keys_key_id_check', sql`${table.keyId} between 0 and 255`)],
);
