// `npm run cluster -- up|down|status [--state-dir .cluster] [--nodes 2|3] [--purge]`: the multi-node
// stack on loopback (./cluster/postgres-cluster.ts): three etcd members, Patroni-managed PostgreSQL 15
// nodes and HAProxy in front of them, each with its own ports and data under the state directory.
// `up` starts what is not running and prints the connection strings, `status` prints each member's role
// and health, `down` stops everything (its data stays unless --purge).
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { openPostgresCluster, readClusterState, type MemberStatus } from './cluster/postgres-cluster.ts';

const program = new Command()
  .name('npm run cluster --')
  .description('start, inspect or stop the multi-node stack on loopback')
  .argument('<action>', 'up | down | status')
  .option('--state-dir <dir>', 'where the configuration, data, logs and pids live', '.cluster')
  .option('--nodes <n>', 'PostgreSQL nodes on a new cluster (2 or 3)', '2')
  .option('--purge', 'with down: delete the state directory too', false)
  .parse(process.argv);

const action = program.args[0];
const options = program.opts<{ stateDir: string; nodes: string; purge: boolean }>();
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
    // The NATS cluster (three JetStream nodes) joins here once its launcher is in place; until then
    // the cloud's broker is the single Mosquitto of `npm start`.
    console.log('');
    console.log(`PostgreSQL (leader, through HAProxy): ${cluster.url('postgres')}`);
    console.log(
      `PostgreSQL (replicas, read-only):     ${cluster.url('postgres').replace(`:${cluster.state.haproxy.primaryPort}/`, `:${cluster.state.haproxy.replicaPort}/`)}`,
    );
    console.log(`etcd: ${cluster.state.etcd.map((m) => `http://127.0.0.1:${m.clientPort}`).join(',')}`);
    console.log(`HAProxy stats: http://127.0.0.1:${cluster.state.haproxy.statsPort}/`);
    console.log(`state: ${stateDir} (npm run cluster -- status | down)`);
    console.log('');
    printStatus(await cluster.status());
    break;
  }
  case 'status': {
    if (readClusterState(stateDir) === null) {
      console.log(`no cluster in ${stateDir} (npm run cluster -- up)`);
      process.exitCode = 1;
      break;
    }
    const cluster = await openPostgresCluster({ stateDir });
    printStatus(await cluster.status());
    break;
  }
  case 'down': {
    if (readClusterState(stateDir) !== null) {
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
