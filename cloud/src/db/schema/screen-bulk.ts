// Bulk provisioning of screens (services/bulk-screens.ts): the CSV imports and the screens each one
// created (so its enrolment codes can be issued and printed page by page).
import { bigint, integer, pgTable, primaryKey, timestamp } from 'drizzle-orm/pg-core';

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
