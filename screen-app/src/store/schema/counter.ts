// The tap counter (docs/protocol.md §3.3): the last committed counter, one row (id = 1).
// A row rather than max(taps.counter) because pruning deletes settled taps: with every tap pruned,
// max() would fall back to 0 and the next tap would reuse a counter the cloud already holds forever.
// The row is updated in the same transaction as the token insert, so it can never drift from the outbox.
import { check, integer, sqliteTable } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';

export const tapCounter = sqliteTable(
  'tap_counter',
  {
    id: integer('id').primaryKey(),
    lastCommitted: integer('last_committed').notNull(),
  },
  (table) => [
    check('tap_counter_single_row', sql`${table.id} = 1`),
    check('tap_counter_u32', sql`${table.lastCommitted} BETWEEN 0 AND 4294967295`),
  ],
);
