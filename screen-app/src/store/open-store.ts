// Opens the kiosk's SQLite store: pragmas for durability, then the drizzle-kit migrations in ../drizzle.
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema/index.ts';

export type KioskDb = BetterSQLite3Database<typeof schema>;

export interface Store {
  readonly path: string;
  readonly sqlite: Database.Database;
  readonly db: KioskDb;
  close(): void;
}

export interface OpenStoreOptions {
  path: string;
  /** How long a writer waits for another connection's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
  /** The WAL file is truncated to this size after a checkpoint, so disk stays bounded. */
  walSizeMaxBytes?: number;
  /** SQLite's page cache; bounded so a store of a million taps does not grow the process. */
  cacheSizeKb?: number;
  /**
   * SQLite's own checkpoint runs inside whichever commit crosses this many WAL pages, adding milliseconds
   * to that tap. The engine checkpoints between taps instead (see checkpointStore); this is the safety net.
   */
  walAutocheckpointPages?: number;
  /** Where the drizzle-kit migrations are; differs when the app is bundled. */
  migrationsFolder?: string;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** Attempts when another process applies the same migrations at the same moment. */
const MIGRATE_ATTEMPTS_MAX = 5;

/**
 * drizzle's migrator reads which migrations ran before it takes the write lock, so two processes opening
 * a new store at once (`status` beside `run` or `enroll`) can both try the first one; the loser's
 * transaction rolls back on "already exists". Once the winner has committed, applying again is a no-op.
 */
export function migrateOnce(
  db: Parameters<typeof migrate>[0],
  migrationsFolder: string,
  apply: typeof migrate = migrate,
): void {
  for (let attempt = 1; ; attempt++) {
    try {
      apply(db, { migrationsFolder });
      return;
    } catch (error) {
      const cause = error instanceof Error ? (error.cause ?? error) : error;
      const message = cause instanceof Error ? cause.message : String(cause);
      if (attempt >= MIGRATE_ATTEMPTS_MAX || !/already exists|database is locked/.test(message)) throw error;
    }
  }
}

export function openStore(options: OpenStoreOptions): Store {
  const sqlite = new Database(options.path);
  try {
    sqlite.pragma('journal_mode = WAL');
    // FULL, not WAL's usual NORMAL: under NORMAL a commit returns before the WAL is fsynced, so a power
    // cut right after we showed a prize could lose the committed token and later reuse its counter and
    // envelope. FULL fsyncs the WAL on every commit; a tap costs one fsync (about 0.2 ms here).
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 2_000}`);
    sqlite.pragma(`journal_size_limit = ${options.walSizeMaxBytes ?? 64 * 1024 * 1024}`);
    sqlite.pragma(`cache_size = -${options.cacheSizeKb ?? 8 * 1024}`);
    sqlite.pragma(`wal_autocheckpoint = ${options.walAutocheckpointPages ?? 10_000}`);
    sqlite.pragma('foreign_keys = ON');
    const db = drizzle({ client: sqlite, schema });
    migrateOnce(db, options.migrationsFolder ?? MIGRATIONS_FOLDER);
    // The counter row exists from the first open; its value only ever rises (docs/protocol.md §3.3).
    db.insert(schema.tapCounter).values({ id: 1, lastCommitted: 0 }).onConflictDoNothing().run();
    return {
      path: options.path,
      sqlite,
      db,
      close: () => {
        if (sqlite.open) sqlite.close();
      },
    };
  } catch (error) {
    sqlite.close();
    throw error;
  }
}

/**
 * Copies committed WAL pages into the database without waiting for readers (PASSIVE). Run between taps,
 * so no tap pays for a checkpoint; returns false when the store could not checkpoint right now.
 */
export function checkpointStore(store: Store): boolean {
  try {
    store.sqlite.pragma('wal_checkpoint(PASSIVE)');
    return true;
  } catch {
    return false;
  }
}
