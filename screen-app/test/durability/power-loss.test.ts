// Power loss in a tight tap loop: SIGKILL the kiosk's tap process at random moments, hundreds of times,
// restarting on the same SQLite file. After every kill: each prize shown is on disk with the exact token,
// counters are 1..N, the deck cursor matches the envelopes in the tokens, and the local caps match.
// REDTAP_DURABILITY_KILLS sets the number of kills (default 200) for long local runs.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandomInt } from '@redtap/shared';
import { MIGRATIONS_FOLDER } from '../../src/store/open-store.ts';
import { tempDir } from '../fixtures.ts';
import { bundleChild } from './bundle-child.ts';
import { createDurabilityStore, DurabilityChecker, type ShownPrize } from './kill-world.ts';

const CHILD = fileURLToPath(new URL('./kill-child.ts', import.meta.url));
const KILLS = Number(process.env.REDTAP_DURABILITY_KILLS ?? 200);
/** Bound on one child's life before the kill; a healthy child reaches it in well under a second. */
const CHILD_WAIT_MS = 20_000;
/** Kill delays, in ms after the child printed `ready` (or after spawn, for kills during start-up). */
const KILL_DELAY_MS_MAX = 150;

interface ChildRun {
  shown: ShownPrize[];
  /** The child had opened the store and started tapping before the kill. */
  ready: boolean;
}

function runAndKill(bundle: string, path: string, seed: number, delayMs: number, duringStart: boolean) {
  return new Promise<ChildRun>((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, path, String(seed), MIGRATIONS_FOLDER], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const shown: ShownPrize[] = [];
    let ready = false;
    let buffered = '';
    let stderr = '';
    let killTimer: NodeJS.Timeout | undefined;
    const kill = () => child.kill('SIGKILL');
    const bound = setTimeout(() => {
      kill();
      reject(new Error(`child never got killed in ${CHILD_WAIT_MS} ms; stderr: ${stderr}`));
    }, CHILD_WAIT_MS);
    if (duringStart) killTimer = setTimeout(kill, delayMs);
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      // A line cut by the kill is incomplete and ignored: only whole lines were "shown".
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [word, counter, hash] = line.split(' ');
        if (word === 'ready') {
          ready = true;
          if (!duringStart) killTimer = setTimeout(kill, delayMs);
        } else if (word === 'shown' && hash !== undefined) {
          shown.push({ counter: Number(counter), tokenSha256: hash });
        }
      }
    });
    child.on('exit', (_code, signal) => {
      clearTimeout(bound);
      clearTimeout(killTimer);
      if (signal === 'SIGKILL') resolve({ shown, ready });
      else reject(new Error(`child exited by itself (${String(signal)}): ${stderr}`));
    });
  });
}

describe('kiosk power loss', () => {
  const dir = tempDir();
  const path = join(dir.dir, 'kiosk.db');
  let bundle = '';

  beforeAll(async () => {
    createDurabilityStore(path);
    bundle = await bundleChild(CHILD, dir.dir);
  });
  afterAll(() => dir.cleanup());

  it(`keeps every shown prize and gapless counters over ${KILLS} SIGKILLs`, async () => {
    const seed = Date.now() >>> 0;
    const random = seededRandomInt(seed);
    const checker = new DurabilityChecker();
    const startedMs = Date.now();
    let killedWhileTapping = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      // One kill in ten lands during start-up (opening the store, migrations, first tap).
      const duringStart = random(0, 10) === 0;
      const run = await runAndKill(
        bundle,
        path,
        random(1, 2 ** 30),
        random(0, KILL_DELAY_MS_MAX + 1),
        duringStart,
      );
      if (run.ready && run.shown.length > 0) killedWhileTapping += 1;
      try {
        checker.check(path, run.shown);
      } catch (error) {
        throw new Error(`after kill ${kill + 1} (seed ${seed}): ${String(error)}`, { cause: error });
      }
    }
    const { rows, cash, capped, coupons, withheld, shown } = checker.totals;
    console.log(
      `[durability] ${KILLS} SIGKILLs (${killedWhileTapping} mid-tapping) in ${Date.now() - startedMs} ms: ` +
        `${rows} taps committed, ${shown} shown, ${cash} cash, ${capped} locally capped ` +
        `(${coupons} fallback coupons, ${withheld} withheld); seed ${seed}`,
    );
    expect(killedWhileTapping).toBeGreaterThan(KILLS / 2);
    expect(shown).toBeGreaterThan(KILLS);
    expect(capped).toBeGreaterThan(0);
    expect(coupons).toBeGreaterThan(0);
    expect(withheld).toBeGreaterThan(0);
    expect(cash).toBeGreaterThan(0);
  }, 600_000);
});
