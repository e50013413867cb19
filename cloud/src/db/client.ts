// Opens the cloud database on either engine with the same pg-core schema: PGlite in-process (a
// directory, or memory for tests) or PostgreSQL through `pg`. Migrations are drizzle-kit's, applied here.
import { mkdirSync } from 'node:fs';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import { migrate as migratePostgres } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
/** The database or an open transaction: every query function takes one of these. */
export type Database = PgDatabase<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export type DatabaseEngine = 'pglite' | 'postgres';

export interface DatabaseHandle {
  db: Database;
  engine: DatabaseEngine;
  /** Applies every pending drizzle-kit migration from cloud/drizzle. */
  migrate(): Promise<void>;
  /** PGlite only: an image of the data directory, which `loadDataDir` opens again (tests' migrated template). */
  dumpDataDir?: () => Promise<Blob>;
  close(): Promise<void>;
}

/** How long the PostgreSQL pool waits on a link that has gone silent (defaults below). */
export interface PostgresTimeouts {
  queryMs: number;
  statementMs: number;
  idleInTransactionMs: number;
  socketSilenceMs: number;
}

export type DatabaseOptions =
  | { engine: 'postgres'; url: string; poolSizeMax?: number; timeouts?: Partial<PostgresTimeouts> }
  /** `dataDir` undefined = in memory; `loadDataDir` starts from an image made by `dumpDataDir`. */
  | { engine: 'pglite'; dataDir?: string; loadDataDir?: Blob };

const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));
const POOL_SIZE_DEFAULT = 10;
const CONNECT_TIMEOUT_MS = 5_000;
/**
 * A half-open connection (a cut path that never told either end) would otherwise leave a query waiting
 * forever and its transaction holding row locks that stall every later redemption of the same screen.
 * The client gives up on a query after `queryMs` and the server ends a transaction left idle for
 * `idleInTransactionMs`, releasing its locks; TCP keepalives find dead peers in between.
 *
 * A connection silent for `socketSilenceMs` is dead: the server would have ended any statement or idle
 * transaction on it by then. Destroying its socket makes the pool discard the client instead of reusing
 * one whose timed-out query still blocks its queue.
 */
export const defaultPostgresTimeouts: PostgresTimeouts = {
  queryMs: 30_000,
  statementMs: 25_000,
  idleInTransactionMs: 30_000,
  socketSilenceMs: 40_000,
};

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.engine === 'postgres') {
    const timeouts = { ...defaultPostgresTimeouts, ...options.timeouts };
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSizeMax ?? POOL_SIZE_DEFAULT,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
      query_timeout: timeouts.queryMs,
      statement_timeout: timeouts.statementMs,
      idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
    });
    // An idle client's network error would otherwise be an unhandled 'error' event.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => {
      // A checked-out client whose connection dies emits 'error' too; its query in flight already
      // rejects, so the event only needs a listener (without one it would take the process down).
      client.on('error', () => undefined);
      const socket = (client as unknown as { connection?: { stream?: Socket } }).connection?.stream;
      socket?.setTimeout(timeouts.socketSilenceMs, () => socket.destroy());
    });
    const db = drizzlePostgres(pool, { schema });
    await pool.query('select 1');
    return {
      db,
      engine: 'postgres',
      migrate: () => migratePostgres(db, { migrationsFolder }),
      close: () => pool.end(),
    };
  }
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  const client = new PGlite({
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.loadDataDir === undefined ? {} : { loadDataDir: options.loadDataDir }),
  });
  await client.waitReady;
  const db = drizzlePglite(client, { schema });
  return {
    db,
    engine: 'pglite',
    migrate: () => migratePglite(db, { migrationsFolder }),
    dumpDataDir: () => client.dumpDataDir('none'),
    close: () => client.close(),
  };
}
