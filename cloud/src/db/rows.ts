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
