// NTAG 424 DNA SUN stickers on screens' bezels (docs/protocol.md §9): batches as the operator imports
// them, with the batch key every tag key is diversified from, and each tag with the screen it is bound to
// and the last read counter accepted from it.
import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { screens } from './screens.ts';

export const tagBatches = pgTable('tag_batches', {
  /** The `b` parameter of every sticker URL of the batch. */
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  name: text('name').notNull(),
  /**
   * The 16-byte batch key (hex) sealed with AES-256-GCM under the key-encryption key (auth/secrets.ts),
   * which is never stored in the database. Tag keys are diversified from it (cloud/src/tags/sun.ts).
   */
  masterKeySealed: text('master_key_sealed').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const tags = pgTable(
  'tags',
  {
    /** The 7-byte UID, lowercase hex (14 characters). */
    uid: text('uid').primaryKey(),
    batchId: bigint('batch_id', { mode: 'number' })
      .notNull()
      .references(() => tagBatches.id),
    /** The screen whose bezel carries the sticker; null until it is bound. */
    screenId: bigint('screen_id', { mode: 'number' }).references(() => screens.id),
    /** SDMReadCtr of the last read accepted; null before the first. Only a higher one is accepted. */
    lastCounter: integer('last_counter'),
    lastReadAt: timestamp('last_read_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    // A screen's tags page in UID order.
    index('tags_screen_uid_idx').on(table.screenId, table.uid),
    index('tags_batch_idx').on(table.batchId),
    check('tags_uid_check', sql`${table.uid} ~ '^[0-9a-f]{14}$'`),
    check('tags_last_counter_check', sql`${table.lastCounter} between 0 and 16777215`),
  ],
);
