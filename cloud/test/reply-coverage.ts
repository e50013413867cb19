// The record of which API routes the test suites exercised with a reply that matched its declared
// schema. Every test cloud (harness.ts) checks its replies through `replyCoverage`; each test process
// appends what it saw to its own file, and reply-coverage.check.ts reads them all after the suites ran.
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { ReplyCheck, RouteKey } from '../src/http/reply-check.ts';

export const REPLY_COVERAGE_DIR = join(import.meta.dirname, '..', 'node_modules', '.cache', 'reply-coverage');

export interface ReplyRecord extends RouteKey {
  status: number;
  problem: string | null;
}

const seen = new Set<string>();
const fileOfThisProcess = join(REPLY_COVERAGE_DIR, `${process.pid}-${threadId}.jsonl`);

export const replyCoverage: ReplyCheck = {
  checked(route, status, problem) {
    if (problem !== null)
      console.error(`reply check: ${route.method} ${route.path} answered ${status}: ${problem}`);
    const record: ReplyRecord = { ...route, status, problem };
    const line = JSON.stringify(record);
    if (seen.has(line)) return;
    seen.add(line);
    mkdirSync(REPLY_COVERAGE_DIR, { recursive: true });
    appendFileSync(fileOfThisProcess, `${line}\n`);
  },
};

export function readReplyRecords(): ReplyRecord[] {
  let files: string[];
  try {
    files = readdirSync(REPLY_COVERAGE_DIR).filter((file) => file.endsWith('.jsonl'));
  } catch {
    return [];
  }
  return files.flatMap((file) =>
    readFileSync(join(REPLY_COVERAGE_DIR, file), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as ReplyRecord),
  );
}

/** Forgets earlier runs: called once before the suites, so the record is this run's alone. */
export function resetReplyRecords(): void {
  rmSync(REPLY_COVERAGE_DIR, { recursive: true, force: true });
}
