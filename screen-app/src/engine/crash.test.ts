// Kills a process running taps at random points and checks that every prize it showed was committed,
// counters stay gapless and the deck cursor matches the taps that drew from it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTapToken, seededRandomInt } from '@redtap/shared';
import { getDeckState } from '../store/deck-queries.ts';
import { openStore } from '../store/open-store.ts';
import { lastCommittedCounter } from '../store/tap-queries.ts';
import {
  campaign,
  deckBytes,
  enrolStore,
  engineFor,
  screenConfig,
  T0,
  tempDir,
} from '../../test/fixtures.ts';

const CHILD = fileURLToPath(new URL('../../test/crash-child.ts', import.meta.url));
const ITERATIONS = Number(process.env.REDTAP_CRASH_ITERATIONS ?? 24);
const WAIT_MS_MAX = 20_000;
const DECK_SIZE = 2_000;

interface Shown {
  counter: number;
  deckId: number;
  envelopeIndex: number;
  amountFen: number;
}

/** Starts the child, waits until it has shown `prizesBeforeKill` new prizes, then SIGKILLs it. */
function runAndKill(path: string, prizesBeforeKill: number): Promise<Shown[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const shown: Shown[] = [];
    let buffered = '';
    let stderr = '';
    let killed = false;
    const timeout = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child showed ${shown.length} prizes in ${WAIT_MS_MAX} ms; stderr: ${stderr}`));
    }, WAIT_MS_MAX);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const parts = line.split(' ');
        if (parts[0] !== 'prize') continue;
        const [counter, deckId, envelopeIndex, amountFen] = parts.slice(1).map(Number);
        shown.push({
          counter: counter ?? 0,
          deckId: deckId ?? 0,
          envelopeIndex: envelopeIndex ?? 0,
          amountFen: amountFen ?? 0,
        });
        if (!killed && shown.length >= prizesBeforeKill) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.on('exit', (_code, signal) => {
      clearTimeout(timeout);
      if (signal === 'SIGKILL' && killed) resolve(shown);
      else reject(new Error(`child exited unexpectedly (${String(signal)}): ${stderr}`));
    });
  });
}

describe('crash safety', () => {
  const dir = tempDir();
  const path = join(dir.dir, 'kiosk.db');
  beforeAll(() => {
    const store = openStore({ path });
    enrolStore(store, screenConfig({ campaigns: [campaign({ cashPerWalletPerDay: 100 })] }));
    // The child taps at T0 (test/crash-child.ts): the deck must be judged at the same clock.
    const receipt = engineFor(store, { now: () => T0 }).storeDeck(
      deckBytes({
        envelopes: Array.from({ length: DECK_SIZE }, (_, i) => ({
          amountFen: 1 + (i % 50),
          couponOfferId: 0,
        })),
      }),
    );
    expect(receipt.status).toBe('stored');
    store.close();
  });
  afterAll(() => dir.cleanup());

  it(`every shown prize survives SIGKILL, over ${ITERATIONS} kills`, async () => {
    const random = seededRandomInt(Date.now());
    const allShown: Shown[] = [];
    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      allShown.push(...(await runAndKill(path, random(1, 40))));

      const store = openStore({ path });
      try {
        const last = lastCommittedCounter(store);
        const rows = store.sqlite
          .prepare(
            'SELECT counter, token, deck_id AS deckId, envelope_index AS envelopeIndex FROM taps ORDER BY counter',
          )
          .all() as { counter: number; token: Buffer; deckId: number; envelopeIndex: number | null }[];
        // Gapless 1..N, and the counter row agrees with the outbox.
        expect(rows.map((row) => row.counter)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
        const byCounter = new Map(rows.map((row) => [row.counter, row]));
        for (const prize of allShown) {
          const row = byCounter.get(prize.counter);
          expect(row, `shown prize ${prize.counter} has no stored token`).toBeDefined();
          const token = decodeTapToken(new Uint8Array(row?.token ?? []));
          expect(token.ok && [token.value.deckId, token.value.envelopeIndex, token.value.amountFen]).toEqual([
            prize.deckId,
            prize.envelopeIndex === -1 ? 0xffff : prize.envelopeIndex,
            prize.amountFen,
          ]);
        }
        // The cursor equals the envelopes drawn, and they were drawn 0..cursor-1 in counter order.
        const drawn = rows.filter((row) => row.envelopeIndex !== null).map((row) => row.envelopeIndex);
        expect(getDeckState(store, 900)?.cursor).toBe(drawn.length);
        expect(drawn).toEqual(Array.from({ length: drawn.length }, (_, i) => i));
      } finally {
        store.close();
      }
    }
    expect(allShown.length).toBeGreaterThan(ITERATIONS);
  }, 180_000);
});
