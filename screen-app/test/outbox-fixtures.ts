// Fills a kiosk outbox fast for sync tests and benchmarks: tokens are inserted straight into the taps
// table with the counter row advanced in the same transaction, as the engine would leave them.
import { randomBytes } from 'node:crypto';
import { ByteWriter, TAP_TOKEN_LENGTH } from '@redtap/shared';
import type { Store } from '../src/store/open-store.ts';
import { lastCommittedCounter } from '../src/store/tap-queries.ts';

/**
 * Appends `count` pending taps whose tokens are well framed but unsigned (bytes 9..12 carry the counter,
 * which is all a fake responder reads). Returns the counters added.
 */
export function appendFakeTaps(store: Store, count: number, createdAt = 0): number[] {
  const insert = store.sqlite.prepare(
    `INSERT INTO taps (counter, token, wallet_id, campaign_id, amount_fen, coupon_offer_id, deck_id,
       envelope_index, flags, created_at, state, attempts)
     VALUES (?, ?, 4242, 12, 0, 0, 0, NULL, 4, ?, 'pending', 0)`,
  );
  const setCounter = store.sqlite.prepare('UPDATE tap_counter SET last_committed = ? WHERE id = 1');
  const first = lastCommittedCounter(store) + 1;
  const counters = Array.from({ length: count }, (_, i) => first + i);
  store.sqlite.transaction(() => {
    for (const counter of counters) {
      const token = new ByteWriter(TAP_TOKEN_LENGTH)
        .u8(1)
        .u64(1001)
        .u32(counter)
        .raw(randomBytes(TAP_TOKEN_LENGTH - 13), TAP_TOKEN_LENGTH - 13)
        .finish();
      insert.run(counter, Buffer.from(token), createdAt);
    }
    setCounter.run(first + count - 1);
  })();
  return counters;
}

/** The counter of a token (bytes 9..12), readable even when the rest is garbage (docs/protocol.md §3.5). */
export function tokenCounter(token: Uint8Array): number {
  return Buffer.from(token.buffer, token.byteOffset, token.byteLength).readUInt32BE(9);
}
