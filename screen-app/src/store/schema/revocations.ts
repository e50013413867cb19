// Revocation aggregate (docs/protocol.md §5.5, §5.8): the credentials the cloud revoked, kept until they
// expire, and the revocation number the screen is current to.
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';

/** Revoked credentials as `walletId:serial`; deleted once expired (an expired credential is refused anyway). */
export const revokedCredentials = sqliteTable(
  'revoked_credentials',
  {
    credential: text('credential').primaryKey(),
    expiresAt: integer('expires_at').notNull(),
  },
  (table) => [index('revoked_credentials_expires_idx').on(table.expiresAt)],
);

/**
 * One row (id 1). `version`: every revocation numbered at or below it is in revoked_credentials (or has
 * expired); it only rises. `target`: the highest number a config said exists; while version < target
 * the screen knows it is behind and pages the rest from the cloud.
 */
export const revocationState = sqliteTable(
  'revocation_state',
  {
    id: integer('id').primaryKey(),
    version: integer('version').notNull().default(0),
    target: integer('target').notNull().default(0),
  },
  (table) => [check('revocation_state_single_row', sql`${table.id} = 1`)],
);
