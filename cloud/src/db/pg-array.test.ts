// Array-literal parameters round-trip every value through both engines: quotes, backslashes, commas,
// braces, the word NULL as text, real nulls, Unicode and empty strings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { openTestDatabase, testEngines } from '../../test/databases.ts';
import type { DatabaseHandle } from './client.ts';
import { affectedRows, pgArray, recordsetOf } from './pg-array.ts';
import { int, queryRows } from './rows.ts';

const engines = await testEngines();

describe('pgArray', () => {
  it('quotes text and leaves numbers, booleans and nulls bare', () => {
    expect(pgArray([1, -2, null])).toBe('{1,-2,NULL}');
    expect(pgArray(['a"b', 'c\\d', 'NULL', ''])).toBe('{"a\\"b","c\\\\d","NULL",""}');
    expect(pgArray([true, false])).toBe('{t,f}');
    expect(pgArray([])).toBe('{}');
  });

  it('refuses values an array literal cannot carry', () => {
    expect(() => pgArray([Number.NaN])).toThrow(/finite/);
    expect(() => pgArray([undefined as unknown as null])).toThrow(/array element/);
  });
});

describe.each(engines)('array parameters on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;

  beforeAll(async () => {
    if (available) handle = await openTestDatabase(engine);
  });
  afterAll(async () => {
    if (available) await handle.close();
  });

  it.skipIf(!available)('round-trips any text and any safe integer, row by row', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            n: fc.oneof(fc.maxSafeInteger(), fc.constant(null)),
            s: fc.oneof(
              fc.string({ unit: 'grapheme' }),
              fc.constantFrom('NULL', '"', '\\', '{}', ',', ' x '),
              fc.constant(null),
            ),
          }),
          { maxLength: 40 },
        ),
        async (rows) => {
          const numbered = rows.map((row, i) => ({ ...row, i }));
          const back = await queryRows<{ n: unknown; s: string | null }>(
            handle.db,
            sql`select n, s from ${recordsetOf(numbered, { i: 'int', n: 'bigint', s: 'text' })} order by i`,
          );
          expect(back.map((row) => ({ n: row.n === null ? null : int(row.n), s: row.s }))).toEqual(rows);
        },
      ),
      { numRuns: 60 },
    );
  });

  it.skipIf(!available)('reports the rows a write touched on either driver', async () => {
    await handle.db.execute(sql`create temporary table pg_array_probe (id bigint primary key)`);
    const inserted = await handle.db.execute(
      sql`insert into pg_array_probe select id from ${recordsetOf([{ id: 1 }, { id: 2 }, { id: 3 }], { id: 'bigint' })}
          on conflict do nothing`,
    );
    expect(affectedRows(inserted)).toBe(3);
    const again = await handle.db.execute(
      sql`insert into pg_array_probe select unnest(${pgArray([2, 3, 4])}::bigint[]) on conflict do nothing`,
    );
    expect(affectedRows(again)).toBe(1);
  });
});
