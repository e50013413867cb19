import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clock, deckBytes, engineFor, enrolStore, hello, tap, tempDir } from '../../test/fixtures.ts';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { MIGRATIONS_FOLDER, migrateOnce, openStore } from './open-store.ts';
import { lastCommittedCounter } from './tap-queries.ts';

const OPEN_CHILD = fileURLToPath(new URL('../../test/open-store-child.ts', import.meta.url));

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
      'deck_bytes',
      'decks',
      'identity',
      'local_caps',
      'pinned_issuer_keys',
      'proof_of_play',
      'revocation_state',
      'revoked_credentials',
      'screen_config',
      'tap_counter',
      'taps',
      'ticket_sequence',
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

  it('upgrades a store made before the coupon count: old rows keep their cash and count no coupons', async () => {
    // The migrations as the first kiosk release shipped them: 0000 alone.
    const oldFolder = join(dir.dir, 'migrations-0000');
    mkdirSync(join(oldFolder, 'meta'), { recursive: true });
    copyFileSync(join(MIGRATIONS_FOLDER, '0000_init.sql'), join(oldFolder, '0000_init.sql'));
    const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
      entries: { tag: string }[];
    };
    writeFileSync(
      join(oldFolder, 'meta', '_journal.json'),
      JSON.stringify({ ...journal, entries: journal.entries.filter((entry) => entry.tag === '0000_init') }),
    );
    const path = join(dir.dir, 'upgraded.db');
    const old = openStore({ path, migrationsFolder: oldFolder });
    const columns = (s: typeof old) =>
      s.sqlite
        .prepare("SELECT name FROM pragma_table_info('local_caps') ORDER BY cid")
        .pluck()
        .all() as string[];
    expect(columns(old)).toEqual(['wallet_id', 'campaign_id', 'local_day', 'cash_count']);
    old.sqlite
      .prepare('INSERT INTO local_caps (wallet_id, campaign_id, local_day, cash_count) VALUES (?, ?, ?, ?)')
      .run(1, 12, '2026-11-21', 1);
    old.close();

    const upgraded = openStore({ path });
    try {
      expect(columns(upgraded)).toEqual([
        'wallet_id',
        'campaign_id',
        'local_day',
        'cash_count',
        'coupon_count',
      ]);
      expect(upgraded.sqlite.prepare('SELECT * FROM local_caps').all()).toEqual([
        { wallet_id: 1, campaign_id: 12, local_day: '2026-11-21', cash_count: 1, coupon_count: 0 },
      ]);
      expect(upgraded.sqlite.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get()).toBe(
        journal.entries.length,
      );
      // The upgraded store taps on: wallet 1 is at its cash cap today, so it gets the fallback coupon
      // from the deck's allotment, and that coupon is counted on the old row.
      enrolStore(upgraded);
      const engine = engineFor(upgraded, { now: clock().now });
      expect(engine.storeDeck(deckBytes()).status).toBe('stored');
      const result = await tap(engine, hello({ walletId: 1 }));
      expect(result.ok && result.prize).toMatchObject({ localCap: true, couponOfferId: 5 });
      expect(upgraded.sqlite.prepare('SELECT cash_count, coupon_count FROM local_caps').all()).toEqual([
        { cash_count: 1, coupon_count: 1 },
      ]);
    } finally {
      upgraded.close();
    }
    // Reopening applies nothing twice.
    const again = openStore({ path });
    expect(again.sqlite.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get()).toBe(
      journal.entries.length,
    );
    again.close();
  });

  it('upgrades a store whose decks held their bytes in the deck row: the same envelopes are drawn after', async () => {
    // The migrations up to the fallback allotment (0003), when decks kept their signed bytes in-row.
    const oldFolder = join(dir.dir, 'migrations-0003');
    mkdirSync(join(oldFolder, 'meta'), { recursive: true });
    const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
      entries: { tag: string; idx: number }[];
    };
    const kept = journal.entries.filter((entry) => entry.idx <= 3);
    for (const entry of kept)
      copyFileSync(join(MIGRATIONS_FOLDER, `${entry.tag}.sql`), join(oldFolder, `${entry.tag}.sql`));
    writeFileSync(join(oldFolder, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: kept }));
    const path = join(dir.dir, 'decks-in-row.db');
    const old = openStore({ path, migrationsFolder: oldFolder });
    const bytes = deckBytes({ deckId: 77 });
    old.sqlite
      .prepare(
        `INSERT INTO decks (deck_id, campaign_id, bytes, envelopes_offset, valid_from, valid_until, count,
           fallback_count, cursor, fallback_cursor, stored_at) VALUES (?, ?, ?, 33, ?, ?, 8, 4, 1, 0, ?)`,
      )
      .run(77, 12, Buffer.from(bytes), clock().now() - 3_600, clock().now() + 86_400, clock().now());
    old.close();

    const upgraded = openStore({ path });
    try {
      expect(upgraded.sqlite.prepare('SELECT deck_id, bytes FROM deck_bytes').all()).toEqual([
        { deck_id: 77, bytes: Buffer.from(bytes) },
      ]);
      expect(
        upgraded.sqlite
          .prepare("SELECT count(*) FROM pragma_table_info('decks') WHERE name = 'bytes'")
          .pluck()
          .get(),
      ).toBe(0);
      enrolStore(upgraded);
      const engine = engineFor(upgraded, { now: clock().now });
      // Envelope 0 was drawn before the upgrade; the next tap draws envelope 1 (35 fen + coupon 5).
      const result = await tap(engine, hello({ walletId: 2 }));
      expect(result.ok && result.prize).toMatchObject({ deckId: 77, envelopeIndex: 1, amountFen: 35 });
      // A redelivered copy is recognised as the same deck, and keeps its cursor.
      expect(engine.storeDeck(bytes).status).toBe('stored');
      const next = await tap(engine, hello({ walletId: 3 }));
      expect(next.ok && next.prize).toMatchObject({ deckId: 77, envelopeIndex: 2, amountFen: 200 });
    } finally {
      upgraded.close();
    }
  });

  it('lets several processes open a new store at once: one applies the migrations, the others find them', async () => {
    const path = join(dir.dir, 'raced.db');
    const exits = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          new Promise<{ code: number; stderr: string }>((resolve) => {
            execFile(
              process.execPath,
              ['--import', 'tsx', OPEN_CHILD, path],
              { timeout: 60_000 },
              (error, _out, stderr) =>
                resolve({
                  code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
                  stderr,
                }),
            );
          }),
      ),
    );
    expect(exits).toEqual(Array.from({ length: 4 }, () => ({ code: 0, stderr: '' })));
    const store = openStore({ path });
    const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
      entries: unknown[];
    };
    expect(store.sqlite.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get()).toBe(
      journal.entries.length,
    );
    store.close();
  });

  it('applies again when another process migrated the new store first, and only for that error', () => {
    const path = join(dir.dir, 'lost-race.db');
    const loser = new Database(path);
    const db = drizzle({ client: loser });
    const firstTable =
      readFileSync(join(MIGRATIONS_FOLDER, '0000_init.sql'), 'utf8').split('--> statement-breakpoint')[0] ??
      '';
    let attempts = 0;
    // The interleaving of the race, in order: the winner applies every migration, then the loser runs
    // the first statement it had planned and SQLite refuses it as it does in the race.
    migrateOnce(db, MIGRATIONS_FOLDER, (target, config) => {
      attempts += 1;
      if (attempts === 1) {
        openStore({ path }).close();
        loser.exec(firstTable);
      }
      migrate(target, config);
    });
    expect(attempts).toBe(2);
    const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
      entries: unknown[];
    };
    expect(loser.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get()).toBe(
      journal.entries.length,
    );
    // Any other failure is not retried.
    let other = 0;
    expect(() =>
      migrateOnce(db, MIGRATIONS_FOLDER, () => {
        other += 1;
        throw new Error('disk I/O error');
      }),
    ).toThrow('disk I/O error');
    expect(other).toBe(1);
    loser.close();
  });
});
