// The claim-ticket sequence (docs/protocol.md §3.8): the highest ticketSeq reserved, one row (id = 1).
// Numbers are reserved in blocks, so a ticket costs no fsync; a restart skips the rest of its block.
// Unlike the tap counter, ticketSeq may have gaps, but it never repeats.
import { check, integer, sqliteTable } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';

export const ticketSequence = sqliteTable(
  'ticket_sequence',
  {
    id: integer('id').primaryKey(),
    reservedThrough: integer('reserved_through').notNull(),
  },
  (table) => [
    check('ticket_sequence_single_row', sql`${table.id} = 1`),
    check('ticket_sequence_u32', sql`${table.reservedThrough} BETWEEN 0 AND 4294967295`),
  ],
);
