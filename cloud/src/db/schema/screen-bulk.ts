// Bulk provisioning of screens (services/bulk-screens.ts): the CSV imports and the screens each one
// created (so its enrolment codes can be issued and printed page by page), and the broker identities
// that bulk revocation queued for removal (the revocation dispatcher removes them, never the request).
import { bigint, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { screens } from './screens.ts';

/** One CSV import that wrote screens (a dry run writes nothing, so has no row). */
export const screenImports = pgTable('screen_imports', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  /** Screens the import created. */
  screens: integer('screens').notNull(),
  /** The operator who imported it; null for the cloud itself (a script). */
  userId: bigint('user_id', { mode: 'number' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * The screens an import created, walked in id order by its enrolment-code pages. Written in the statement
 * that inserts the screens, from their returned ids; no foreign keys: their checks, one per row, were a
 * third of a 100,000-row import, and neither imports nor screens are ever deleted.
 */
export const screenImportScreens = pgTable(
  'screen_import_screens',
  {
    importId: bigint('import_id', { mode: 'number' }).notNull(),
    screenId: bigint('screen_id', { mode: 'number' }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.importId, table.screenId] })],
);

/**
 * A revoked screen whose broker identity is still to be removed (Mosquitto dynamic security client and
 * role, the retained config cleared, its connection cut). Bulk revocation writes these rows in its
 * transaction; the revocation dispatcher leases a batch, asks the broker, and deletes the row, or backs
 * off on a failure. A row exists only while there is work left.
 */
export const screenBrokerRevocations = pgTable(
  'screen_broker_revocations',
  {
    screenId: bigint('screen_id', { mode: 'number' })
      .primaryKey()
      .references(() => screens.id),
    queuedAt: timestamp('queued_at', { withTimezone: true }).notNull().defaultNow(),
    /** Failed attempts since queued (the backoff grows with it). */
    attempts: integer('attempts').notNull().default(0),
    /** Cloud time (unix ms) before which a failed removal is not tried again. */
    nextAttemptAt: bigint('next_attempt_at', { mode: 'number' }).notNull().default(0),
    /** Cloud time (unix ms) until which a dispatcher holds the row; others skip it meanwhile. */
    leaseUntil: bigint('lease_until', { mode: 'number' }).notNull().default(0),
    lastError: text('last_error'),
  },
  (table) => [index('screen_broker_revocations_due_idx').on(table.nextAttemptAt)],
);
