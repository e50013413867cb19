// The claim checks on hand-made records, then a small `npm run simulate` with phones without the app
// (passkey web wallets) on PGlite and PostgreSQL: every tap and claim settled once, the hostile claims
// refused with their codes, the ledger, budgets and reports by path whole, no broken promise.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@redtap/shared';
import { adminQuery, POSTGRES_ADMIN_URL, postgresProblem } from '../lib/postgres-admin.ts';
import { checkClaims, claimsByPath, type ClaimAnswer, type ClaimRecord } from './web-phones.ts';

const credited = (amountFen: number): ClaimAnswer => ({
  status: 'credited',
  code: null,
  amountFen,
  campaignId: 1,
  replayed: false,
});
const refused = (code: string): ClaimAnswer => ({
  status: 'refused',
  code,
  amountFen: 0,
  campaignId: null,
  replayed: false,
});
const record = (
  walletId: number,
  claimKey: string,
  answer: ClaimAnswer,
  extra: Partial<ClaimRecord> = {},
): ClaimRecord => ({
  walletId,
  path: claimKey.startsWith('t:') ? 'qr' : 'sticker',
  kind: 'at the screen',
  screenId: 7,
  claimKey,
  expected: 'decided',
  answer,
  heldMs: 0,
  ...extra,
});

describe('checkClaims', () => {
  const honest = [
    record(1, 't:7:10', credited(30)),
    record(2, 't:7:10', refused(ErrorCode.TICKET_ALREADY_CLAIMED), {
      kind: 'second wallet',
      expected: ErrorCode.TICKET_ALREADY_CLAIMED,
    }),
    record(2, 's:04aa:3', credited(12)),
    record(1, 's:04aa:2', refused(ErrorCode.SUN_COUNTER_REPLAYED), {
      kind: 'replayed read',
      expected: ErrorCode.SUN_COUNTER_REPLAYED,
    }),
  ];
  const rows = [
    { claimKey: 't:7:10', walletId: 1, status: 'credited', amountFen: 30 },
    { claimKey: 's:04aa:3', walletId: 2, status: 'credited', amountFen: 12 },
  ];
  const balances = new Map([
    [1, 30],
    [2, 12],
  ]);

  it('passes claims decided once, recorded once, with hostile claims refused and balances matching', () => {
    const check = checkClaims(honest, balances, rows);
    expect(check).toMatchObject({ ok: true, decided: 2, credited: 2, creditedFen: 42 });
    const byPath = claimsByPath(honest);
    expect(byPath.get('qr')).toMatchObject({ claims: 2, credited: 1, creditedFen: 30 });
    expect([...(byPath.get('sticker')?.notCredited ?? [])]).toEqual([
      [`refused ${ErrorCode.SUN_COUNTER_REPLAYED}`, 1],
    ]);
  });

  it('fails a second decision, a hostile claim that got paid, a missing row and money a refusal moved', () => {
    const paidTwice = honest.map((r) => (r.kind === 'second wallet' ? { ...r, answer: credited(30) } : r));
    const check = checkClaims(paidTwice, new Map([...balances, [2, 42]]), rows);
    expect(check.ok).toBe(false);
    expect(check.problems.join('\n')).toMatch(/decided twice/);
    expect(check.problems.join('\n')).toMatch(/not TICKET_ALREADY_CLAIMED/);

    expect(checkClaims(honest, balances, rows.slice(1)).problems).toEqual([
      't:7:10: 0 rows in the cloud for one decided claim',
    ]);
    expect(checkClaims(honest, new Map([...balances, [1, 31]]), rows).problems).toEqual([
      'wallet 1 holds 31 fen, its credited claims 30 fen',
    ]);
  });
});

const simulatePath = join(dirname(fileURLToPath(import.meta.url)), '..', 'simulate.ts');
/** tsx's loader by its own path: the run's working directory is a scratch one, outside the workspace. */
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
/** The whole run's bound: setup, taps, settling and checks on a loaded two-core machine. */
const RUN_TIMEOUT_MS = 300_000;

/** Runs a small fidelity scenario with web phones and returns its exit code, output and JSON report. */
async function simulate(databaseUrl: string | undefined): Promise<{
  code: number | null;
  output: string;
  report: Record<string, unknown> | null;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'redtap-sim-web-'));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (databaseUrl === undefined) delete env.DATABASE_URL;
    else env.DATABASE_URL = databaseUrl;
    const child = spawn(
      process.execPath,
      [
        '--import',
        tsxLoader,
        simulatePath,
        ...['--screens', '4', '--phones', '12', '--taps', '80', '--web-phones', '0.5', '--claims', '16'],
        ...['--web-offline-ratio', '0.3', '--seed', '7', '--fidelity-strict'],
      ],
      { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`simulate did not finish in ${RUN_TIMEOUT_MS} ms:\n${output}`));
      }, RUN_TIMEOUT_MS);
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    const reportFile = /^report (.+\.json)$/m.exec(output)?.[1];
    const report =
      reportFile === undefined
        ? null
        : (JSON.parse(readFileSync(join(dir, reportFile), 'utf8')) as Record<string, unknown>);
    return { code, output, report };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function expectWholeRun(run: Awaited<ReturnType<typeof simulate>>): void {
  const why = run.output;
  expect(run.code, why).toBe(0);
  expect(run.output).toMatch(/taps exactly once: OK/);
  expect(run.output).toMatch(/claims exactly once: OK/);
  expect(run.output).toMatch(/budgets: OK/);
  expect(run.output).toMatch(/reports by path: OK/);
  expect(run.output).toMatch(/Ledger check: OK/);
  expect(run.output).toMatch(/promise-fidelity: .* 0 mismatches/);
  const report = run.report as {
    webPhones: { count: number; kind: string };
    claims: Record<string, { claims: number; credited: number; notCredited: Record<string, number> }>;
    checks: { claims: { ok: boolean; decided: number } };
  };
  // The embedded cloud's relying party is met: the web wallets are passkey wallets.
  expect(report.webPhones).toEqual({ count: 6, kind: 'passkey' });
  expect(report.checks.claims.ok).toBe(true);
  expect(report.checks.claims.decided).toBeGreaterThan(0);
  // Every kind of hostile claim at least once, each refused with its code (the check above holds each).
  expect(report.claims.qr?.notCredited[`refused ${ErrorCode.TICKET_ALREADY_CLAIMED}`]).toBeGreaterThan(0);
  const sticker = report.claims.sticker?.notCredited ?? {};
  expect(sticker[`refused ${ErrorCode.TICKET_ALREADY_CLAIMED}`]).toBeGreaterThan(0);
  expect(sticker[`refused ${ErrorCode.SUN_COUNTER_REPLAYED}`]).toBeGreaterThan(0);
}

const problem = await postgresProblem();
const ci = process.env.CI === 'true';

describe('npm run simulate with phones without the app', () => {
  it(
    'settles every tap and claim once on PGlite',
    async () => {
      expectWholeRun(await simulate(undefined));
    },
    RUN_TIMEOUT_MS + 30_000,
  );

  if (problem !== null && !ci) {
    console.warn(`\n!!! SKIPPING the simulator on PostgreSQL: ${problem} !!!\n`);
    it.skip(`on PostgreSQL: skipped (${problem})`, () => undefined);
    return;
  }
  it(
    'settles every tap and claim once on PostgreSQL',
    async () => {
      expect(problem).toBeNull();
      const name = `redtap_sim_web_${process.pid}_${Date.now().toString(36)}`;
      await adminQuery(`create database ${name}`);
      try {
        const url = new URL(POSTGRES_ADMIN_URL);
        url.pathname = `/${name}`;
        expectWholeRun(await simulate(url.toString()));
      } finally {
        await adminQuery(`drop database if exists ${name} with (force)`);
      }
    },
    RUN_TIMEOUT_MS + 30_000,
  );
});
