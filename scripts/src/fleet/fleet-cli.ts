// `npm run simulate -- --fleet N [options]`: the control-plane fleet simulation (./run-fleet.ts), its
// table on stdout and its JSON under bench-results/ (docs/benchmarks.md, "Fleet").
import { Command } from 'commander';
import { writeBenchReport } from '../bench/report.ts';
import { defaultPostgres, runFleet } from './run-fleet.ts';

const int = (value: string) => {
  const parsed = Number.parseInt(value.replaceAll('_', ''), 10);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`not a count: ${value}`);
  return parsed;
};

export async function runFleetCli(argv: string[]): Promise<number> {
  const program = new Command('npm run simulate -- --fleet')
    .description(
      'enrol N lightweight screens over the HTTP API of a real cloud process and a real broker (Mosquitto or a NATS cluster), activate a campaign over all of them, revoke a credential, and check the fleet summary',
    )
    .requiredOption('--fleet <n>', 'lightweight screens', int)
    .option('--kiosks <n>', 'real kiosk agents (the demo kiosk process) among them', int, 2)
    .option(
      '--broker <engine>',
      'mosquitto (one process, dynamic security) or nats (a private NATS cluster, screens spread over its nodes)',
      (value: string) => {
        if (value !== 'mosquitto' && value !== 'nats') throw new Error('--broker is mosquitto or nats');
        return value;
      },
      'mosquitto',
    )
    .option('--nats-nodes <n>', 'with --broker nats: nodes in the cluster', int, 3)
    .option(
      '--workers <n>',
      'worker processes holding the lightweight screens (default: one per 5,000, at least 2)',
      int,
    )
    .option(
      '--provision <how>',
      'bulk (CSV import and enrolment code sheets) or single (create each screen and its code)',
      (value: string) => {
        if (value !== 'bulk' && value !== 'single') throw new Error('--provision is bulk or single');
        return value;
      },
      'bulk',
    )
    .option(
      '--provision-concurrency <n>',
      'requests in flight when provisioning one screen at a time',
      int,
      8,
    )
    .option('--enrol-concurrency <n>', 'enrolments in flight per worker', int, 4)
    .option(
      '--offline-ratio <r>',
      'share of screens switched off before the summary check',
      Number.parseFloat,
      0.02,
    )
    .option('--pglite', "the cloud's embedded PGlite instead of PostgreSQL")
    .option(
      '--phase-timeout <s>',
      'how long a phase waits for its last screen (default: 120 s + 30 ms per screen)',
      int,
    )
    .option('--stall <s>', 'a phase stops waiting once nothing moved for this long', int, 120)
    .option('--heartbeat <s>', "seconds between a screen's heartbeats (the kiosk's 60)", int, 60)
    .option('--keep', "keep the run's directory and database")
    .exitOverride();
  program.parse(argv, { from: 'user' });
  const raw = program.opts<{
    fleet: number;
    provision: 'bulk' | 'single';
    kiosks: number;
    broker: 'mosquitto' | 'nats';
    natsNodes: number;
    workers?: number;
    provisionConcurrency: number;
    enrolConcurrency: number;
    offlineRatio: number;
    pglite?: boolean;
    phaseTimeout?: number;
    stall: number;
    heartbeat: number;
    keep?: boolean;
  }>();
  if (raw.fleet < 1) throw new Error('--fleet must be at least 1');
  if (raw.natsNodes < 1) throw new Error('--nats-nodes must be at least 1');
  const report = await runFleet({
    screens: raw.fleet,
    provision: raw.provision,
    kiosks: raw.kiosks,
    broker: raw.broker,
    natsNodes: raw.natsNodes,
    workers: raw.workers ?? Math.max(2, Math.ceil(raw.fleet / 5_000)),
    provisionConcurrency: raw.provisionConcurrency,
    enrolConcurrency: raw.enrolConcurrency,
    offlineRatio: raw.offlineRatio,
    postgresUrl: raw.pglite === true ? null : await defaultPostgres(),
    phaseTimeoutMs: (raw.phaseTimeout ?? 120 + Math.ceil(raw.fleet * 0.03)) * 1000,
    stallMs: raw.stall * 1000,
    heartbeatIntervalS: raw.heartbeat,
    keep: raw.keep === true,
    print: (line) => console.log(line),
  });
  const { rows, ...data } = report;
  writeBenchReport({ name: `fleet-${raw.fleet}${raw.broker === 'nats' ? '-nats' : ''}`, rows, data });
  return rows.some((row) => row.pass === false) ? 1 : 0;
}
