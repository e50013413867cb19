// Sync test harness: a probe for the shared Mosquitto, a fake cloud ack responder, a bounded event
// waiter and a TCP proxy whose link can be cut and restored.
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import {
  allScreensTopic,
  decodeTapBatch,
  parseScreenTopic,
  screenTopic,
  type Ack,
  type AckResult,
} from '@redtap/shared';
import { loadKioskTestEnv } from '../src/agent/env.ts';
import { tokenCounter } from './outbox-fixtures.ts';

export const testEnv = loadKioskTestEnv();
const WAIT_MS = 15_000;

export function uniqueTopicRoot(): string {
  return `redtap-test/${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Whether the shared Mosquitto answers; under CI=true a missing broker fails instead of skipping. */
export async function mosquittoAvailable(url = testEnv.REDTAP_TEST_MQTT_URL): Promise<boolean> {
  const problem = await new Promise<string | null>((resolve) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 3_000, protocolVersion: 4 });
    client.once('connect', () => {
      client.end(true);
      resolve(null);
    });
    client.once('error', (error) => {
      client.end(true);
      resolve(error.message);
    });
    client.once('close', () => resolve('connection closed'));
  });
  if (problem === null) return true;
  const reason = `Mosquitto at ${url} is unreachable: ${problem}`;
  if (testEnv.CI) throw new Error(`${reason} (CI=true: not skipping)`);
  console.warn(`\n!!! SKIPPING Mosquitto sync tests: ${reason}\n`);
  return false;
}

/** Answers one tap; null = stay silent (as if the ack were lost). */
export type AckPolicy = (counter: number, timesSeen: number) => AckResult | null;

/**
 * Plays the cloud's ingest: decodes each batch by counter and acks it. Idempotent like the real one: the
 * first final answer for a counter is `credited`, later ones `duplicate`.
 */
export class FakeAckResponder {
  policy: AckPolicy = (counter, _seen) => ({ counter, status: 'credited', amountFen: 1 });
  readonly seen = new Map<number, number>();
  readonly credited = new Set<number>();
  batches = 0;
  private readonly waiters = new Set<() => void>();

  /** Builds the ack for one raw batch, or null to send nothing. */
  answer(payload: Uint8Array): Ack | null {
    const tokens = decodeTapBatch(payload);
    if (!tokens.ok) return null;
    this.batches++;
    const results: AckResult[] = [];
    for (const token of tokens.value) {
      const counter = tokenCounter(token);
      const times = (this.seen.get(counter) ?? 0) + 1;
      this.seen.set(counter, times);
      const result = this.policy(counter, times);
      if (result === null) continue;
      if (result.status === 'credited' && this.credited.has(counter)) {
        results.push({ ...result, status: 'duplicate' });
        continue;
      }
      if (result.status === 'credited') this.credited.add(counter);
      results.push(result);
    }
    for (const wake of this.waiters) wake();
    return results.length === 0 ? null : { results };
  }

  /** Resolves once `predicate` holds after some batch, within a bound. */
  async waitFor(predicate: () => boolean, what: string, timeoutMs = WAIT_MS): Promise<void> {
    if (predicate()) return;
    await new Promise<void>((resolve, reject) => {
      const wake = () => {
        if (!predicate()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      this.waiters.add(wake);
    });
  }
}

/** A privileged client on a broker that lets it see every screen (the shared Mosquitto is anonymous). */
export class BrokerSide {
  readonly client: MqttClient;
  readonly root: string;
  readonly events: { screenId: number; event: Record<string, unknown> }[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(client: MqttClient, root: string) {
    this.client = client;
    this.root = root;
  }

  static async connect(url: string, root: string, responder: FakeAckResponder): Promise<BrokerSide> {
    const client = mqtt.connect(url, {
      reconnectPeriod: 0,
      protocolVersion: 4,
      clientId: `cloud-${randomBytes(6).toString('hex')}`,
    });
    await within(new Promise((resolve) => client.once('connect', resolve)), 'the broker-side client');
    const side = new BrokerSide(client, root);
    client.on('message', (topic, payload) => {
      const parsed = parseScreenTopic(topic, root);
      if (parsed === null) return;
      if (parsed.kind === 'taps') {
        const ack = responder.answer(new Uint8Array(payload));
        if (ack !== null)
          client.publish(screenTopic(parsed.screenId, 'acks', root), JSON.stringify(ack), { qos: 1 });
      } else if (parsed.kind === 'events') {
        side.events.push({
          screenId: parsed.screenId,
          event: JSON.parse(payload.toString('utf8')) as Record<string, unknown>,
        });
        for (const wake of side.waiters) wake();
      }
    });
    await client.subscribeAsync([allScreensTopic('taps', root), allScreensTopic('events', root)], { qos: 1 });
    return side;
  }

  async publish(
    screenId: number,
    kind: 'acks' | 'decks' | 'config' | 'claimed',
    payload: Uint8Array | string,
    retain = false,
  ) {
    await this.client.publishAsync(screenTopic(screenId, kind, this.root), Buffer.from(payload), {
      qos: 1,
      retain,
    });
  }

  eventsOfType(type: string): Record<string, unknown>[] {
    return this.events.filter((entry) => entry.event.type === type).map((entry) => entry.event);
  }

  async waitForEvent(
    predicate: (event: Record<string, unknown>) => boolean,
    what: string,
    timeoutMs = WAIT_MS,
  ): Promise<Record<string, unknown>> {
    const find = () => this.events.find((entry) => predicate(entry.event))?.event;
    const found = find();
    if (found !== undefined) return found;
    return new Promise((resolve, reject) => {
      const wake = () => {
        const event = find();
        if (event === undefined) return;
        cleanup();
        resolve(event);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      this.waiters.add(wake);
    });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/** Collects values pushed by a callback and lets a test wait for one that matches, within a bound. */
export class Waiter<T> {
  readonly seen: T[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly keepMax: number;

  constructor(keepMax = 10_000) {
    this.keepMax = keepMax;
  }

  readonly push = (value: T): void => {
    this.seen.push(value);
    if (this.seen.length > this.keepMax) this.seen.shift();
    for (const wake of this.waiters) wake();
  };

  /** Waits for a value pushed after this call (or already seen, with `includeSeen`). */
  async next(
    predicate: (value: T) => boolean,
    what: string,
    options: { includeSeen?: boolean; timeoutMs?: number } = {},
  ): Promise<T> {
    if (options.includeSeen === true) {
      const found = this.seen.find(predicate);
      if (found !== undefined) return found;
    }
    const from = this.seen.length;
    return new Promise<T>((resolve, reject) => {
      let checked = from;
      const wake = () => {
        for (; checked < this.seen.length; checked++) {
          const value = this.seen[checked];
          if (value !== undefined && predicate(value)) {
            cleanup();
            resolve(value);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${what}`));
      }, options.timeoutMs ?? WAIT_MS);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      this.waiters.add(wake);
    });
  }

  /** Waits until `condition` holds, re-checking after every pushed value. */
  async until(condition: () => boolean, what: string, timeoutMs = WAIT_MS): Promise<void> {
    if (condition()) return;
    await this.next(() => condition(), what, { timeoutMs });
  }
}

export function within<T>(promise: Promise<T>, what: string, timeoutMs = WAIT_MS): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** A loopback TCP proxy in front of a broker: `cut()` is a network outage, `restore()` heals it. */
export class TcpProxy {
  readonly port: number;
  private readonly target: { host: string; port: number };
  private server: Server | null;
  private readonly sockets = new Set<Socket>();

  private constructor(server: Server, port: number, target: { host: string; port: number }) {
    this.server = server;
    this.port = port;
    this.target = target;
  }

  static async start(targetUrl: string): Promise<TcpProxy> {
    const url = new URL(targetUrl);
    const target = { host: url.hostname, port: Number(url.port || 1883) };
    const holder: { proxy?: TcpProxy } = {};
    const server = createServer((socket) => holder.proxy?.accept(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address !== 'object') throw new Error('proxy has no address');
    const proxy = new TcpProxy(server, address.port, target);
    holder.proxy = proxy;
    return proxy;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Closes every connection and stops listening on the port. */
  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = null;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async restore(): Promise<void> {
    if (this.server !== null) return;
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  async close(): Promise<void> {
    await this.cut();
  }

  private accept(client: Socket): void {
    const upstream = netConnect(this.target.port, this.target.host);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
