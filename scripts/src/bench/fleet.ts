// Fleet pages benchmark: the operator's screen summary and screen-list pages on a network of 10^5 and
// 10^6 screens (by default; --screens), on PostgreSQL (and PGlite with --engines). The fleet is built
// set-based (generate_series): 300 cities, 2 % revoked, 3 % pending, active screens heard from 10 s ago
// but for 5 % silent for 20 min and 5 % whose broker reported them gone, and one group of 10,000. Each
// query runs the cloud's own service function (summarizeScreens, listScreens), warmed once and then
// timed --runs times; the median is reported, and how it grew from the smallest fleet to the largest.
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { sql } from 'drizzle-orm';
import { listScreens, summarizeScreens, type DatabaseHandle } from '@redtap/cloud';
import type { BenchReport, BenchRow } from './report.ts';
import { openBenchDatabase } from '../lib/bench-database.ts';
import { growBenchFleet } from '../lib/bench-fleet.ts';
import { parseCount, parseCounts, withPostgresUrl } from '../lib/bench-options.ts';

/** A keyset page without a text search reads about one page of index entries: bounded at any size. */
const PAGE_TARGET_MS = 100;
const PAGE_LIMIT = 100;
const CITIES = 300;
const GROUP_SIZE = 10_000;

interface Options {
  screens: number[];
  engines: string[];
  runs: number;
  postgresUrl: string;
  keep: boolean;
}

interface Measure {
  name: string;
  /** Keyset pages that must stay flat as the fleet grows carry the page target. */
  page: boolean;
  run: (handle: DatabaseHandle, size: number, groupId: number) => Promise<unknown>;
}

const measures: Measure[] = [
  { name: 'summary (totals + by city)', page: false, run: (h) => summarizeScreens(h.db, new Date()) },
  {
    name: 'first page',
    page: true,
    run: (h) => listScreens(h.db, {}, { limit: PAGE_LIMIT, after: 0 }),
  },
  {
    name: 'page in the middle',
    page: true,
    run: (h, size) => listScreens(h.db, {}, { limit: PAGE_LIMIT, after: Math.floor(size / 2) }),
  },
  {
    name: 'status=revoked (2 %)',
    page: true,
    run: (h) => listScreens(h.db, { status: 'revoked' }, { limit: PAGE_LIMIT, after: 0 }),
  },
  {
    name: 'city (1 of 300)',
    page: true,
    run: (h) => listScreens(h.db, { city: 'City 7' }, { limit: PAGE_LIMIT, after: 0 }),
  },
  {
    name: 'group of 10,000',
    page: true,
    run: (h, _size, groupId) => listScreens(h.db, { groupId }, { limit: PAGE_LIMIT, after: 0 }),
  },
  {
    name: 'connection=long-offline (10 %)',
    page: true,
    run: (h) =>
      listScreens(h.db, { connection: 'long-offline' }, { limit: PAGE_LIMIT, after: 0 }, new Date()),
  },
  {
    name: 'connection=long-offline, in the middle',
    page: true,
    run: (h, size) =>
      listScreens(
        h.db,
        { connection: 'long-offline' },
        { limit: PAGE_LIMIT, after: Math.floor(size / 2) },
        new Date(),
      ),
  },
  {
    name: 'search, common ("Screen 1")',
    page: false,
    run: (h) => listScreens(h.db, { search: 'Screen 1' }, { limit: PAGE_LIMIT, after: 0 }),
  },
  {
    name: 'search, one match (scans all)',
    page: false,
    run: (h, size) => listScreens(h.db, { search: `Screen ${size - 1}` }, { limit: PAGE_LIMIT, after: 0 }),
  },
];

function parseOptions(args: string[]): Options {
  const program = new Command('fleet');
  withPostgresUrl(program)
    .option('--screens <list>', 'fleet sizes', '100000,1000000')
    .option('--engines <list>', 'postgres,pglite', 'postgres')
    .option('--runs <n>', 'timed runs per query (median reported)', '5')
    .option('--keep', 'keep the PostgreSQL database for EXPLAIN (its name is printed)')
    .exitOverride();
  program.parse(args, { from: 'user' });
  const raw = program.opts<{
    screens: string;
    engines: string;
    runs: string;
    postgresUrl: string;
    keep?: boolean;
  }>();
  return {
    screens: parseCounts(raw.screens),
    engines: raw.engines.split(','),
    runs: parseCount(raw.runs),
    postgresUrl: raw.postgresUrl,
    keep: raw.keep === true,
  };
}

/** A group of GROUP_SIZE screens spread over the first `size` (or all of them, if fewer). */
async function makeGroup(handle: DatabaseHandle, size: number): Promise<number> {
  const result: unknown = await handle.db.execute(
    sql`insert into screen_groups (name) values ('bench group') returning id`,
  );
  const groupId = Number((result as { rows: { id: unknown }[] }).rows[0]?.id);
  await handle.db.execute(
    sql`insert into screen_group_members (group_id, screen_id)
        select ${groupId}, id from screens
        where id % ${Math.max(1, Math.floor(size / GROUP_SIZE))} = 0 order by id limit ${GROUP_SIZE}`,
  );
  await handle.db.execute(sql`analyze screen_group_members`);
  return groupId;
}

async function medianMs(run: () => Promise<unknown>, runs: number): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const startMs = performance.now();
    await run();
    times.push(performance.now() - startMs);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}

export async function run(args: string[]): Promise<BenchReport> {
  const options = parseOptions(args);
  const sizes = [...options.screens].sort((a, b) => a - b);
  const rows: BenchRow[] = [];
  const data: Record<string, Record<string, Record<string, number>>> = {};
  for (const engine of options.engines) {
    const { handle, drop } = await openBenchDatabase(engine, {
      adminUrl: options.postgresUrl,
      prefix: 'redtap_bench_fleet',
      poolSizeMax: 4,
      keep: options.keep,
    });
    data[engine] = {};
    try {
      let built = 0;
      let groupId = 0;
      for (const size of sizes) {
        const startMs = performance.now();
        await growBenchFleet(
          handle,
          { from: built, to: size },
          { cities: CITIES, timezone: 'Asia/Shanghai' },
        );
        built = size;
        if (groupId === 0) groupId = await makeGroup(handle, size);
        console.log(
          `${engine}: ${size} screens built in ${((performance.now() - startMs) / 1000).toFixed(1)} s`,
        );
        const sizeData: Record<string, number> = {};
        for (const measure of measures) {
          const ms = await medianMs(() => measure.run(handle, size, groupId), options.runs);
          sizeData[measure.name] = ms;
          rows.push({
            metric: `${engine}, ${size.toLocaleString('en')} screens: ${measure.name}`,
            ...(measure.page ? { target: `≤ ${PAGE_TARGET_MS} ms`, pass: ms <= PAGE_TARGET_MS } : {}),
            result: `${ms.toFixed(1)} ms`,
          });
        }
        data[engine][String(size)] = sizeData;
      }
      const smallest = sizes[0];
      const largest = sizes.at(-1);
      if (smallest !== undefined && largest !== undefined && largest > smallest)
        for (const measure of measures) {
          const ratio =
            (data[engine][String(largest)]?.[measure.name] ?? 0) /
            Math.max(0.001, data[engine][String(smallest)]?.[measure.name] ?? 0);
          rows.push({
            metric: `${engine}: ${measure.name}, ${largest / smallest}× the screens`,
            result: `${ratio.toFixed(1)}× the time`,
          });
        }
    } finally {
      await drop();
    }
  }
  return { name: 'fleet', rows, data: { sizes, runs: options.runs, medianMs: data } };
}
