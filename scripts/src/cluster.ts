// `npm run cluster -- up|down|status [--state-dir .cluster] [--nodes 2|3] [--no-nats] [--purge]`: the
// multi-node stack on loopback: three etcd members, Patroni-managed PostgreSQL 15 nodes and HAProxy in
// front of them (./cluster/postgres-cluster.ts), and three NATS nodes with JetStream and MQTT
// (./cluster/nats-cluster.ts), each with its own ports and data under the state directory. `up` starts
// what is not running, prints the connection strings and writes the cloud's settings to
// `<state>/cloud.env`; `status` prints each member's role and health; `down` stops everything (its data
// stays unless --purge).
import { rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import pg from 'pg';
import { natsMissingReason } from '@redtap/cloud/testing/nats';
import { natsStatus, startNats, stopNats } from './cluster/nats-cluster.ts';
import { openPostgresCluster, readClusterState, type MemberStatus } from './cluster/postgres-cluster.ts';

const program = new Command()
  .name('npm run cluster --')
  .description('start, inspect or stop the multi-node stack on loopback')
  .argument('<action>', 'up | down | status')
  .option('--state-dir <dir>', 'where the configuration, data, logs and pids live', '.cluster')
  .option('--nodes <n>', 'PostgreSQL nodes on a new cluster (2 or 3)', '2')
  .option('--no-nats', 'with up: PostgreSQL only, no NATS broker cluster')
  .option('--purge', 'with down: delete the state directory too', false)
  .parse(process.argv);

const action = program.args[0];
const options = program.opts<{ stateDir: string; nodes: string; nats: boolean; purge: boolean }>();
const stateDir = resolve(options.stateDir);
const log = (line: string) => console.log(`[cluster] ${line}`);

function printStatus(members: MemberStatus[]): void {
  const rows = members.map((m) => [
    m.name,
    m.kind,
    m.address,
    m.running ? `pid ${String(m.pid)}` : 'stopped',
    m.role,
    m.detail,
  ]);
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  for (const row of rows)
    console.log(
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    );
}

/** The cloud's database on the cluster, made by `up` when missing. */
const CLOUD_DATABASE = 'redtap';

async function createDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (rowCount === 0) await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
}

async function natsRows(): Promise<MemberStatus[]> {
  return (await natsStatus(stateDir)).map((row) => ({ ...row, kind: 'nats' as const }));
}

switch (action) {
  case 'up': {
    const cluster = await openPostgresCluster({ stateDir, nodes: Number(options.nodes), log });
    try {
      await cluster.start();
    } catch (error) {
      log(`start failed; stopping what did start (logs stay in ${stateDir})`);
      await cluster.stop().catch(() => undefined);
      throw error;
    }
    const cloudEnv: Record<string, string> = { DATABASE_URL: cluster.url(CLOUD_DATABASE) };
    await createDatabase(cluster.url(), CLOUD_DATABASE);
    const natsMissing = options.nats ? natsMissingReason() : 'not asked for (--no-nats)';
    if (natsMissing === null) {
      try {
        Object.assign(cloudEnv, (await startNats(stateDir, { startTimeoutMs: 60_000, log })).env);
      } catch (error) {
        log(`NATS failed to start; stopping what did start (logs stay in ${stateDir})`);
        await stopNats(stateDir).catch(() => undefined);
        await cluster.stop().catch(() => undefined);
        throw error;
      }
    } else log(`no NATS cluster: ${natsMissing}`);
    const envFile = join(stateDir, 'cloud.env');
    await writeFile(
      envFile,
      `${Object.entries(cloudEnv)
        .map(([key, value]) => `${key}=${value}`)
        .join('\n')}\n`,
      { mode: 0o600 },
    );
    console.log('');
    console.log(`PostgreSQL (leader, through HAProxy): ${cluster.url('postgres')}`);
    console.log(
      `PostgreSQL (replicas, read-only):     ${cluster.url('postgres').replace(`:${cluster.state.haproxy.primaryPort}/`, `:${cluster.state.haproxy.replicaPort}/`)}`,
    );
    console.log(`etcd: ${cluster.state.etcd.map((m) => `http://127.0.0.1:${m.clientPort}`).join(',')}`);
    console.log(`HAProxy stats: http://127.0.0.1:${cluster.state.haproxy.statsPort}/`);
    if (cloudEnv.NATS_SERVERS !== undefined) {
      console.log(`NATS: ${cloudEnv.NATS_SERVERS}`);
      console.log(`MQTT (kiosks, any node): ${String(cloudEnv.NATS_MQTT_SERVERS)}`);
    }
    console.log(`the cloud's settings: ${envFile} (set -a; . ${envFile}; set +a; redtap-cloud serve)`);
    console.log(`state: ${stateDir} (npm run cluster -- status | down)`);
    console.log('');
    printStatus([...(await cluster.status()), ...(await natsRows())]);
    break;
  }
  case 'status': {
    if (readClusterState(stateDir) === null) {
      console.log(`no cluster in ${stateDir} (npm run cluster -- up)`);
      process.exitCode = 1;
      break;
    }
    const cluster = await openPostgresCluster({ stateDir });
    printStatus([...(await cluster.status()), ...(await natsRows())]);
    break;
  }
  case 'down': {
    if (readClusterState(stateDir) !== null) {
      await stopNats(stateDir);
      const cluster = await openPostgresCluster({ stateDir });
      await cluster.stop();
      log('stopped');
    } else log(`no cluster in ${stateDir}`);
    if (options.purge) {
      await rm(stateDir, { recursive: true, force: true });
      log(`deleted ${stateDir}`);
    }
    break;
  }
  default:
    console.error(`unknown action: ${String(action)} (up | down | status)`);
    process.exitCode = 2;
}
