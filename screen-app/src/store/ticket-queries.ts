// Reserves claim-ticket sequence numbers (docs/protocol.md §3.8). The issuer takes them in blocks, so
// only one ticket in a block pays an fsync; numbers of a block not used before a restart are skipped.
import { ticketSequence } from './schema/index.ts';
import type { Store } from './open-store.ts';

const TICKET_SEQ_MAX = 0xffff_ffff;

export interface TicketSeqBlock {
  /** First number of the block, ≥ 1. */
  first: number;
  /** Last number of the block, inclusive. */
  last: number;
}

/**
 * Reserves the next `count` numbers, durably, before any of them is used: a crash after this returns
 * can only skip them. Throws when the u32 sequence is used up (at one ticket a second, in 136 years) or
 * when the store fails.
 */
export function reserveTicketSeqs(store: Store, count: number): TicketSeqBlock {
  if (!Number.isInteger(count) || count < 1) throw new Error(`reserve at least one number, not ${count}`);
  return store.db.transaction(
    (tx) => {
      const reserved = tx.select().from(ticketSequence).get()?.reservedThrough ?? 0;
      const last = reserved + count;
      if (last > TICKET_SEQ_MAX) throw new Error('the ticket sequence is used up');
      tx.insert(ticketSequence)
        .values({ id: 1, reservedThrough: last })
        .onConflictDoUpdate({ target: ticketSequence.id, set: { reservedThrough: last } })
        .run();
      return { first: reserved + 1, last };
    },
    { behavior: 'immediate' },
  );
}

/** The highest number reserved so far; 0 before the first ticket. */
export function reservedTicketSeq(store: Store): number {
  return store.db.select().from(ticketSequence).get()?.reservedThrough ?? 0;
}
