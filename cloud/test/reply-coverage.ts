// The record of which API routes the test suites exercised with a reply that matched its declared
// schema. Every test cloud (harness.ts) checks its replies through `replyCoverage`; each test process
// appends what it saw to its own file under this run's directory (REDTAP_REPLY_RUN, set once per vitest
// run by reply-coverage.setup.ts, so runs side by side keep apart), and reply-coverage.check.ts reads
// them after the suites ran.
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { ReplyCheck, RouteKey } from '../src/http/reply-check.ts';

export const REPLY_COVERAGE_DIR = join(import.meta.dirname, '..', 'node_modules', '.cache', 'reply-coverage');
const RUNS_KEPT_MS = 24 * 3_600_000;

export interface ReplyRecord extends RouteKey {
  status: number;
  problem: string | null;
}

function runDir(run: string | undefined = process.env.REDTAP_REPLY_RUN): string {
  return join(REPLY_COVERAGE_DIR, run ?? 'outside-a-run');
}

const seen = new Set<string>();

export const replyCoverage: ReplyCheck = {
  checked(route, status, problem) {
    if (problem !== null)
      console.error(`reply check: ${route.method} ${route.path} answered ${status}: ${problem}`);
    const record: ReplyRecord = { ...route, status, problem };
    const line = JSON.stringify(record);
    if (seen.has(line)) return;
    seen.add(line);
    const dir = runDir();
    mkdirSync(dir, { recursive: true });
    appendFileSync(join(dir, `${process.pid}-${threadId}.jsonl`), `${line}\n`);
  },
};

function recordsIn(dir: string): ReplyRecord[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((file) => file.endsWith('.jsonl'));
  } catch {
    return [];
  }
  return files.flatMap((file) =>
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as ReplyRecord),
  );
}

/**
 * This run's records; when this run recorded none (the check run on its own), those of the latest
 * run that did.
 */
export function readReplyRecords(): ReplyRecord[] {
  const mine = recordsIn(runDir());
  if (mine.length > 0) return mine;
  const runs = startedRuns().reverse();
  for (const run of runs) {
    const records = recordsIn(join(REPLY_COVERAGE_DIR, run));
    if (records.length > 0) return records;
  }
  return [];
}

/** Run ids, oldest first (they start with the time the run started). */
function startedRuns(): string[] {
  try {
    return readdirSync(REPLY_COVERAGE_DIR)
      .filter((name) => /^\d+-\d+$/.test(name))
      .sort((a, b) => Number(a.split('-')[0]) - Number(b.split('-')[0]));
  } catch {
    return [];
  }
}

/** Starts a run's record, and forgets runs older than a day. */
export function startReplyRun(nowMs: number): string {
  for (const run of startedRuns()) {
    const dir = join(REPLY_COVERAGE_DIR, run);
    if (nowMs - statSync(dir).mtimeMs > RUNS_KEPT_MS) rmSync(dir, { recursive: true, force: true });
  }
  return `${nowMs}-${process.pid}`;
}
