import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/fixtures.ts';
import { openStore } from './open-store.ts';
import { lastCommittedCounter } from './tap-queries.ts';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.cleanup());

describe('openStore', () => {
  it('applies the migrations to a fresh file with durable pragmas, and reopens idempotently', () => {
    const path = join(dir.dir, 'fresh.db');
    const store = openStore({ path, busyTimeoutMs: 1234 });
    const tables = store.sqlite
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name",
      )
      .pluck()
      .all();
    expect(tables).toEqual([
      'content_manifest',
      'decks',
      'identity',
      'local_caps',
      'pinned_issuer_keys',
      'proof_of_play',
      'screen_config',
      'tap_counter',
      'taps',
    ]);
    expect(store.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.sqlite.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(store.sqlite.pragma('busy_timeout', { simple: true })).toBe(1234);
    expect(lastCommittedCounter(store)).toBe(0);
    store.close();
    const again = openStore({ path });
    expect(lastCommittedCounter(again)).toBe(0);
    again.close();
  });
});
