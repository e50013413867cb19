// `npm run chaos -- --seed N [--duration 120s] [--screens 20] [--replicas 2]`: seeded faults against
// the real system (./chaos/run-chaos.ts), then the exactly-once and money checks. Prints the schedule,
// the fault timeline as it happens, and the verdict; writes the report to bench-results/; exits 1 on
// any anomaly, keeping the run's directory and database for a look. The same seed replays the schedule.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { runChaos } from './chaos/run-chaos.ts';
import { POSTGRES_ADMIN_URL } from './lib/postgres-admin.ts';
import { fidelityLine, fidelityTable } from './simulator/fidelity.ts';

const int = (value: string) => {
  const parsed = Number.parseInt(value, 10);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`not a count: ${value}`);
  return parsed;
};
/** `120s`, `2m`, `90000ms` or plain seconds. */
const duration = (value: string) => {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (match === null) throw new Error(`not a duration: ${value} (e.g. 120s, 2m)`);
  const amount = Number(match[1]);
  return Math.round(match[2] === 'ms' ? amount : match[2] === 'm' ? amount * 60_000 : amount * 1_000);
};

const options = new Command()
  .name('npm run chaos --')
  .description('inject seeded faults into the running system, then check exactly-once and the money')
  .option('--seed <n>', 'seed of the fault schedule and the taps (default: random, printed)', int)
  .option('--duration <time>', 'how long taps flow and faults strike', duration, 120_000)
  .option('--screens <n>', 'kiosk processes', int, 20)
  .option('--replicas <n>', 'cloud replicas (1 or 2)', int, 2)
  .option('--phones-per-screen <n>', 'wallets per kiosk', int, 10)
  .option('--settle-timeout <time>', 'after healing, how long every tap has to settle', duration, 180_000)
  .option(
    '--postgres <url>',
    'admin connection; the run creates and drops its own database',
    POSTGRES_ADMIN_URL,
  )
  .option('--keep', 'keep the run directory and database even when every check passes', false)
  .parse(process.argv)
  .opts<{
    seed?: number;
    duration: number;
    screens: number;
    replicas: number;
    phonesPerScreen: number;
    settleTimeout: number;
    postgres: string;
    keep: boolean;
  }>();

if (options.replicas < 1 || options.replicas > 2) throw new Error('--replicas is 1 or 2');
if (options.screens < 1) throw new Error('--screens is at least 1');
const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
const report = await runChaos({
  seed,
  durationMs: options.duration,
  screens: options.screens,
  replicas: options.replicas,
  phonesPerScreen: Math.max(1, options.phonesPerScreen),
  settleTimeoutMs: options.settleTimeout,
  adminUrl: options.postgres,
  keep: options.keep,
  print: (line) => console.log(line),
});

mkdirSync('bench-results', { recursive: true });
const file = join('bench-results', `chaos-${seed}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);

console.log('');
console.log(`seed ${seed}: ${report.faultsInjected} faults in ${(report.wallMs / 1000).toFixed(0)} s`);
console.log(
  `taps: ${report.taps.attempted} attempted, ${report.taps.committed} committed, ${report.taps.skippedKioskDown} while the kiosk was down, ${report.taps.failed} cut by a kill`,
);
console.log(`outcomes at the reader: ${JSON.stringify(report.taps.outcomes)}`);
console.log(`phone redemptions: ${JSON.stringify(report.phoneRedeems)}`);
console.log(
  `withdrawals: ${report.withdrawals.asked} asked, ${report.withdrawals.confirmed} confirmed ${JSON.stringify(report.withdrawals.outcomes)}`,
);
if (report.verdict !== null) {
  const { taps } = report.verdict;
  console.log(
    `cloud records: ${taps.committed} committed taps: ${taps.credited} credited, ${taps.held} held, rejected ${JSON.stringify(taps.rejected)}; ${taps.duplicateAcks} acked as duplicates (the phone came first)`,
  );
  console.table(
    report.verdict.checks.map((check) => ({
      check: check.name,
      result: check.ok ? 'ok' : `FAILED (${check.anomalies})`,
      detail: check.detail,
    })),
  );
  for (const check of report.verdict.checks.filter((c) => !c.ok))
    for (const example of check.examples) console.log(`  ${check.name}: ${example}`);
  console.log(fidelityLine(report.verdict.fidelity));
  console.log(fidelityTable(report.verdict.fidelity));
}
if (report.error !== null) console.log(`the run failed: ${report.error}`);
const passed = report.error === null && report.verdict?.ok === true;
console.log(
  passed
    ? `PASSED: no anomaly (report ${file})`
    : `FAILED: replay with \`npm run chaos -- --seed ${seed} --duration ${options.duration}ms --screens ${options.screens} --replicas ${options.replicas}\`; logs and data kept in ${report.dir}`,
);
process.exit(passed ? 0 : 1);
