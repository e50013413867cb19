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
  close(): Promise<void>;
}

export type DatabaseOptions =
  | { engine: 'postgres'; url: string; poolSizeMax?: number }
  /** `dataDir` undefined = in memory. */
  | { engine: 'pglite'; dataDir?: string };

const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));
const POOL_SIZE_DEFAULT = 10;
const CONNECT_TIMEOUT_MS = 5_000;
/**
 * A half-open connection (a cut path that never told either end) would otherwise leave a query waiting
 * forever and its transaction holding row locks that stall every later redemption of the same screen.
 * The client gives up on a query after QUERY_TIMEOUT_MS and the server ends a transaction left idle for
 * IDLE_IN_TRANSACTION_TIMEOUT_MS, releasing its locks; TCP keepalives find dead peers in between.
 */
const QUERY_TIMEOUT_MS = 30_000;
const STATEMENT_TIMEOUT_MS = 25_000;
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 30_000;
/**
 * A connection silent this long is dead: the server would have ended any statement or idle transaction
 * on it by now. Destroying its socket makes the pool discard the client instead of reusing one whose
 * timed-out query still blocks its queue.
 */
const SOCKET_SILENCE_MS = 40_000;

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.engine === 'postgres') {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSizeMax ?? POOL_SIZE_DEFAULT,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
      query_timeout: QUERY_TIMEOUT_MS,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
    });
    // An idle client's network error would otherwise be an unhandled 'error' event.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => {
      const socket = (client as unknown as { connection?: { stream?: Socket } }).connection?.stream;
      socket?.setTimeout(SOCKET_SILENCE_MS, () => socket.destroy());
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
  const client = options.dataDir === undefined ? new PGlite() : new PGlite(options.dataDir);
  await client.waitReady;
  const db = drizzlePglite(client, { schema });
  return {
    db,
    engine: 'pglite',
    migrate: () => migratePglite(db, { migrationsFolder }),
    close: () => client.close(),
  };
}
