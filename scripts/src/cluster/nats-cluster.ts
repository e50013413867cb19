// The broker half of `npm run cluster`: three nats-server nodes with JetStream and MQTT, configured by
// the cloud's own launcher (`launchNatsCluster`, @redtap/cloud/testing/nats), then run detached like the
// PostgreSQL cluster's processes so the command can return and a later `down` can stop them by pid.
// The ports and the operator/account keys are kept in `<state>/nats/nats.json` (mode 0600), so the next
// `up` brings back the same cluster with its streams.
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launchNatsCluster, NATS_SERVER_BIN, type NatsNodePorts } from '@redtap/cloud/testing/nats';
import { isAlive, logTail, startDaemon, stopPid, waitFor } from './daemons.ts';

type NatsAuth = Awaited<ReturnType<typeof launchNatsCluster>>['auth'];

interface NatsState {
  ports: NatsNodePorts[];
  auth: NatsAuth;
  pids: (number | null)[];
}

export interface DetachedNats {
  natsUrls: string[];
  mqttUrls: string[];
  /** What the cloud needs to run on this cluster (`BROKER=nats` and the NATS_* variables). */
  env: Record<string, string>;
}

const STOP_TIMEOUT_MS = 10_000;
const nodeName = (index: number) => `n${index + 1}`;

function readState(dir: string): NatsState | null {
  const file = join(dir, 'nats.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as NatsState) : null;
}

function describe(state: NatsState): DetachedNats {
  const natsUrls = state.ports.map((p) => `nats://127.0.0.1:${p.client}`);
  const mqttUrls = state.ports.map((p) => `mqtt://127.0.0.1:${p.mqtt}`);
  return {
    natsUrls,
    mqttUrls,
    env: {
      BROKER: 'nats',
      NATS_SERVERS: natsUrls.join(','),
      NATS_MQTT_SERVERS: mqttUrls.join(','),
      NATS_OPERATOR_SEED: state.auth.operatorSeed,
      NATS_ACCOUNT_SEED: state.auth.accountSeed,
      NATS_SYSTEM_ACCOUNT_SEED: state.auth.systemAccountSeed,
    },
  };
}

async function healthy(ports: NatsNodePorts, peers: number): Promise<boolean> {
  const get = async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${ports.monitor}${path}`, {
      signal: AbortSignal.timeout(2_000),
    });
    return (await response.json()) as { status?: string; num_routes?: number };
  };
  return (await get('/healthz')).status === 'ok' && ((await get('/routez')).num_routes ?? 0) >= peers;
}

/** Starts the three nodes (or brings back stopped ones) under `<stateDir>/nats` and waits until they route. */
export async function startNats(
  stateDir: string,
  options: { startTimeoutMs: number; log: (line: string) => void },
): Promise<DetachedNats> {
  const dir = join(stateDir, 'nats');
  const previous = readState(dir);
  if (previous !== null && previous.pids.every((pid) => pid !== null && isAlive(pid)))
    return describe(previous);
  for (const pid of previous?.pids ?? []) if (pid !== null) await stopPid(pid, STOP_TIMEOUT_MS);
  const started = Date.now();
  // The cloud's launcher writes each node's configuration and proves it starts; its processes are tied
  // to this one, so they are stopped and the same configurations run detached instead.
  const launched = await launchNatsCluster({
    dir,
    nodes: 3,
    ...(previous === null ? {} : { ports: previous.ports, auth: previous.auth }),
    startTimeoutMs: options.startTimeoutMs,
  });
  await launched.stop();
  const state: NatsState = {
    ports: launched.nodes.map((node) => node.ports),
    auth: launched.auth,
    pids: launched.nodes.map((_node, index) =>
      startDaemon({
        name: nodeName(index),
        command: NATS_SERVER_BIN,
        args: ['-c', join(dir, nodeName(index), 'nats.conf')],
        logFile: join(dir, nodeName(index), 'nats.log'),
      }),
    ),
  };
  await writeFile(join(dir, 'nats.json'), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await Promise.all(
    state.ports.map((ports, index) =>
      waitFor(`nats ${nodeName(index)} healthy with routes`, () => healthy(ports, state.ports.length - 1), {
        timeoutMs: options.startTimeoutMs,
        detail: () => logTail(join(dir, nodeName(index), 'nats.log')),
      }),
    ),
  );
  options.log(`nats: 3 nodes routing, JetStream and MQTT up (${Date.now() - started} ms)`);
  return describe(state);
}

export async function stopNats(stateDir: string): Promise<void> {
  const dir = join(stateDir, 'nats');
  const state = readState(dir);
  if (state === null) return;
  await Promise.all(state.pids.flatMap((pid) => (pid === null ? [] : [stopPid(pid, STOP_TIMEOUT_MS)])));
  state.pids = state.pids.map(() => null);
  await writeFile(join(dir, 'nats.json'), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export async function natsStatus(
  stateDir: string,
): Promise<
  { name: string; address: string; pid: number | null; running: boolean; role: string; detail: string }[]
> {
  const state = readState(join(stateDir, 'nats'));
  if (state === null) return [];
  return Promise.all(
    state.ports.map(async (ports, index) => {
      const pid = state.pids[index] ?? null;
      const ok = await healthy(ports, state.ports.length - 1).catch(() => false);
      return {
        name: `nats ${nodeName(index)}`,
        address: `127.0.0.1:${ports.client}`,
        pid,
        running: pid !== null && isAlive(pid),
        role: ok ? 'healthy, routed' : 'unhealthy',
        detail: `mqtt 127.0.0.1:${ports.mqtt}, monitor http://127.0.0.1:${ports.monitor}/`,
      };
    }),
  );
}
