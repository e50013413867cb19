// Starts a private NATS cluster on loopback (nats-server 2.9): every node with a client port, cluster
// routes to the others, an MQTT listener, its own JetStream store and JWT resolver directory, and an HTTP
// monitor port whose /healthz and /routez tell when it is ready. Decentralized auth (operator mode, see
// src/broker/nats-auth.ts) so screens get per-screen credentials without a restart. Used by the broker
// tests, and exported for scripts (`npm run cluster`, chaos) as `@redtap/cloud/testing/nats`.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNatsAuth, type NatsAuthSetup } from '../../src/broker/nats-auth.ts';
import { freePort } from './mosquitto.ts';

export const NATS_SERVER_BIN = '/usr/sbin/nats-server';

/** Why nats-server cannot run here, or null when it can. */
export function natsMissingReason(): string | null {
  return existsSync(NATS_SERVER_BIN) ? null : `${NATS_SERVER_BIN} is not installed`;
}

export interface NatsNodePorts {
  client: number;
  cluster: number;
  mqtt: number;
  monitor: number;
}

export interface NatsNode {
  readonly name: string;
  readonly ports: NatsNodePorts;
  /** `nats://127.0.0.1:port` */
  readonly natsUrl: string;
  /** `mqtt://127.0.0.1:port` */
  readonly mqttUrl: string;
  running(): boolean;
  /** The node's process id while it runs (memory, file limits). */
  pid(): number | undefined;
  /** SIGKILL (a crash); resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM, SIGKILL after the bound. */
  stop(): Promise<void>;
  /** Starts the node again on the same ports and store, and waits until it is healthy. */
  restart(): Promise<void>;
  /** The node's log so far (bounded). */
  log(): string;
}

export interface NatsCluster {
  readonly nodes: NatsNode[];
  readonly natsUrls: string[];
  readonly mqttUrls: string[];
  readonly auth: NatsAuthSetup;
  readonly dir: string;
  /** Stops every node and removes the temp dir (unless `keepDir` was given). */
  stop(): Promise<void>;
}

export interface LaunchNatsOptions {
  nodes?: number;
  /** Base directory (configs, stores); a fresh temp dir by default, removed at stop. */
  dir?: string;
  /** Existing auth (e.g. kept by a long-running cluster); a fresh operator by default. */
  auth?: NatsAuthSetup;
  /** Fixed ports per node instead of free ones (e.g. `npm run cluster`). */
  ports?: NatsNodePorts[];
  clusterName?: string;
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
  onLog?: (node: string, chunk: Buffer) => void;
}

function nodeConfig(options: {
  name: string;
  clusterName: string;
  ports: NatsNodePorts;
  routes: number[];
  replicas: number;
  dir: string;
  auth: NatsAuthSetup;
}): string {
  const { auth, ports } = options;
  return [
    `server_name: ${options.name}`,
    `listen: "127.0.0.1:${ports.client}"`,
    `http: "127.0.0.1:${ports.monitor}"`,
    `jetstream { store_dir: "${join(options.dir, 'jetstream')}" }`,
    'cluster {',
    `  name: ${options.clusterName}`,
    `  listen: "127.0.0.1:${ports.cluster}"`,
    `  routes: [${options.routes.map((port) => `"nats-route://127.0.0.1:${port}"`).join(', ')}]`,
    '}',
    // Retained messages, sessions and QoS 1 state live in JetStream streams replicated across the nodes.
    // Explicit: otherwise the first MQTT login sizes them by the JetStream peers known at that moment, and
    // a stream made while one node was still joining has no quorum once another node is lost.
    'mqtt {',
    `  listen: "127.0.0.1:${ports.mqtt}"`,
    `  stream_replicas: ${options.replicas}`,
    '}',
    `operator: "${auth.operatorJwt}"`,
    `system_account: ${auth.systemAccountPublicKey}`,
    // A full resolver keeps pushed account JWTs (revocations) on disk and syncs them between nodes.
    'resolver {',
    '  type: full',
    `  dir: "${join(options.dir, 'jwt')}"`,
    '  allow_delete: false',
    '  interval: "2m"',
    '}',
    'resolver_preload {',
    `  ${auth.systemAccountPublicKey}: "${auth.systemAccountJwt}"`,
    `  ${auth.accountPublicKey}: "${auth.accountJwt}"`,
    '}',
    '',
  ].join('\n');
}

async function fetchJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

/** Resolves when the node answers /healthz ok and routes to all its peers, polling within `timeoutMs`. */
async function waitReady(node: NatsNode, peers: number, timeoutMs: number, exited: () => boolean) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`nats node ${node.name} exited while starting:\n${node.log()}`);
    try {
      const health = (await fetchJson(`http://127.0.0.1:${node.ports.monitor}/healthz`)) as {
        status?: string;
      };
      const routes = (await fetchJson(`http://127.0.0.1:${node.ports.monitor}/routez`)) as {
        num_routes?: number;
      };
      const jsz = (await fetchJson(`http://127.0.0.1:${node.ports.monitor}/jsz`)) as {
        meta_cluster?: { leader?: string; cluster_size?: number };
      };
      const meta = jsz.meta_cluster;
      const metaReady = peers === 0 || (meta?.leader !== undefined && (meta.cluster_size ?? 0) >= peers + 1);
      if (health.status === 'ok' && (routes.num_routes ?? 0) >= peers && metaReady) return;
      last = `healthz ${JSON.stringify(health)}, routes ${routes.num_routes ?? 0}/${peers}, meta ${JSON.stringify(meta)}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nats node ${node.name} not ready within ${timeoutMs} ms (${last}):\n${node.log()}`);
}

export async function launchNatsCluster(options: LaunchNatsOptions = {}): Promise<NatsCluster> {
  const count = options.nodes ?? 3;
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 5_000;
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'redtap-nats-')));
  const auth = options.auth ?? (await createNatsAuth());
  const ports: NatsNodePorts[] = [];
  for (let i = 0; i < count; i++) {
    ports.push(
      options.ports?.[i] ?? {
        client: await freePort(),
        cluster: await freePort(),
        mqtt: await freePort(),
        monitor: await freePort(),
      },
    );
  }

  const nodes: NatsNode[] = [];
  const children: (ChildProcess | null)[] = [];
  const spawners: (() => ChildProcess)[] = [];
  for (let i = 0; i < count; i++) {
    const name = `n${i + 1}`;
    const nodeDir = join(dir, name);
    await mkdir(nodeDir, { recursive: true });
    const confFile = join(nodeDir, 'nats.conf');
    await writeFile(
      confFile,
      nodeConfig({
        name,
        clusterName: options.clusterName ?? 'redtap',
        ports: ports[i]!,
        routes: ports.filter((_p, j) => j !== i).map((p) => p.cluster),
        replicas: Math.min(count, 3),
        dir: nodeDir,
        auth,
      }),
    );
    const logChunks: string[] = [];
    let logLength = 0;
    children.push(null);
    const spawnNode = (): ChildProcess => {
      const child = spawn(NATS_SERVER_BIN, ['-c', confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
      const onData = (chunk: Buffer) => {
        options.onLog?.(name, chunk);
        if (logLength < 256_000) {
          logChunks.push(chunk.toString('utf8'));
          logLength += chunk.length;
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      children[i] = child;
      return child;
    };
    spawners.push(spawnNode);
    const alive = () => {
      const child = children[i];
      return child !== null && child !== undefined && child.exitCode === null && child.signalCode === null;
    };
    const signal = async (sig: NodeJS.Signals): Promise<void> => {
      const child = children[i];
      if (child === null || child === undefined || !alive()) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(sig);
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      await exited;
      clearTimeout(timer);
    };
    const node: NatsNode = {
      name,
      ports: ports[i]!,
      natsUrl: `nats://127.0.0.1:${ports[i]!.client}`,
      mqttUrl: `mqtt://127.0.0.1:${ports[i]!.mqtt}`,
      running: alive,
      pid: () => (alive() ? (children[i]?.pid ?? undefined) : undefined),
      kill: () => signal('SIGKILL'),
      stop: () => signal('SIGTERM'),
      async restart() {
        await signal('SIGTERM');
        spawnNode();
        await waitReady(node, count - 1, startTimeoutMs, () => !alive());
      },
      log: () => logChunks.join(''),
    };
    nodes.push(node);
  }

  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop()));
    if (ownDir) await rm(dir, { recursive: true, force: true });
  };
  // Spawned together: each waits for routes to the others.
  for (const spawnNode of spawners) spawnNode();
  try {
    await Promise.all(
      nodes.map((node) => {
        if (!node.running()) throw new Error(`nats node ${node.name} is not running:\n${node.log()}`);
        return waitReady(node, count - 1, startTimeoutMs, () => !node.running());
      }),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    nodes,
    natsUrls: nodes.map((node) => node.natsUrl),
    mqttUrls: nodes.map((node) => node.mqttUrl),
    auth,
    dir,
    stop,
  };
}
