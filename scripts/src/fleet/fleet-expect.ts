// What a fleet test expects of a run at any size and on any broker: every screen enrolled, connected
// with its config, held a deck, applied the revocation and confirmed it, and the console's summary agreed.
import { expect } from 'vitest';
import type { FleetReport } from './run-fleet.ts';

export function expectFleetServed(report: FleetReport, lines: string[], screens: number): void {
  const why = `${lines.join('\n')}\n${JSON.stringify(report.rows, null, 2)}`;
  expect(report.error, why).toBeNull();
  expect(report.enrolment.enrolled, why).toBe(screens);
  expect(report.enrolment.failed, why).toEqual({});
  expect(report.enrolment.notConnected, why).toBe(0);
  expect(report.enrolment.configuredMissing, why).toBe(0);
  expect(report.activation?.decks.missing, why).toBe(0);
  expect(report.activation?.decksRejected, why).toBe(0);
  expect(report.revocation?.applied.missing, why).toBe(0);
  // The console's count of screens that confirmed it is the simulation's.
  expect(report.revocation?.confirmed.answered, why).toBeGreaterThanOrEqual(
    report.revocation?.confirmed.expected ?? Number.POSITIVE_INFINITY,
  );
  expect(report.summary?.ok, why).toBe(true);
  expect(report.configsInvalid, why).toBe(0);
  expect(
    report.rows.filter((row) => row.pass === false),
    why,
  ).toEqual([]);
}
