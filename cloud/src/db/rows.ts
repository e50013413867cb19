// Raw-SQL helpers for the few set-based statements the query builder cannot express. Both drivers
// return `{ rows }`; `pg` returns int8 as strings and PGlite as numbers, so callers convert with `int()`.
import type { SQL } from 'drizzle-orm';
import { assert } from '@redtap/shared';
import type { Database } from './client.ts';

export async function queryRows<Row>(db: Database, query: SQL): Promise<Row[]> {
  const result: unknown = await db.execute(query);
  return (result as { rows: Row[] }).rows;
}

/** An int8/numeric column from raw SQL as a safe integer. */
export function int(value: unknown): number {
  const number = typeof value === 'string' || typeof value === 'bigint' ? Number(value) : value;
  assert(typeof number === 'number' && Number.isSafeInteger(number), `not a safe integer: ${String(value)}`);
  return number;
}

/** A Postgres error's SQLSTATE, looking through drizzle's wrapping `cause`. */
export function sqlState(error: unknown): string | undefined {
  for (
    let current = error, depth = 0;
    depth < 4 && typeof current === 'object' && current !== null;
    depth++
  ) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * SQLSTATEs that say the server, not the statement, failed: it shut down or crashed (57P01, 57P02), is
 * still starting (57P03), is a standby that cannot write (25006: a demoted leader after a failover) or
 * is out of connections (53300); and the whole connection-exception class (08xxx).
 */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '25006', '53300']);
/** Socket errors of a connection that went away or could not be made. */
const SOCKET_ERRORS = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
/** What `pg` and its pool say when the link dies under them (they give these errors no code). */
const LINK_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout/i;

/**
 * Whether a failure means the database could not be reached or could not write at all (a failover, a
 * restart, a cut link), so the same work may succeed once the pool has re-dialled: the statement itself
 * was not refused. Looks through drizzle's wrapping `cause`.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (
    let current = error, depth = 0;
    depth < 4 && typeof current === 'object' && current !== null;
    depth++
  ) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (UNAVAILABLE_STATES.has(code) || /^08[0-9A-Z]{3}$/.test(code) || SOCKET_ERRORS.has(code))
        return true;
    }
    const message = (current as { message?: unknown }).message;
    if (typeof message === 'string' && LINK_MESSAGES.test(message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
