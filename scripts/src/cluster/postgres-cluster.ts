// A PostgreSQL that survives losing its leader, on loopback: three etcd members (the consensus store),
// two or three PostgreSQL 15 nodes each run by Patroni (which elects the leader through etcd, promotes a
// replica when the leader dies and rejoins the old one with pg_rewind), and HAProxy, which sends every
// connection to whichever node answers 200 on Patroni's `GET /primary` health check, as Patroni
// documents for HAProxy. Replication is synchronous (Patroni's synchronous_mode): a commit the cloud
// saw is on the standby too, so promoting it loses no committed tap.
//
// Everything lives under one state directory: `cluster.json` (ports, passwords, pids), one directory
// per process with its configuration, data and log. The processes are detached, so a command can start
// the cluster and return; any later process can read the state and find, kill or stop them.
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pg from 'pg';
import {
  childrenOf,
  freeFixedPort,
  isAlive,
  killPids,
  logTail,
  startDaemon,
  stopPid,
  waitFor,
} from './daemons.ts';

export const ETCD_BIN = '/usr/bin/etcd';
export const PATRONI_BIN = '/usr/bin/patroni';
export const HAPROXY_BIN = '/usr/sbin/haproxy';
export const POSTGRES_BIN_DIR = '/usr/lib/postgresql/15/bin';

/** Why the cluster cannot run here, or null when it can. */
export function clusterMissingReason(): string | null {
  for (const path of [ETCD_BIN, PATRONI_BIN, HAPROXY_BIN, join(POSTGRES_BIN_DIR, 'postgres')]) {
    if (!existsSync(path)) return `${path} is not installed (scripts/install-system-deps.sh installs it)`;
  }
  return null;
}

/**
 * Patroni's timing. The leader key lives `ttl` seconds without renewal, so a dead leader is replaced
 * within about ttl + loop_wait; Patroni requires loop_wait + 2 × retry_timeout ≤ ttl.
 */
export const PATRONI_TTL_S = 10;
export const PATRONI_LOOP_WAIT_S = 1;
export const PATRONI_RETRY_TIMEOUT_S = 4;

interface EtcdMemberState {
  name: string;
  clientPort: number;
  peerPort: number;
  pid: number | null;
}

interface PostgresNodeState {
  name: string;
  port: number;
  restPort: number;
  pid: number | null;
}

export interface ClusterState {
  version: 1;
  /** Patroni's cluster name (its keys in etcd live under /redtap/<scope>/). */
  scope: string;
  createdAt: string;
  etcd: EtcdMemberState[];
  postgres: PostgresNodeState[];
  haproxy: { primaryPort: number; replicaPort: number; statsPort: number; pid: number | null };
  superuserPassword: string;
  replicationPassword: string;
}

export type MemberRole = 'leader' | 'sync_standby' | 'replica' | 'unknown';

export interface MemberStatus {
  name: string;
  kind: 'etcd' | 'postgres' | 'haproxy' | 'nats';
  /** host:port its clients use. */
  address: string;
  pid: number | null;
  running: boolean;
  /** PostgreSQL nodes: Patroni's view of the node's role; etcd: 'healthy'/'unhealthy'. */
  role: string;
  detail: string;
}

export interface ClusterOptions {
  stateDir: string;
  /** PostgreSQL nodes: 2 (the default) or 3. */
  nodes?: number;
  log?: (line: string) => void;
  /** Bound on each readiness wait. */
  startTimeoutMs?: number;
}

const STATE_FILE = 'cluster.json';
const STOP_TIMEOUT_MS = 20_000;
const PROBE_TIMEOUT_MS = 2_000;

function runsAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/** PostgreSQL refuses to run as root: as root, Patroni (and the postgres it starts) run as `postgres`. */
function postgresIds(): { uid: number; gid: number } | null {
  if (!runsAsRoot()) return null;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  const fields = line?.split(':');
  if (fields === undefined || fields.length < 4)
    throw new Error('running as root needs a `postgres` OS user');
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, body };
}

interface PatroniClusterView {
  members?: { name: string; role: string; state: string; lag?: number | string; timeline?: number }[];
}

export interface PostgresCluster {
  readonly stateDir: string;
  readonly state: ClusterState;
  /** A connection string through HAProxy to the leader (superuser). */
  url(database?: string): string;
  /** A connection string to one node directly, bypassing HAProxy. */
  nodeUrl(name: string, database?: string): string;
  /** Starts whatever is not running and waits until HAProxy reaches a leader with a synchronous standby. */
  start(): Promise<void>;
  /** Stops everything (Patroni shuts its PostgreSQL down cleanly); the data stays. */
  stop(): Promise<void>;
  /** Stops everything and deletes the state directory. */
  destroy(): Promise<void>;
  status(): Promise<MemberStatus[]>;
  /** The node Patroni reports as leader, or null while there is none. */
  leader(): Promise<string | null>;
  /** SIGKILL of the leader node: its Patroni, its postmaster and every backend, as if the host died. */
  killLeader(): Promise<{ name: string; killedAtMs: number }>;
  /** Waits until a node other than `except` is leader and HAProxy routes a writable session to it. */
  waitForLeader(options: { except?: string; timeoutMs: number }): Promise<{ name: string; atMs: number }>;
  /** Starts a stopped or killed node again; Patroni rejoins it as a replica (pg_rewind when needed). */
  restartNode(name: string, options: { timeoutMs: number }): Promise<void>;
}

function etcdArgs(state: ClusterState, member: EtcdMemberState, dataDir: string): string[] {
  const peers = state.etcd.map((m) => `${m.name}=http://127.0.0.1:${m.peerPort}`).join(',');
  return [
    '--name',
    member.name,
    '--data-dir',
    dataDir,
    '--listen-client-urls',
    `http://127.0.0.1:${member.clientPort}`,
    '--advertise-client-urls',
    `http://127.0.0.1:${member.clientPort}`,
    '--listen-peer-urls',
    `http://127.0.0.1:${member.peerPort}`,
    '--initial-advertise-peer-urls',
    `http://127.0.0.1:${member.peerPort}`,
    '--initial-cluster',
    peers,
    '--initial-cluster-token',
    state.scope,
    '--initial-cluster-state',
    'new',
    // A loaded machine is slow to answer heartbeats; the defaults (100 ms / 1 s) would flap the leader.
    '--heartbeat-interval',
    '250',
    '--election-timeout',
    '2500',
  ];
}

/** Patroni's configuration (JSON is YAML). */
function patroniConfig(state: ClusterState, node: PostgresNodeState, nodeDir: string): unknown {
  return {
    scope: state.scope,
    namespace: '/redtap/',
    name: node.name,
    log: { level: 'INFO' },
    restapi: {
      listen: `127.0.0.1:${node.restPort}`,
      connect_address: `127.0.0.1:${node.restPort}`,
    },
    etcd3: { hosts: state.etcd.map((m) => `127.0.0.1:${m.clientPort}`) },
    bootstrap: {
      dcs: {
        ttl: PATRONI_TTL_S,
        loop_wait: PATRONI_LOOP_WAIT_S,
        retry_timeout: PATRONI_RETRY_TIMEOUT_S,
        maximum_lag_on_failover: 1_048_576,
        // A commit waits for the synchronous standby, and only that standby may be promoted: a failover
        // never loses a transaction the cloud saw commit.
        synchronous_mode: true,
        postgresql: {
          use_pg_rewind: true,
          use_slots: true,
          parameters: {
            max_connections: 200,
            wal_level: 'replica',
            hot_standby: 'on',
            wal_log_hints: 'on',
            max_wal_senders: 10,
            max_replication_slots: 10,
            wal_keep_size: '256MB',
            shared_buffers: '64MB',
          },
        },
      },
      initdb: [{ encoding: 'UTF8' }, { locale: 'C' }, 'data-checksums'],
    },
    postgresql: {
      listen: `127.0.0.1:${node.port}`,
      connect_address: `127.0.0.1:${node.port}`,
      data_dir: join(nodeDir, 'data'),
      bin_dir: POSTGRES_BIN_DIR,
      pgpass: join(nodeDir, 'pgpass'),
      authentication: {
        superuser: { username: 'postgres', password: state.superuserPassword },
        replication: { username: 'replicator', password: state.replicationPassword },
        rewind: { username: 'postgres', password: state.superuserPassword },
      },
      parameters: { unix_socket_directories: nodeDir, logging_collector: 'off' },
      pg_hba: [
        'local all all trust',
        'host replication replicator 127.0.0.1/32 scram-sha-256',
        'host all all 127.0.0.1/32 scram-sha-256',
      ],
    },
    tags: { nofailover: false, noloadbalance: false, clonefrom: false, nosync: false },
  };
}

/** HAProxy in front of the nodes, as in Patroni's haproxy.cfg: the leader on one port, replicas on another. */
function haproxyConfig(state: ClusterState): string {
  const servers = () =>
    state.postgres.map(
      (node) => `    server ${node.name} 127.0.0.1:${node.port} maxconn 200 check port ${node.restPort}`,
    );
  return [
    'global',
    '    maxconn 1000',
    'defaults',
    '    mode tcp',
    '    retries 2',
    '    timeout client 30m',
    '    timeout connect 4s',
    '    timeout server 30m',
    '    timeout check 2s',
    'listen stats',
    '    mode http',
    `    bind 127.0.0.1:${state.haproxy.statsPort}`,
    '    stats enable',
    '    stats uri /',
    'listen primary',
    `    bind 127.0.0.1:${state.haproxy.primaryPort}`,
    '    option httpchk OPTIONS /primary',
    '    http-check expect status 200',
    // Checked every second, down after two failures: a dead or demoted leader stops getting sessions
    // within about 2 s, and the sessions it still had are cut so clients re-dial.
    '    default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions',
    ...servers(),
    'listen replicas',
    `    bind 127.0.0.1:${state.haproxy.replicaPort}`,
    '    balance roundrobin',
    '    option httpchk OPTIONS /replica',
    '    http-check expect status 200',
    '    default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions',
    ...servers(),
    '',
  ].join('\n');
}

async function newState(nodes: number): Promise<ClusterState> {
  const taken = new Set<number>();
  const port = () => freeFixedPort(taken);
  const etcd: EtcdMemberState[] = [];
  for (let i = 1; i <= 3; i++)
    etcd.push({ name: `etcd${i}`, clientPort: await port(), peerPort: await port(), pid: null });
  const postgres: PostgresNodeState[] = [];
  for (let i = 1; i <= nodes; i++)
    postgres.push({ name: `pg${i}`, port: await port(), restPort: await port(), pid: null });
  return {
    version: 1,
    scope: `redtap-${randomBytes(4).toString('hex')}`,
    createdAt: new Date().toISOString(),
    etcd,
    postgres,
    haproxy: { primaryPort: await port(), replicaPort: await port(), statsPort: await port(), pid: null },
    superuserPassword: randomBytes(12).toString('hex'),
    replicationPassword: randomBytes(12).toString('hex'),
  };
}

/** The cluster whose state is in `stateDir`, or null when there is none. */
export function readClusterState(stateDir: string): ClusterState | null {
  const file = join(stateDir, STATE_FILE);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as ClusterState;
}

/**
 * Opens the cluster in `stateDir`, writing a new one's configuration when there is none (nothing is
 * started: call `start()`).
 */
export async function openPostgresCluster(options: ClusterOptions): Promise<PostgresCluster> {
  const stateDir = resolve(options.stateDir);
  const log = options.log ?? (() => undefined);
  const startTimeoutMs = options.startTimeoutMs ?? 90_000;
  const nodes = options.nodes ?? 2;
  if (nodes < 2 || nodes > 3) throw new Error('the cluster has 2 or 3 PostgreSQL nodes');
  await mkdir(stateDir, { recursive: true });
  const state = readClusterState(stateDir) ?? (await newState(nodes));
  const ids = postgresIds();
  const dirOf = (name: string) => join(stateDir, name);
  const save = () =>
    writeFile(join(stateDir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  const nodeState = (name: string) => {
    const node = state.postgres.find((n) => n.name === name);
    if (node === undefined) throw new Error(`no PostgreSQL node ${name}`);
    return node;
  };

  async function writeConfigs(): Promise<void> {
    for (const member of state.etcd) await mkdir(dirOf(member.name), { recursive: true });
    for (const node of state.postgres) {
      const dir = dirOf(node.name);
      await mkdir(dir, { recursive: true });
      const file = join(dir, 'patroni.yml');
      await writeFile(file, `${JSON.stringify(patroniConfig(state, node, dir), null, 2)}\n`, { mode: 0o600 });
      if (ids !== null) {
        chownSync(dir, ids.uid, ids.gid);
        chownSync(file, ids.uid, ids.gid);
      }
      await chmod(dir, 0o700);
    }
    await mkdir(dirOf('haproxy'), { recursive: true });
    await writeFile(join(dirOf('haproxy'), 'haproxy.cfg'), haproxyConfig(state));
    await save();
  }

  const url = (database = 'postgres') =>
    `postgres://postgres:${state.superuserPassword}@127.0.0.1:${state.haproxy.primaryPort}/${database}`;
  const nodeUrl = (name: string, database = 'postgres') =>
    `postgres://postgres:${state.superuserPassword}@127.0.0.1:${nodeState(name).port}/${database}`;

  async function patroniView(): Promise<PatroniClusterView | null> {
    // Patroni's /cluster reply, read as far as this file needs it.
    for (const node of state.postgres) {
      try {
        const { status, body } = await getJson(`http://127.0.0.1:${node.restPort}/cluster`);
        if (status === 200 && typeof body === 'object' && body !== null) return body;
      } catch {
        // Try the next node.
      }
    }
    return null;
  }

  async function leader(): Promise<string | null> {
    const view = await patroniView();
    const member = view?.members?.find((m) => m.role === 'leader' && m.state === 'running');
    return member?.name ?? null;
  }

  /** Whether a session through HAProxy is writable, and on which node it landed. */
  async function writablePort(): Promise<number | null> {
    const client = new pg.Client({ connectionString: url(), connectionTimeoutMillis: PROBE_TIMEOUT_MS });
    try {
      await client.connect();
      const { rows } = await client.query<{ recovery: boolean; port: number }>(
        `select pg_is_in_recovery() as recovery, current_setting('port')::int as port`,
      );
      const row = rows[0];
      return row !== undefined && !row.recovery ? row.port : null;
    } catch {
      return null;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  function startEtcd(member: EtcdMemberState): void {
    member.pid = startDaemon({
      name: member.name,
      command: ETCD_BIN,
      args: etcdArgs(state, member, join(dirOf(member.name), 'data')),
      logFile: join(dirOf(member.name), 'etcd.log'),
    });
  }

  function startPatroni(node: PostgresNodeState): void {
    const dir = dirOf(node.name);
    const config = join(dir, 'patroni.yml');
    const env = { ...process.env, HOME: dir, PGPASSFILE: join(dir, 'pgpass') };
    node.pid = startDaemon(
      ids === null
        ? {
            name: node.name,
            command: PATRONI_BIN,
            args: [config],
            logFile: join(dir, 'patroni.log'),
            cwd: dir,
            env,
          }
        : {
            name: node.name,
            // setpriv execs: the pid stays Patroni's, so it can be signalled directly.
            command: 'setpriv',
            args: [`--reuid=${ids.uid}`, `--regid=${ids.gid}`, '--init-groups', '--', PATRONI_BIN, config],
            logFile: join(dir, 'patroni.log'),
            cwd: dir,
            env: { ...env, USER: 'postgres', LOGNAME: 'postgres' },
          },
    );
  }

  const running = (pid: number | null) => pid !== null && isAlive(pid);
  const exited = (pid: number | null) => (running(pid) ? null : `its process (pid ${String(pid)}) exited`);

  async function nodeRunning(node: PostgresNodeState): Promise<string | null> {
    const { status, body } = await getJson(`http://127.0.0.1:${node.restPort}/patroni`);
    const view = body as { state?: string; role?: string };
    return status === 200 && view.state === 'running' ? (view.role ?? 'unknown') : null;
  }

  async function start(): Promise<void> {
    const reason = clusterMissingReason();
    if (reason !== null) throw new Error(reason);
    await writeConfigs();
    const started = Date.now();
    for (const member of state.etcd) if (!running(member.pid)) startEtcd(member);
    await save();
    await Promise.all(
      state.etcd.map((member) =>
        waitFor(
          `${member.name} healthy`,
          async () => {
            const { body } = await getJson(`http://127.0.0.1:${member.clientPort}/health`);
            return (body as { health?: string }).health === 'true';
          },
          {
            timeoutMs: startTimeoutMs,
            detail: () => logTail(join(dirOf(member.name), 'etcd.log')),
            gone: () => exited(member.pid),
          },
        ),
      ),
    );
    log(`etcd: 3 members healthy (${Date.now() - started} ms)`);
    // One node at a time: the first bootstraps (initdb) and leads, the others clone it.
    for (const node of state.postgres) {
      if (!running(node.pid)) startPatroni(node);
      await save();
      await waitFor(`${node.name} running under Patroni`, () => nodeRunning(node), {
        timeoutMs: startTimeoutMs,
        intervalMs: 500,
        detail: () => logTail(join(dirOf(node.name), 'patroni.log')),
        gone: () => exited(node.pid),
      });
      log(`${node.name}: running (${Date.now() - started} ms)`);
    }
    await waitFor(
      'a leader with a synchronous standby',
      async () => {
        const members = (await patroniView())?.members ?? [];
        return members.some((m) => m.role === 'leader') && members.some((m) => m.role === 'sync_standby');
      },
      { timeoutMs: startTimeoutMs, intervalMs: 500 },
    );
    if (!running(state.haproxy.pid)) {
      state.haproxy.pid = startDaemon({
        name: 'haproxy',
        command: HAPROXY_BIN,
        args: ['-db', '-f', join(dirOf('haproxy'), 'haproxy.cfg')],
        logFile: join(dirOf('haproxy'), 'haproxy.log'),
      });
      await save();
    }
    await waitFor('HAProxy routing to the leader', writablePort, {
      timeoutMs: startTimeoutMs,
      intervalMs: 500,
      detail: () => logTail(join(dirOf('haproxy'), 'haproxy.log')),
      gone: () => exited(state.haproxy.pid),
    });
    log(`haproxy: routing to the leader (${Date.now() - started} ms)`);
  }

  async function stop(): Promise<void> {
    if (state.haproxy.pid !== null) await stopPid(state.haproxy.pid, STOP_TIMEOUT_MS);
    state.haproxy.pid = null;
    // Replicas first, so the leader is not failed over while the cluster goes down.
    const leaderName = await leader().catch(() => null);
    const order = [...state.postgres].sort(
      (a, b) => Number(a.name === leaderName) - Number(b.name === leaderName),
    );
    for (const node of order) {
      if (node.pid !== null) await stopPid(node.pid, STOP_TIMEOUT_MS);
      // A postmaster left behind by a killed Patroni is stopped too.
      const postmaster = postmasterPid(node);
      if (postmaster !== null) await stopPid(postmaster, STOP_TIMEOUT_MS);
      node.pid = null;
    }
    await Promise.all(
      state.etcd.map(async (member) => {
        if (member.pid !== null) await stopPid(member.pid, STOP_TIMEOUT_MS);
        member.pid = null;
      }),
    );
    await save();
  }

  function postmasterPid(node: PostgresNodeState): number | null {
    try {
      const pid = Number(
        readFileSync(join(dirOf(node.name), 'data', 'postmaster.pid'), 'utf8').split('\n')[0],
      );
      return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
    } catch {
      return null;
    }
  }

  async function status(): Promise<MemberStatus[]> {
    const out: MemberStatus[] = [];
    for (const member of state.etcd) {
      let healthy: boolean;
      try {
        const { body } = await getJson(`http://127.0.0.1:${member.clientPort}/health`);
        healthy = (body as { health?: string }).health === 'true';
      } catch {
        healthy = false;
      }
      out.push({
        name: member.name,
        kind: 'etcd',
        address: `127.0.0.1:${member.clientPort}`,
        pid: member.pid,
        running: running(member.pid),
        role: healthy ? 'healthy' : 'unhealthy',
        detail: `peer 127.0.0.1:${member.peerPort}`,
      });
    }
    const view = await patroniView();
    for (const node of state.postgres) {
      const member = view?.members?.find((m) => m.name === node.name);
      out.push({
        name: node.name,
        kind: 'postgres',
        address: `127.0.0.1:${node.port}`,
        pid: node.pid,
        running: running(node.pid),
        role: member?.role ?? 'unknown',
        detail:
          member === undefined
            ? `Patroni REST 127.0.0.1:${node.restPort}: not in the cluster view`
            : `${member.state}, timeline ${String(member.timeline ?? '?')}, lag ${String(member.lag ?? 0)}, REST 127.0.0.1:${node.restPort}`,
      });
    }
    const port = running(state.haproxy.pid) ? await writablePort() : null;
    const routed = state.postgres.find((node) => node.port === port)?.name;
    out.push({
      name: 'haproxy',
      kind: 'haproxy',
      address: `127.0.0.1:${state.haproxy.primaryPort}`,
      pid: state.haproxy.pid,
      running: running(state.haproxy.pid),
      role: routed === undefined ? 'no writable leader' : `primary → ${routed}`,
      detail: `replicas 127.0.0.1:${state.haproxy.replicaPort}, stats http://127.0.0.1:${state.haproxy.statsPort}/`,
    });
    return out;
  }

  async function killLeader(): Promise<{ name: string; killedAtMs: number }> {
    const name = await leader();
    if (name === null) throw new Error('no leader to kill');
    const node = nodeState(name);
    const postmaster = postmasterPid(node);
    const victims = [...(node.pid === null ? [] : [node.pid])];
    if (postmaster !== null) victims.push(postmaster, ...(await childrenOf(postmaster)));
    killPids(victims);
    const killedAtMs = Date.now();
    node.pid = null;
    await save();
    log(
      `killed ${name} (SIGKILL to Patroni, the postmaster and ${Math.max(0, victims.length - 2)} backends)`,
    );
    return { name, killedAtMs };
  }

  async function waitForLeader(options: { except?: string; timeoutMs: number }) {
    const name = await waitFor(
      `a new leader (not ${options.except ?? '-'}) reachable through HAProxy`,
      async () => {
        const current = await leader();
        if (current === null || current === options.except) return null;
        const port = await writablePort();
        return port === nodeState(current).port ? current : null;
      },
      { timeoutMs: options.timeoutMs, intervalMs: 100 },
    );
    return { name, atMs: Date.now() };
  }

  async function restartNode(name: string, restart: { timeoutMs: number }): Promise<void> {
    const node = nodeState(name);
    if (running(node.pid)) return;
    startPatroni(node);
    await save();
    await waitFor(`${name} rejoined`, () => nodeRunning(node), {
      timeoutMs: restart.timeoutMs,
      intervalMs: 500,
      detail: () => logTail(join(dirOf(name), 'patroni.log')),
      gone: () => exited(node.pid),
    });
  }

  return {
    stateDir,
    state,
    url,
    nodeUrl,
    start,
    stop,
    async destroy() {
      await stop();
      await rm(stateDir, { recursive: true, force: true });
    },
    status,
    leader,
    killLeader,
    waitForLeader,
    restartNode,
  };
}

/** Reads a log of the cluster for a failure message. */
export async function clusterLog(stateDir: string, member: string): Promise<string> {
  const file = ['patroni.log', 'etcd.log', 'haproxy.log']
    .map((name) => join(stateDir, member, name))
    .find((path) => existsSync(path));
  return file === undefined ? '' : (await readFile(file, 'utf8')).slice(-8_000);
}
