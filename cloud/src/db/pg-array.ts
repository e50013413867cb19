// Column arrays as one bound parameter each, for set-based statements over many rows:
// `unnest(${pgArray(ids)}::bigint[], ${pgArray(codes)}::text[]) as t(id, code)`. PostgreSQL parses an
// array literal several times faster than the same rows as a JSON document (no keys repeated per row,
// no jsonb tree), which matters on the redemption path where every tap passes through a dozen of them.
// The literal is a parameter, never SQL text, so values cannot change the statement.
import { sql, type SQL } from 'drizzle-orm';
import { assert } from '@redtap/shared';

export type PgArrayValue = number | string | boolean | null;

/** `"…"` with the two characters an array literal escapes (backslash and double quote) escaped. */
function quoted(text: string): string {
  return `"${text.replace(/[\\"]/g, (character) => `\\${character}`)}"`;
}

/** A one-dimensional PostgreSQL array literal of `values`; cast it in SQL to the element type. */
export function pgArray(values: readonly PgArrayValue[]): string {
  const elements = values.map((value) => {
    if (value === null) return 'NULL';
    if (typeof value === 'number') {
      assert(Number.isFinite(value), `not a finite number: ${value}`);
      return String(value);
    }
    if (typeof value === 'boolean') return value ? 't' : 'f';
    assert(typeof value === 'string', `not an array element: ${typeof value}`);
    return quoted(value);
  });
  return `{${elements.join(',')}}`;
}

/** Element types a column array is cast to (SQL text from this closed set only). */
export type PgColumnType = 'bigint' | 'int' | 'text' | 'date' | 'boolean';

/**
 * `unnest($1::bigint[], $2::text[], …) as alias(col1, col2, …)`: `rows` as a relation with one typed
 * column per entry of `columns`, the set-based counterpart of `jsonb_to_recordset(…) as t(col type, …)`.
 */
export function recordsetOf<Row, Key extends keyof Row & string>(
  rows: readonly Row[],
  columns: Record<Key, PgColumnType>,
  alias = 't',
): SQL {
  assert(/^[a-z_][a-z0-9_]*$/.test(alias), `bad alias ${alias}`);
  const entries = Object.entries(columns) as [Key, PgColumnType][];
  const arrays = entries.map(
    ([key, type]) => sql`${pgArray(rows.map((row) => row[key] as PgArrayValue))}::${sql.raw(type)}[]`,
  );
  for (const [key] of entries) assert(/^[a-z_][a-z0-9_]*$/.test(key), `bad column ${key}`);
  return sql`unnest(${sql.join(arrays, sql`, `)}) as ${sql.raw(alias)}(${sql.raw(entries.map(([key]) => key).join(', '))})`;
}

/** The distinct values of `values`, sorted ascending: lock and lookup keys in one stable order. */
export function sortedIds(values: Iterable<number>): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

/** Rows a write statement touched, from either driver's result (`pg`: rowCount; PGlite: affectedRows). */
export function affectedRows(result: unknown): number {
  const { rowCount, affectedRows: affected } = result as { rowCount?: number | null; affectedRows?: number };
  const count = typeof rowCount === 'number' ? rowCount : affected;
  assert(typeof count === 'number', 'the driver reported no row count');
  return count;
}
