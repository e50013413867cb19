// The control-plane fleet simulation end to end on every CI run, at 300 screens: a real cloud process on
// PostgreSQL and a private Mosquitto, lightweight screens in two workers and one real kiosk agent. Every
// screen enrols and connects, holds a deck of the campaign over all of them, applies a revocation, and the
// console's fleet summary says what the simulation knows. No timing is asserted: each phase waits with
// generous bounds, as the machine is shared. Longer runs: `npm run simulate -- --fleet N`.
import { describe, expect, it } from 'vitest';
import { mosquittoMissingReason } from '@redtap/cloud/testing/mosquitto';
import { POSTGRES_ADMIN_URL, postgresProblem } from '../lib/postgres-admin.ts';
import { expectFleetServed } from './fleet-expect.ts';
import { runFleet } from './run-fleet.ts';

const ci = process.env.CI === 'true';
const SCREENS = 300;

const problems = [await postgresProblem(), mosquittoMissingReason()].filter((p): p is string => p !== null);

describe('fleet simulation', () => {
  if (problems.length > 0 && !ci) {
    console.warn(`\n!!! SKIPPING the fleet simulation: ${problems.join('; ')} !!!\n`);
    // Only outside CI: under CI=true the test below runs and fails on the missing parts.
    it.skip(`skipped: ${problems.join('; ')}`, () => undefined);
    return;
  }

  it(`serves ${SCREENS} screens and a real kiosk: enrolment, decks, a revocation and the fleet summary`, async () => {
    expect(problems).toEqual([]);
    const lines: string[] = [];
    const report = await runFleet({
      screens: SCREENS,
      provision: 'bulk',
      kiosks: 1,
      broker: 'mosquitto',
      natsNodes: 1,
      workers: 2,
      provisionConcurrency: 4,
      enrolConcurrency: 4,
      offlineRatio: 0.05,
      postgresUrl: POSTGRES_ADMIN_URL,
      phaseTimeoutMs: 300_000,
      stallMs: 150_000,
      heartbeatIntervalS: 60,
      keep: false,
      print: (line) => lines.push(line),
    });
    expectFleetServed(report, lines, SCREENS);
  }, 900_000);
});
