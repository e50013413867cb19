// Config aggregate: the retained ScreenConfig (docs/protocol.md §5.5) and the content manifest.
import { check, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';

/** The current config only (id = 1); an older version never replaces a newer one. */
export const screenConfig = sqliteTable(
  'screen_config',
  {
    id: integer('id').primaryKey(),
    version: integer('version').notNull(),
    json: text('json').notNull(),
    receivedAt: integer('received_at').notNull(),
  },
  (table) => [check('screen_config_single_row', sql`${table.id} = 1`)],
);

/** Creatives the current config names, content-addressed; storedAt is set once the file is cached. */
export const contentManifest = sqliteTable('content_manifest', {
  sha256: text('sha256').primaryKey(),
  mime: text('mime').notNull(),
  bytes: integer('bytes').notNull(),
  url: text('url').notNull(),
  storedAt: integer('stored_at'),
});
