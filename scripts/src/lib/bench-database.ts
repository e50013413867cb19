// A fresh database for one benchmark run: in-memory PGlite, or a uniquely named PostgreSQL database
// that `drop` removes again (unless kept, for EXPLAIN), both migrated.
import { randomBytes } from 'node:crypto';
import { openDatabase, type DatabaseHandle, type PostgresTimeouts } from '@redtap/cloud';
import { adminQuery } from './postgres-admin.ts';

export async function openBenchDatabase(
  engine: string,
  options: {
    adminUrl: string;
    prefix: string;
    poolSizeMax: number;
    keep?: boolean;
    /** The cloud's defaults unless given (a history build runs statements far longer than a request's). */
    timeouts?: Partial<PostgresTimeouts>;
  },
): Promise<{ handle: DatabaseHandle; drop: () => Promise<void> }> {
  if (engine === 'pglite') {
    const handle = await openDatabase({ engine: 'pglite' });
    await handle.migrate();
    return { handle, drop: () => handle.close() };
  }
  const name = `${options.prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`create database ${name}`, options.adminUrl);
  const url = new URL(options.adminUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({
    engine: 'postgres',
    url: url.toString(),
    poolSizeMax: options.poolSizeMax,
    ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
  });
  await handle.migrate();
  return {
    handle,
    /** Closes the handle, then drops the database. */
    drop: async () => {
      await handle.close();
      if (options.keep === true) {
        console.log(`kept database ${name}`);
        return;
      }
      await adminQuery(`drop database if exists ${name} with (force)`, options.adminUrl);
    },
  };
}
