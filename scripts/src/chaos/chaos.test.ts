// One short chaos seed on every CI run: real kiosk, cloud and broker processes, every kind of fault,
// then the exactly-once and money checks. Longer runs: `npm run chaos` (docs/reliability.md).
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { mosquittoMissingReason } from '@redtap/cloud/testing/mosquitto';
import { runChaos } from './run-chaos.ts';

const ADMIN_URL = process.env.REDTAP_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** A seed replayed on every run; REDTAP_CHAOS_SEED tries another. */
const SEED = Number(process.env.REDTAP_CHAOS_SEED ?? 20_261_121);
const ci = process.env.CI === 'true';

async function postgresProblem(): Promise<string | null> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return null;
  } catch (error) {
    return `PostgreSQL at ${ADMIN_URL}: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const problems = [await postgresProblem(), mosquittoMissingReason()].filter((p): p is string => p !== null);

describe('chaos: a short seed', () => {
  if (problems.length > 0 && !ci) {
    console.warn(`\n!!! SKIPPING the chaos seed: ${problems.join('; ')} !!!\n`);
    it.skip('needs PostgreSQL and Mosquitto', () => undefined);
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
