// History benchmark: how the operator's and advertisers' reads, the ledger check and redemption fare as
// settled taps pile up. For each size (--taps, e.g. 0,1000000,10000000) a fresh PostgreSQL database gets
// the redeem benchmark's world, a fleet of --screens screens, and that many settled taps of history built
// set-based (scripts/src/lib/settled-history.ts: redemption rows, their transfers with balances applied,
// the per-wallet day counters, and the report rollups their triggers keep). A first full ledger check
// leaves the checkpoint later checks start from. Then each read runs the cloud's own service function,
// warmed once and timed --runs times (fewer when one run is slow: at most --budget-s seconds per read),
// p50 and p95 reported; a read slower than the cloud's statement timeout would have been a 500. Last,
// the redeem benchmark's timed phase runs on the same database, and its rate is compared with the
// empty database's in the same run.
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { sql } from 'drizzle-orm';
import {
  campaignReport,
  checkLedger,
  exportPayoutBatch,
  listScreens,
  listSettlementExports,
  summarizeScreens,
  type DatabaseHandle,
} from '@redtap/cloud';
import { openBenchDatabase } from '../lib/bench-database.ts';
import { growBenchFleet } from '../lib/bench-fleet.ts';
import { parseCount, parseCounts, withMqttUrl, withPostgresUrl } from '../lib/bench-options.ts';
import { growSettledHistory } from '../lib/settled-history.ts';
import { summarize } from '../lib/stats.ts';
import { benchSettings, buildWorld, parseRedeemOptions, timedRun } from './redeem.ts';
import type { BenchReport, BenchRow } from './report.ts';

const TIMEZONE = 'Asia/Shanghai';
/** The cloud's statement timeout (db/client.ts): a read past it is answered 500. */
const STATEMENT_TIMEOUT_MS = 25_000;
const READ_TARGET_MS = 200;
const REDEEM_SHARE_TARGET = 0.9;
const CITIES = 300;

interface Options {
  taps: number[];
  runs: number;
  budgetS: number;
  screens: number;
  clients: number;
  tapsPerClient: number;
  postgresUrl: string;
  mqttUrl: string;
  keep: boolean;
}

function parseOptions(args: string[]): Options {
  const program = new Command('history');
  withMqttUrl(withPostgresUrl(program))
    .option(
      '--taps <list>',
      'settled taps of history, one fresh database each (e.g. 0,1000000,10000000)',
      '0,1000000',
    )
    .option('--runs <n>', 'timed runs per read', '20')
    .option('--budget-s <n>', 'seconds of timed runs per read at most (3 runs at least)', '60')
    .option('--screens <n>', 'screens in the fleet besides the kiosks', '10000')
    .option('--clients <n>', 'redeem: kiosk MQTT clients', '8')
    .option('--taps-per-client <n>', 'redeem: taps per client in the timed phase', '6000')
    .option('--keep', 'keep the PostgreSQL databases for EXPLAIN (their names are printed)')
    .exitOverride();
  program.parse(args, { from: 'user' });
  const raw = program.opts<Record<string, string | boolean | undefined>>();
  const num = (key: string) => parseCount(String(raw[key] ?? '0'));
  return {
    taps: parseCounts(String(raw.taps)),
    runs: num('runs'),
    budgetS: num('budgetS'),
    screens: num('screens'),
    clients: num('clients'),
    tapsPerClient: num('tapsPerClient'),
    postgresUrl: String(raw.postgresUrl),
    mqttUrl: String(raw.mqttUrl),
    keep: raw.keep === true,
  };
}

/** YYYY-MM-DD of a Unix time in the operator's zone. */
function dayIn(unixS: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TIMEZONE }).format(new Date(unixS * 1000));
}

interface Timing {
  p50: number;
  p95: number;
  max: number;
  runs: number;
  /** Runs that failed or took longer than the statement timeout (a 500 for the caller). */
  failures: number;
}

async function timeRead(run: () => Promise<unknown>, options: Options, log: (line: string) => void) {
  const failures: string[] = [];
  const once = async (): Promise<number> => {
    const startMs = performance.now();
    try {
      await run();
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
    const ms = performance.now() - startMs;
    if (ms > STATEMENT_TIMEOUT_MS) failures.push(`${ms.toFixed(0)} ms`);
    return ms;
  };
  const warm = await once();
  const times: number[] = [];
  const budgetMs = options.budgetS * 1000;
  let spentMs = 0;
  while (times.length < options.runs && (times.length < 3 || spentMs + warm < budgetMs)) {
    const ms = await once();
    times.push(ms);
    spentMs += ms;
  }
  const stats = summarize(times);
  if (failures.length > 0) log(`    failures: ${failures.slice(0, 3).join('; ')}`);
  return { p50: stats.p50, p95: stats.p95, max: stats.max, runs: times.length, failures: failures.length };
}

interface Read {
  name: string;
  /** Reads with the report/fleet target (p95 ≤ 200 ms). */
  target: boolean;
  run: (handle: DatabaseHandle) => Promise<unknown>;
}

function readsOf(advertiserId: number): Read[] {
  const nowS = Math.floor(Date.now() / 1000);
  const today = dayIn(nowS);
  const monthAgo = dayIn(nowS - 29 * 86_400);
  return [
    {
      name: 'advertiser report by day, 30 days',
      target: true,
      run: (h) =>
        campaignReport(
          h.db,
          { kind: 'advertiser', advertiserId },
          { by: 'day', from: monthAgo, to: today, timezone: TIMEZONE },
        ),
    },
    {
      name: 'advertiser report by day, all time',
      target: true,
      run: (h) =>
        campaignReport(
          h.db,
          { kind: 'advertiser', advertiserId },
          { by: 'day', from: '2000-01-01', to: today, timezone: TIMEZONE },
        ),
    },
    {
      name: 'operator report, all advertisers by day, 30 days',
      target: true,
      run: (h) =>
        campaignReport(h.db, { kind: 'all' }, { by: 'day', from: monthAgo, to: today, timezone: TIMEZONE }),
    },
    {
      name: 'operator report, all advertisers by screen, 30 days',
      target: true,
      run: (h) =>
        campaignReport(
          h.db,
          { kind: 'all' },
          { by: 'screen', from: monthAgo, to: today, timezone: TIMEZONE },
        ),
    },
    { name: 'fleet summary', target: true, run: (h) => summarizeScreens(h.db, new Date()) },
    {
      name: 'screen list, first page',
      target: true,
      run: (h) => listScreens(h.db, {}, { limit: 100, after: 0 }),
    },
    { name: 'ledger check (incremental)', target: false, run: (h) => checkLedger(h.db) },
    {
      name: 'settlements page: past exports',
      target: true,
      run: (h) => listSettlementExports(h.db, { limit: 50, before: 0 }),
    },
    {
      name: 'settlement export (none pending)',
      target: true,
      run: (h) => exportPayoutBatch(h.db, new Date()),
    },
  ];
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

export async function run(args: string[]): Promise<BenchReport> {
  const options = parseOptions(args);
  const log = (line: string) => console.log(line);
  const redeemOptions = parseRedeemOptions([
    '--clients',
    String(options.clients),
    '--taps',
    String(options.tapsPerClient),
    '--engines',
    'postgres',
    '--mqtt-url',
    options.mqttUrl,
    '--postgres-url',
    options.postgresUrl,
  ]);
  const rows: BenchRow[] = [];
  const data: Record<string, unknown> = { options };
  const sizes = [...options.taps].sort((a, b) => a - b);
  const ledger: Record<number, Timing> = {};
  let emptyRate: number | undefined;

  for (const size of sizes) {
    const label = `${size.toLocaleString('en')} settled taps`;
    log(`\n${label}: building the world, ${options.screens.toLocaleString('en')} screens and the history`);
    const { handle, drop } = await openBenchDatabase('postgres', {
      adminUrl: options.postgresUrl,
      prefix: 'redtap_bench_history',
      poolSizeMax: 8,
      keep: options.keep,
      // Building the history runs statements far longer than a request's timeouts (0: none). The reads
      // are held to the request's statement timeout by the timing instead.
      timeouts: { queryMs: 0, statementMs: 0, socketSilenceMs: 0 },
    });
    const sizeData: Record<string, unknown> = {};
    data[label] = sizeData;
    try {
      const settings = benchSettings(redeemOptions);
      const world = await buildWorld(handle, redeemOptions, redeemOptions.taps, settings, log);
      await growBenchFleet(handle, { from: 0, to: options.screens }, { cities: CITIES, timezone: TIMEZONE });
      const buildStartMs = performance.now();
      await growSettledHistory(handle, { taps: size, ...world, log });
      sizeData.historyBuildS = (performance.now() - buildStartMs) / 1000;
      const counted: unknown = await handle.db.execute(
        sql`select count(*) as n, coalesce(sum(taps), 0) as taps from tap_rollups`,
      );
      const [rollups] = (counted as { rows: { n: unknown; taps: unknown }[] }).rows;
      log(`  rollups: ${String(rollups?.n)} rows for ${String(rollups?.taps)} counted taps`);
      // The first check has no checkpoint: it sums every transfer (the audit) and leaves one.
      const fullStartMs = performance.now();
      const full = await checkLedger(handle.db, { full: true });
      const fullMs = performance.now() - fullStartMs;
      log(`  full ledger check: ${fmt(fullMs)}, ${full.transfers} transfers, ok ${String(full.ok)}`);
      rows.push({
        metric: `${label}: ledger check, full (audit; leaves the checkpoint)`,
        result: `${fmt(fullMs)} (${full.transfers.toLocaleString('en')} transfers, ok ${String(full.ok)})`,
      });
      sizeData.fullCheckMs = fullMs;
      sizeData.ledgerOk = full.ok;

      for (const read of readsOf(world.advertiserId)) {
        log(`  ${read.name}`);
        const timing = await timeRead(() => read.run(handle), options, log);
        sizeData[read.name] = timing;
        if (read.name.startsWith('ledger check')) ledger[size] = timing;
        rows.push({
          metric: `${label}: ${read.name}, p50 / p95 (${timing.runs} runs)`,
          ...(read.target
            ? {
                target: `p95 ≤ ${READ_TARGET_MS} ms, no 500`,
                pass: timing.p95 <= READ_TARGET_MS && timing.failures === 0,
              }
            : {}),
          result: `${fmt(timing.p50)} / ${fmt(timing.p95)}${timing.failures > 0 ? `, ${timing.failures} failed or past the statement timeout` : ''}`,
        });
      }

      log(`${label}: redeem timed phase`);
      const result = await timedRun(handle, world.kiosks, redeemOptions, settings, log);
      const rate = result.credited / result.seconds;
      sizeData.redeem = { rate, credited: result.credited, seconds: result.seconds, cpu: result.cpu };
      if (size === 0) emptyRate = rate;
      rows.push({
        metric: `${label}: redeem, credited taps/s over MQTT`,
        ...(size > 0 && emptyRate !== undefined
          ? { target: '≥ 90 % of the empty database', pass: rate / emptyRate >= REDEEM_SHARE_TARGET }
          : {}),
        result: `${rate.toFixed(0)}${size > 0 && emptyRate !== undefined ? ` (${((rate / emptyRate) * 100).toFixed(0)} % of ${emptyRate.toFixed(0)})` : ''} (${result.credited}/${result.taps} in ${result.seconds.toFixed(1)} s)`,
      });
      // The check after the run reads just the run's transfers.
      const afterStartMs = performance.now();
      const after = await checkLedger(handle.db);
      const afterMs = performance.now() - afterStartMs;
      rows.push({
        metric: `${label}: ledger check after the redeem run (incremental)`,
        result: `${fmt(afterMs)}: ${after.transfersRead.toLocaleString('en')} new transfers read of ${after.transfers.toLocaleString('en')}, ok ${String(after.ok)}`,
      });
      sizeData.checkAfterRedeem = { ms: afterMs, read: after.transfersRead, ok: after.ok };
    } catch (error) {
      // One size failing (a connection cut on a shared server) still leaves the other sizes' figures.
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      log(`${label}: failed: ${message}`);
      rows.push({ metric: `${label}: run`, target: 'completes', result: `failed: ${message}`, pass: false });
      sizeData.error = message;
    } finally {
      await drop();
    }
  }
  const smallest = sizes[0];
  const largest = sizes.at(-1);
  if (smallest !== undefined && largest !== undefined && largest > smallest) {
    const small = ledger[smallest];
    const large = ledger[largest];
    if (small !== undefined && large !== undefined)
      rows.push({
        metric: `ledger check (incremental) p50, ${largest.toLocaleString('en')} vs ${smallest.toLocaleString('en')} settled taps`,
        target: 'does not grow with old transfers (≤ 2×)',
        result: `${fmt(large.p50)} vs ${fmt(small.p50)}`,
        pass: large.p50 <= Math.max(2 * small.p50, small.p50 + 20),
      });
  }
  return { name: 'history', rows, data };
}
