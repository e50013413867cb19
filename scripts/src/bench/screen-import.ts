// Bulk provisioning benchmark: a CSV of --rows screens (default 100,000, the import's bound) spread over
// cities, buildings and two groups, judged by a dry run, then imported in one transaction; then every
// enrolment code of the import issued in pages of 500, and one bulk move and one bulk revocation of all
// the imported screens. Each figure is the service's own time (no HTTP, no broker: revocation only queues).
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { sql } from 'drizzle-orm';
import {
  applyBulkAction,
  ENROLMENT_CODE_BATCH_MAX,
  importScreens,
  issueEnrolmentCodeBatch,
} from '../../../cloud/src/services/bulk-screens.ts';
import { createScreenGroup } from '../../../cloud/src/services/screens.ts';
import type { BenchReport, BenchRow } from './report.ts';
import { openBenchDatabase } from '../lib/bench-database.ts';
import { parseCount, withPostgresUrl } from '../lib/bench-options.ts';

interface Options {
  rows: number;
  engine: string;
  postgresUrl: string;
}

function parseOptions(args: string[]): Options {
  const program = new Command('screen-import');
  withPostgresUrl(program)
    .option('--rows <n>', 'screens in the CSV', '100000')
    .option('--engine <name>', 'postgres or pglite', 'postgres')
    .exitOverride();
  program.parse(args, { from: 'user' });
  const raw = program.opts<{ rows: string; engine: string; postgresUrl: string }>();
  return { rows: parseCount(raw.rows), engine: raw.engine, postgresUrl: raw.postgresUrl };
}

/** name, city, building, elevator, time zone, groups: every 10th screen in Lobby, every 20th also in Tower. */
function csvOf(rows: number): string {
  const lines = ['name,city,building,elevator,time zone,groups'];
  for (let n = 1; n <= rows; n++) {
    const groups = n % 20 === 0 ? 'Lobby;Tower' : n % 10 === 0 ? 'Lobby' : '';
    lines.push(
      `屏幕 ${String(n)},City ${String(n % 50)},Building ${String(n % 2_000)},E${String(n % 8)},Asia/Shanghai,${groups}`,
    );
  }
  return lines.join('\n');
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const startMs = performance.now();
  const value = await work();
  return { value, seconds: (performance.now() - startMs) / 1000 };
}

export async function run(args: string[]): Promise<BenchReport> {
  const options = parseOptions(args);
  const { handle, drop } = await openBenchDatabase(options.engine, {
    adminUrl: options.postgresUrl,
    prefix: 'redtap_bench_import',
    poolSizeMax: 4,
  });
  const rows: BenchRow[] = [];
  const data: Record<string, unknown> = {};
  const label = `${options.engine}, ${options.rows.toLocaleString('en')} rows`;
  const rate = (n: number, seconds: number) => `${(n / seconds).toFixed(0)}/s`;
  try {
    await createScreenGroup(handle.db, 'Lobby');
    await createScreenGroup(handle.db, 'Tower');
    const csv = csvOf(options.rows);
    const now = new Date();
    const input = { csv, defaultTimezone: 'Asia/Shanghai' };
    const dry = await timed(() => importScreens(handle.db, { ...input, dryRun: true }, null, now));
    if (dry.value.errorCount > 0)
      throw new Error(`the dry run refused rows: ${JSON.stringify(dry.value.errors[0])}`);
    const made = await timed(() => importScreens(handle.db, { ...input, dryRun: false }, null, now));
    const importId = made.value.importId ?? 0;
    let codes = 0;
    const issued = await timed(async () => {
      for (let after = 0; ;) {
        const page = await issueEnrolmentCodeBatch(
          handle.db,
          { importId },
          { after, limit: ENROLMENT_CODE_BATCH_MAX },
          null,
          now,
        );
        codes += page.items.length;
        if (page.nextAfter === null) return;
        after = page.nextAfter;
      }
    });
    const moved = await timed(() =>
      applyBulkAction(handle.db, { importId }, { kind: 'move', building: 'Moved' }, { actor: null, now }),
    );
    const revoked = await timed(() =>
      applyBulkAction(handle.db, { importId }, { kind: 'revoke' }, { actor: null, now }),
    );
    const result: unknown = await handle.db.execute(
      sql`select count(*) filter (where status = 'revoked' and building = 'Moved') as done,
                 (select count(*) from screen_group_members) as members
          from screens`,
    );
    const [check] = (result as { rows: { done: unknown; members: unknown }[] }).rows;
    console.log(`${label}: imported ${String(made.value.valid)} in ${made.seconds.toFixed(1)} s`);
    data[label] = {
      dryRunS: dry.seconds,
      importS: made.seconds,
      codesS: issued.seconds,
      moveS: moved.seconds,
      revokeS: revoked.seconds,
      codes,
      revokedAndMoved: Number(check?.done),
      memberships: Number(check?.members),
      bytes: Buffer.byteLength(csv),
    };
    rows.push(
      {
        metric: `${label}: dry run`,
        result: `${dry.seconds.toFixed(1)} s (${rate(options.rows, dry.seconds)})`,
      },
      {
        metric: `${label}: import`,
        result: `${made.seconds.toFixed(1)} s (${rate(made.value.valid, made.seconds)})`,
      },
      {
        metric: `${label}: enrolment codes, pages of ${String(ENROLMENT_CODE_BATCH_MAX)}`,
        result: `${issued.seconds.toFixed(1)} s (${rate(codes, issued.seconds)})`,
      },
      {
        metric: `${label}: bulk move`,
        result: `${moved.seconds.toFixed(1)} s (${String(moved.value.screens)} screens)`,
      },
      {
        metric: `${label}: bulk revoke (queued)`,
        result: `${revoked.seconds.toFixed(1)} s (${String(revoked.value.revocations)} queued)`,
      },
    );
  } finally {
    await drop();
  }
  return { name: 'screen-import', rows, data };
}
