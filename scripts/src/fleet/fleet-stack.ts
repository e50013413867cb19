// The real processes of a fleet run: the broker, either a private Mosquitto 2 with dynamic security,
// configured as an operator would for the fleet (connection limit, no per-connection log lines, a file
// descriptor limit above the fleet), or a private NATS cluster (JetStream and MQTT on every node, the
// cloud's own launcher), and the cloud as its own process (`redtap-cloud serve`) on it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createCloudAccount,
  freePort,
  launchMosquitto,
  mosquittoConfig,
  writeDynsecFile,
} from '@redtap/cloud/testing/mosquitto';
import { launchNatsCluster } from '@redtap/cloud/testing/nats';

const CLOUD_CLI = fileURLToPath(new URL('../../../cloud/src/cli.ts', import.meta.url));
const BROKER_START_TIMEOUT_MS = 20_000;
const CLOUD_START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;
const HEALTH_POLL_MS = 250;
/** Connections beyond the fleet: the cloud's own, the real kiosks, reconnects overlapping old sockets. */
const CONNECTION_HEADROOM = 1_000;

/** Resident memory of a process, from /proc (Linux); null when it cannot be read. */
export function rssBytes(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? null : Number(match[1]) * 1024;
  } catch {
    return null;
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

export type FleetBrokerEngine = 'mosquitto' | 'nats';

/** The broker of a fleet run, whichever engine: what the cloud is started with and what screens dial. */
export interface FleetBroker {
  engine: FleetBrokerEngine;
  /** For reports: `Mosquitto`, `NATS, 3 nodes`. */
  label: string;
  /** The MQTT listeners screens connect to, spread round-robin (one for Mosquitto, one per NATS node). */
  screenUrls: string[];
  /** The cloud's broker settings (docs/operations.md). */
  cloudEnv: Record<string, string>;
  /** The broker's processes (one per node); their RSS is summed. */
  pids(): number[];
  /** The lowest file descriptor limit among the broker's processes; null where it cannot be read. */
  fileLimit: number | null;
  stop(): Promise<void>;
  /** SIGKILL now, for an interrupted run. */
  kill(): void;
}

/** Resident memory of the broker: the sum over its processes; null when any cannot be read. */
export function brokerRssBytes(broker: FleetBroker): number | null {
  const sizes = broker.pids().map((pid) => rssBytes(pid));
  if (sizes.length === 0 || sizes.some((size) => size === null)) return null;
  return sizes.reduce((sum: number, size) => sum + (size ?? 0), 0);
}

/** A process's open-file limit from /proc; `fallback` where it cannot be read (not Linux). */
function fileLimitOf<T>(pid: number | undefined, fallback: T): number | T {
  try {
    const match = /^Max open files\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
    return match === null ? fallback : Number(match[1]);
  } catch {
    return fallback;
  }
}

export interface FleetBrokerOptions {
  engine: FleetBrokerEngine;
  /** NATS: nodes in the cluster. */
  natsNodes: number;
  dir: string;
  topicRoot: string;
  screens: number;
}

export function startFleetBroker(options: FleetBrokerOptions): Promise<FleetBroker> {
  return options.engine === 'nats' ? startNatsBroker(options) : startMosquittoBroker(options);
}

/**
 * The operator's settings for a fleet of `screens` (docs/scaling.md): every screen holds one connection,
 * so the listener takes them all with headroom, Mosquitto may open that many sockets (its RLIMIT_NOFILE is
 * raised in the shell that starts it; root may raise the hard limit too), and it logs no line per
 * connection. Sessions are clean (the kiosks' outbox is the truth), so nothing is persisted.
 */
export function fleetMosquittoSettings(screens: number): { lines: string[]; fileLimit: number } {
  const maxConnections = screens + CONNECTION_HEADROOM;
  return {
    fileLimit: Math.max(65_536, maxConnections * 2),
    lines: [
      `max_connections ${maxConnections}`,
      // No memory_limit: on Mosquitto 2.0.11 with dynamic security, any limit (1 GiB, 4 GiB) made the
      // broker reset every connection once a few screens had been provisioned (docs/scaling.md). The
      // broker's memory is bounded by the service manager instead (systemd MemoryMax).
      // A screen's QoS 1 backlog while it reconnects: a config, a deck or two and acks.
      'max_queued_messages 200',
      'connection_messages false',
    ],
  };
}

async function startMosquittoBroker(options: FleetBrokerOptions): Promise<FleetBroker> {
  const admin = await writeDynsecFile(options.dir, options.topicRoot);
  const port = await freePort();
  const confFile = join(options.dir, 'mosquitto.conf');
  const settings = fleetMosquittoSettings(options.screens);
  await writeFile(
    confFile,
    `${mosquittoConfig({ port, dynsecFile: admin.file })}# The fleet run's operator settings\n${settings.lines.join('\n')}\n`,
  );
  const log = createWriteStream(join(options.dir, 'mosquitto.log'), { flags: 'a' });
  const launched = await launchMosquitto({
    confFile,
    startTimeoutMs: BROKER_START_TIMEOUT_MS,
    stopTimeoutMs: STOP_TIMEOUT_MS,
    onLog: (chunk) => log.write(chunk),
    fileLimit: settings.fileLimit,
  });
  const { child } = launched;
  const username = 'redtap-cloud';
  const password = `fleet-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  try {
    await createCloudAccount({ port, admin, username, password, timeoutMs: BROKER_START_TIMEOUT_MS });
  } catch (error) {
    await launched.stop();
    throw error;
  }
  const url = `mqtt://127.0.0.1:${port}`;
  return {
    engine: 'mosquitto',
    label: 'Mosquitto',
    screenUrls: [url],
    cloudEnv: { MQTT_URL: url, MQTT_USERNAME: username, MQTT_PASSWORD: password, MQTT_PUBLIC_URL: url },
    pids: () => (child.pid === undefined ? [] : [child.pid]),
    fileLimit: fileLimitOf(child.pid, settings.fileLimit),
    stop: () => launched.stop(),
    kill: () => child.kill('SIGKILL'),
  };
}

/**
 * A private NATS cluster (the cloud's `launchNatsCluster`: routes, JetStream, an MQTT listener and a JWT
 * resolver on every node) under `<dir>/nats`, each node logging to `<dir>/nats/<node>.log`. Screens need
 * no broker provisioning here: their MQTT password is a JWT the cloud mints at enrolment. The nodes
 * inherit this process's open-file limit (Node raises its soft limit to the hard one).
 */
async function startNatsBroker(options: FleetBrokerOptions): Promise<FleetBroker> {
  const dir = join(options.dir, 'nats');
  const logs = new Map<string, WriteStream>();
  const cluster = await launchNatsCluster({
    dir,
    nodes: options.natsNodes,
    startTimeoutMs: BROKER_START_TIMEOUT_MS * 3,
    stopTimeoutMs: STOP_TIMEOUT_MS,
    onLog: (node, chunk) => {
      let log = logs.get(node);
      if (log === undefined) {
        log = createWriteStream(join(dir, `${node}.log`), { flags: 'a' });
        logs.set(node, log);
      }
      log.write(chunk);
    },
  });
  const pids = () => cluster.nodes.flatMap((node) => node.pid() ?? []);
  return {
    engine: 'nats',
    label: `NATS, ${cluster.nodes.length} nodes`,
    screenUrls: cluster.mqttUrls,
    cloudEnv: {
      BROKER: 'nats',
      NATS_SERVERS: cluster.natsUrls.join(','),
      NATS_MQTT_SERVERS: cluster.mqttUrls.join(','),
      NATS_OPERATOR_SEED: cluster.auth.operatorSeed,
      NATS_ACCOUNT_SEED: cluster.auth.accountSeed,
      NATS_SYSTEM_ACCOUNT_SEED: cluster.auth.systemAccountSeed,
    },
    pids,
    fileLimit: pids().reduce<number | null>((lowest, pid) => {
      const limit = fileLimitOf(pid, null);
      return limit === null ? lowest : Math.min(lowest ?? limit, limit);
    }, null),
    async stop() {
      await cluster.stop();
      for (const log of logs.values()) log.end();
    },
    kill: () => {
      for (const pid of pids()) process.kill(pid, 'SIGKILL');
    },
  };
}

export interface FleetCloud {
  httpUrl: string;
  pid: number | undefined;
  stop(): Promise<void>;
  /** SIGKILL now, for an interrupted run. */
  kill(): void;
}

/** `redtap-cloud serve` in its own process, with `env`, once it answers /healthz. */
export async function startFleetCloud(options: {
  env: Record<string, string>;
  logFile: string;
}): Promise<FleetCloud> {
  const port = await freePort();
  const httpUrl = `http://127.0.0.1:${port}`;
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', CLOUD_CLI, 'serve'], {
    env: { ...process.env, ...options.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const deadline = Date.now() + CLOUD_START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the cloud exited while starting (${options.logFile})`);
    const healthy = await fetch(`${httpUrl}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the cloud did not answer /healthz within ${CLOUD_START_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
  }
  return { httpUrl, pid: child.pid, stop: () => stopChild(child), kill: () => child.kill('SIGKILL') };
}
