// The screen's MQTT connection over mqtt.js (docs/protocol.md §5): logs in as `screen-{id}`, subscribes
// to its own down topics by exact name, routes their messages, and reconnects with jittered backoff on
// injected timers. It knows nothing of taps or decks; screen-sync decides what the messages mean.
// It also keeps the screen's presence (§5.6): every connection leaves `offline` as its will and says
// `online` once up, both with a connection number that rises with every connection, and a stop says
// `offline` before its DISCONNECT, which discards the will.
import { parseScreenTopic, screenTopic, type ScreenPresence, type ScreenTopicKind } from '@redtap/shared';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { StartTimer } from '../engine/tap-lease.ts';
import { backoffDelayMs } from './backoff.ts';

const CONNACK_BAD_CREDENTIALS = 4;
const CONNACK_NOT_AUTHORISED = 5;

export type DownKind = 'acks' | 'decks' | 'config' | 'claimed';
const DOWN_KINDS: readonly DownKind[] = ['acks', 'decks', 'config', 'claimed'];

export interface ScreenLinkLimits {
  connectTimeoutMs: number;
  keepaliveS: number;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  /** At stop: how long the `offline` presence, then the DISCONNECT, may each take. */
  stopStepTimeoutMs: number;
}

export const defaultScreenLinkLimits: ScreenLinkLimits = {
  connectTimeoutMs: 10_000,
  keepaliveS: 30,
  reconnectInitialMs: 1_000,
  reconnectMaxMs: 60_000,
  stopStepTimeoutMs: 1_000,
};

export interface ScreenLinkOptions {
  url: string;
  username: string;
  password: string;
  screenId: number;
  topicRoot: string;
  startTimer: StartTimer;
  random?: () => number;
  /**
   * Wall clock in ms, for the presence connection numbers: `max(now, last + 1)` at every connect, so they
   * rise within a process and, with the clock, across restarts.
   */
  nowMs?: () => number;
  /**
   * Persists a connection number: returns one at least `atLeast` and above every number claimed before
   * (the kiosk store's `claimPresenceSeq`), so a clock stepped back between runs cannot make a new
   * connection look older than the last one. Without it, numbers rise with the clock across restarts.
   */
  claimPresenceSeq?: (atLeast: number) => number;
  logger: Logger;
  limits?: Partial<ScreenLinkLimits>;
  onConnect: () => void;
  onDisconnect: () => void;
  /** The broker refused our login (bad credentials / not authorised): the cloud revoked this screen. */
  onLoginRefused?: () => void;
  onMessage: (kind: DownKind, payload: Buffer) => void;
}

export class ScreenLink {
  private readonly options: ScreenLinkOptions;
  private readonly limits: ScreenLinkLimits;
  private readonly random: () => number;
  private readonly nowMs: () => number;
  private client: MqttClient | null = null;
  private seq = 0;
  private up = false;
  private stopped = false;
  private failedAttempts = 0;
  private cancelReconnect: (() => void) | null = null;
  private readonly topics: Record<ScreenTopicKind, string>;

  constructor(options: ScreenLinkOptions) {
    this.options = options;
    this.limits = { ...defaultScreenLinkLimits, ...options.limits };
    this.random = options.random ?? Math.random;
    this.nowMs = options.nowMs ?? Date.now;
    const topic = (kind: ScreenTopicKind) => screenTopic(options.screenId, kind, options.topicRoot);
    this.topics = {
      taps: topic('taps'),
      events: topic('events'),
      presence: topic('presence'),
      acks: topic('acks'),
      decks: topic('decks'),
      config: topic('config'),
      claimed: topic('claimed'),
    };
  }

  get connected(): boolean {
    return this.up && this.client?.connected === true;
  }

  /** The connection number of the current (or last) connection attempt; 0 before the first. */
  get presenceSeq(): number {
    return this.seq;
  }

  start(): void {
    if (this.client !== null || this.stopped) return;
    const client = mqtt.connect(this.options.url, {
      will: this.nextWill(),
      clientId: this.options.username,
      username: this.options.username,
      password: this.options.password,
      // Correctness never rests on the broker's session (docs/protocol.md §5.2): the outbox resends.
      clean: true,
      // Reconnects are ours, on injected timers with jitter; mqtt.js' fixed period would make a fleet
      // that lost the broker together return in step.
      reconnectPeriod: 0,
      resubscribe: false,
      connectTimeout: this.limits.connectTimeoutMs,
      keepalive: this.limits.keepaliveS,
      // MQTT 3.1.1: what both aedes and Mosquitto speak; payload sizes are checked per topic on receipt.
      protocolVersion: 4,
    });
    this.client = client;
    client.on('connect', () => {
      // Retained, so a cloud that subscribes later still learns it; the will replaces it when we drop.
      this.publishPresence(client, { online: true, seq: this.seq, ts: Math.floor(this.nowMs() / 1000) });
      client.subscribe(
        DOWN_KINDS.map((kind) => this.topics[kind]),
        { qos: 1 },
        (error, granted) => {
          if (error !== null) {
            this.options.logger.error({ err: error }, 'subscribing to the down topics failed');
            client.end(true);
            return;
          }
          const refused = (granted ?? []).filter((grant) => grant.qos === 0x80);
          if (refused.length > 0)
            this.options.logger.error({ refused: refused.map((g) => g.topic) }, 'broker refused topics');
          this.failedAttempts = 0;
          this.up = true;
          this.options.logger.info({ url: this.options.url }, 'connected to the broker');
          this.options.onConnect();
        },
      );
    });
    client.on('message', (topic, payload) => {
      const parsed = parseScreenTopic(topic, this.options.topicRoot);
      if (parsed?.screenId !== this.options.screenId || parsed.direction !== 'down') {
        this.options.logger.warn({ topic: topic.slice(0, 200) }, 'message on an unexpected topic ignored');
        return;
      }
      this.options.onMessage(parsed.kind as DownKind, payload);
    });
    client.on('error', (error) => {
      this.options.logger.warn({ err: error.message }, 'mqtt error');
      // CONNACK 4 (bad user name or password) and 5 (not authorised): revocation deletes our password.
      const code = (error as { code?: unknown }).code;
      if (code === CONNACK_BAD_CREDENTIALS || code === CONNACK_NOT_AUTHORISED)
        this.options.onLoginRefused?.();
    });
    client.on('close', () => {
      if (this.up) {
        this.up = false;
        this.options.logger.warn('disconnected from the broker');
        this.options.onDisconnect();
      }
      this.scheduleReconnect();
    });
  }

  /** QoS 1 publish on one of our up topics; false (nothing sent) while the link is down. */
  publish(
    kind: 'taps' | 'events',
    payload: Uint8Array | string,
    onDelivered?: (ok: boolean) => void,
  ): boolean {
    const client = this.client;
    if (client === null || !this.connected) return false;
    const body =
      typeof payload === 'string'
        ? payload
        : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    client.publish(this.topics[kind], body, { qos: 1 }, (error) => {
      onDelivered?.(!(error instanceof Error));
    });
    return true;
  }

  /** Drops the connection as a network failure would; the link reconnects on its own. */
  drop(): void {
    this.client?.stream.destroy();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelReconnect?.();
    this.cancelReconnect = null;
    const client = this.client;
    const wasConnected = this.connected;
    this.client = null;
    if (client === null) return;
    this.up = false;
    const bound = this.limits.stopStepTimeoutMs;
    if (!wasConnected) {
      // Nothing to tell the broker over a link that is down; where it still holds the socket, the will
      // says offline.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, bound);
        client.end(true, {}, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      return;
    }
    // A clean DISCONNECT discards the will, so the screen says offline itself first.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, bound);
      this.publishPresence(client, { online: false, seq: this.seq }, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        // No DISCONNECT in time: cut the socket, and the broker sends the same offline as the will.
        client.stream.destroy();
        resolve();
      }, bound);
      client.end(false, {}, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** The will of the next connection attempt, under a new connection number. */
  private nextWill(): NonNullable<IClientOptions['will']> {
    const candidate = Math.max(this.nowMs(), this.seq + 1);
    this.seq = this.options.claimPresenceSeq?.(candidate) ?? candidate;
    const offline: ScreenPresence = { online: false, seq: this.seq };
    return {
      topic: this.topics.presence,
      payload: Buffer.from(JSON.stringify(offline)),
      qos: 1,
      retain: true,
    };
  }

  private publishPresence(client: MqttClient, presence: ScreenPresence, onDone?: () => void): void {
    client.publish(this.topics.presence, JSON.stringify(presence), { qos: 1, retain: true }, (error) => {
      if (error instanceof Error)
        this.options.logger.debug({ err: error.message, online: presence.online }, 'presence not delivered');
      onDone?.();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.cancelReconnect !== null || this.client === null) return;
    this.failedAttempts++;
    const delayMs = backoffDelayMs(
      this.failedAttempts,
      { initialMs: this.limits.reconnectInitialMs, maxMs: this.limits.reconnectMaxMs },
      this.random,
    );
    this.cancelReconnect = this.options.startTimer(() => {
      this.cancelReconnect = null;
      if (this.stopped || this.client === null) return;
      this.client.options.will = this.nextWill();
      this.client.reconnect();
    }, delayMs);
  }
}
