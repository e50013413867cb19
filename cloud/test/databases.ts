// Test databases for the contract suites: in-memory PGlite, or a fresh uniquely-named PostgreSQL
// database per suite that is dropped afterwards. Under CI=true a missing PostgreSQL is a failure.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase, type DatabaseEngine, type DatabaseHandle } from '../src/db/client.ts';
import { loadTestEnv } from '../src/env.ts';

const testEnv = loadTestEnv();

export interface EngineAvailability {
  engine: DatabaseEngine;
  available: boolean;
  reason: string;
}

async function probePostgres(): Promise<string | null> {
  const client = new pg.Client({
    connectionString: testEnv.REDTAP_TEST_POSTGRES_URL,
    connectionTimeoutMillis: 3_000,
  });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The engines a contract suite runs against. Call at module top level (top-level await). */
export async function testEngines(): Promise<EngineAvailability[]> {
  const problem = await probePostgres();
  if (problem !== null) {
    const reason = `PostgreSQL at ${testEnv.REDTAP_TEST_POSTGRES_URL} is unreachable: ${problem}`;
    if (testEnv.CI) throw new Error(`${reason} (CI=true: not skipping)`);
    console.warn(`\n!!! SKIPPING PostgreSQL contract tests: ${reason}\n`);
  }
  return [
    { engine: 'pglite', available: true, reason: '' },
    { engine: 'postgres', available: problem === null, reason: problem ?? '' },
  ];
}

function adminUrlFor(database: string): string {
  const url = new URL(testEnv.REDTAP_TEST_POSTGRES_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A fresh, empty PostgreSQL database and a function that drops it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `redtap_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testEnv.REDTAP_TEST_POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: adminUrlFor(name),
    drop: async () => {
      const dropper = new pg.Client({ connectionString: testEnv.REDTAP_TEST_POSTGRES_URL });
      await dropper.connect();
      try {
        await dropper.query(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/** The migrations' contents: the name of the migrated PGlite image they make. */
function migrationsKey(): string {
  const folder = fileURLToPath(new URL('../drizzle', import.meta.url));
  const hash = createHash('sha256');
  for (const name of readdirSync(folder)
    .filter((file) => file.endsWith('.sql'))
    .sort())
    hash.update(name).update(readFileSync(join(folder, name)));
  hash.update(readFileSync(join(folder, 'meta', '_journal.json')));
  return hash.digest('hex').slice(0, 16);
}

let pgliteImage: Promise<Blob> | undefined;

/**
 * A migrated, empty PGlite data directory, made once per set of migrations and kept in the system's
 * temporary folder (written whole, then renamed, so test processes started together never read half
 * of one): a test database opens from it instead of running every migration again.
 */
function migratedPgliteImage(): Promise<Blob> {
  pgliteImage ??= (async () => {
    const path = join(tmpdir(), `redtap-pglite-${migrationsKey()}.tar`);
    if (existsSync(path)) return new Blob([readFileSync(path)]);
    const handle = await openDatabase({ engine: 'pglite' });
    try {
      await handle.migrate();
      const image = await handle.dumpDataDir?.();
      if (image === undefined) throw new Error('PGlite gave no image of its data directory');
      const partial = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
      writeFileSync(partial, Buffer.from(await image.arrayBuffer()));
      renameSync(partial, path);
      return image;
    } finally {
      await handle.close();
    }
  })();
  return pgliteImage;
}

/** A migrated, empty database; `close()` also drops it when it is a PostgreSQL one. */
export async function openTestDatabase(engine: DatabaseEngine, poolSizeMax = 6): Promise<DatabaseHandle> {
  if (engine === 'pglite') {
    const handle = await openDatabase({ engine: 'pglite', loadDataDir: await migratedPgliteImage() });
    // Nothing left to apply; a test that changed a migration since the image gets it applied here.
    await handle.migrate();
    return handle;
  }
  const database = await createPostgresDatabase();
  const handle = await openDatabase({ engine: 'postgres', url: database.url, poolSizeMax });
  await handle.migrate();
  return {
    ...handle,
    close: async () => {
      await handle.close();
      await database.drop();
    },
  };
}
