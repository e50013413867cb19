// One short chaos seed on every CI run: real kiosk, cloud and broker processes, every kind of fault,
// then the exactly-once and money checks. Longer runs: `npm run chaos` (docs/reliability.md).
import { describe, expect, it } from 'vitest';
import { mosquittoMissingReason } from '@redtap/cloud/testing/mosquitto';
import { POSTGRES_ADMIN_URL as ADMIN_URL, postgresProblem } from '../lib/postgres-admin.ts';
import { runChaos } from './run-chaos.ts';

/** A seed replayed on every run; REDTAP_CHAOS_SEED tries another. */
const SEED = Number(process.env.REDTAP_CHAOS_SEED ?? 20_261_121);
const ci = process.env.CI === 'true';

const problems = [await postgresProblem(), mosquittoMissingReason()].filter((p): p is string => p !== null);

describe('chaos: a short seed', () => {
  if (problems.length > 0 && !ci) {
    console.warn(`\n!!! SKIPPING the chaos seed: ${problems.join('; ')} !!!\n`);
    // Only outside CI: under CI=true the test below runs and fails on the missing parts.
    it.skip(`skipped: ${problems.join('; ')}`, () => undefined);
    return;
  }

  it(`keeps every tap exactly once and the money whole under seed ${SEED}`, async () => {
    expect(problems).toEqual([]);
    const lines: string[] = [];
    const report = await runChaos({
      seed: SEED,
      durationMs: 25_000,
      screens: 4,
      replicas: 2,
      phonesPerScreen: 6,
      settleTimeoutMs: 150_000,
      adminUrl: ADMIN_URL,
      keep: false,
      print: (line) => lines.push(line),
    });
    const failed = report.verdict?.checks.filter((check) => !check.ok) ?? [];
    const why = `seed ${SEED}\n${lines.join('\n')}\n${report.error ?? ''}\n${JSON.stringify(failed, null, 2)}`;
    expect(report.error, why).toBeNull();
    expect(report.verdict?.ok, why).toBe(true);
    expect(report.faultsInjected).toBe(report.schedule.length);
    expect(report.taps.committed).toBeGreaterThan(0);
    expect(report.settleMs, why).not.toBeNull();
  }, 360_000);
});
