// Inbound screen messages, whichever engine delivered them (docs/protocol.md §5): topic parsing, size and
// schema checks, and one bounded queue per message kind (taps, events, presence) that feeds its handlers
// one message at a time, taking screens round-robin so one screen's flood never queues ahead of another
// screen's message.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { Counter } from 'prom-client';
import {
  assert,
  parseScreenTopic,
  PRESENCE_BYTES_MAX,
  ScreenEvent,
  ScreenPresence,
  TAP_BATCH_BYTES_MAX,
} from '@redtap/shared';
import { FairQueue } from './fair-queue.ts';
import type { BrokerStats, ScreenEventMessage, ScreenPresenceMessage, TapBatchMessage } from './types.ts';

export interface InboundLimits {
  /** Messages waiting per kind (taps, events); beyond it new ones are dropped and counted. */
  queueLengthMax: number;
  /**
   * Presence messages waiting. They are a few dozen bytes, and a cloud that subscribes receives every
   * screen's retained one at once (external broker), so this bound is per fleet, not per burst.
   */
  presenceQueueLengthMax: number;
  /** Messages waiting per kind from one screen; beyond it that screen's new ones are dropped and counted. */
  screenQueueLengthMax: number;
  /** An event is JSON; a proof-of-play report of 1,000 items is well under this. */
  eventBytesMax: number;
  /** A handler that has not settled by then is logged and the lane moves on. */
  handlerTimeoutMs: number;
  handlersPerKindMax: number;
}

export const defaultInboundLimits: InboundLimits = {
  queueLengthMax: 1000,
  presenceQueueLengthMax: 100_000,
  screenQueueLengthMax: 32,
  eventBytesMax: 256 * 1024,
  handlerTimeoutMs: 30_000,
  handlersPerKindMax: 8,
};

type Handler<T> = (message: T) => Promise<void>;

/**
 * How a dispatched message ended, for an engine that acknowledges it upstream (NATS JetStream): `handled`
 * once every handler settled (resolved, threw or timed out), `rejected` when it was invalid or ignored,
 * `dropped` when its queue was full or the inbound closed before handling it.
 */
export type InboundOutcome = 'handled' | 'rejected' | 'dropped';
export type Settle = (outcome: InboundOutcome) => void;

interface Entry<T> {
  message: T;
  settle: Settle | undefined;
}

interface InboundMetrics {
  messages: Counter<'kind' | 'outcome'>;
  handlerFailures: Counter<'kind' | 'reason'>;
}

function createMetrics(registry: Registry): InboundMetrics {
  return {
    messages: new Counter({
      name: 'redtap_broker_inbound_messages_total',
      help: 'Screen messages received from the broker, by kind and outcome',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    handlerFailures: new Counter({
      name: 'redtap_broker_handler_failures_total',
      help: 'Inbound handlers that threw or timed out',
      labelNames: ['kind', 'reason'],
      registers: [registry],
    }),
  };
}

type Kind = 'taps' | 'events' | 'presence';

/** A fair queue drained by one async loop, so each handler sees one message at a time. */
class Lane<T extends { screenId: number }> {
  readonly handlers: Handler<T>[] = [];
  private readonly queue: FairQueue<number, Entry<T>>;
  private draining: Promise<void> | null = null;
  private readonly kind: Kind;
  private readonly inbound: Inbound;

  constructor(kind: Kind, inbound: Inbound, totalMax: number) {
    this.kind = kind;
    this.inbound = inbound;
    this.queue = new FairQueue({ perKeyMax: inbound.limits.screenQueueLengthMax, totalMax });
  }

  push(message: T, settle?: Settle): boolean {
    if (!this.queue.push(message.screenId, { message, settle })) return false;
    this.kick();
    return true;
  }

  addHandler(handler: Handler<T>): void {
    assert(this.handlers.length < this.inbound.limits.handlersPerKindMax, `too many ${this.kind} handlers`);
    this.handlers.push(handler);
    this.kick();
  }

  /** Resolves once the lane is idle; messages still queued after `close()` are discarded. */
  idle(): Promise<void> {
    return this.draining ?? Promise.resolve();
  }

  clear(): void {
    for (let entry = this.queue.shift(); entry !== undefined; entry = this.queue.shift())
      entry.settle?.('dropped');
  }

  /**
   * Starts the drain loop unless it runs. A message pushed after the loop found the queue empty but
   * before `draining` is cleared would otherwise wait for the next push, so the loop that ends kicks again.
   */
  private kick(): void {
    if (this.draining !== null || this.handlers.length === 0 || this.queue.length === 0) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      this.kick();
    });
  }

  private async drain(): Promise<void> {
    for (let entry = this.queue.shift(); entry !== undefined; entry = this.queue.shift()) {
      for (const handler of this.handlers) await this.inbound.runHandler(this.kind, handler, entry.message);
      entry.settle?.('handled');
    }
  }
}

export class Inbound {
  readonly limits: InboundLimits;
  private readonly root: string;
  private readonly logger: Logger;
  private readonly metrics: InboundMetrics | null;
  private readonly counters: BrokerStats = {
    tapBatchesAccepted: 0,
    tapBatchesOversize: 0,
    eventsAccepted: 0,
    eventsInvalid: 0,
    presenceAccepted: 0,
    presenceInvalid: 0,
    messagesIgnored: 0,
    messagesDropped: 0,
    handlerErrors: 0,
    handlerTimeouts: 0,
  };
  private readonly taps: Lane<TapBatchMessage>;
  private readonly events: Lane<ScreenEventMessage>;
  private readonly presence: Lane<ScreenPresenceMessage>;
  private closed = false;

  constructor(options: {
    topicRoot: string;
    logger: Logger;
    limits?: Partial<InboundLimits>;
    metricsRegistry?: Registry | undefined;
  }) {
    this.root = options.topicRoot;
    this.logger = options.logger;
    this.limits = { ...defaultInboundLimits, ...options.limits };
    assert(this.limits.queueLengthMax >= 1, 'queueLengthMax must be positive');
    assert(this.limits.screenQueueLengthMax >= 1, 'screenQueueLengthMax must be positive');
    assert(this.limits.presenceQueueLengthMax >= 1, 'presenceQueueLengthMax must be positive');
    // After the limits: each lane sizes its queue from them.
    this.taps = new Lane<TapBatchMessage>('taps', this, this.limits.queueLengthMax);
    this.events = new Lane<ScreenEventMessage>('events', this, this.limits.queueLengthMax);
    this.presence = new Lane<ScreenPresenceMessage>('presence', this, this.limits.presenceQueueLengthMax);
    this.metrics = options.metricsRegistry === undefined ? null : createMetrics(options.metricsRegistry);
  }

  onTapBatch(handler: Handler<TapBatchMessage>): void {
    this.taps.addHandler(handler);
  }

  onScreenEvent(handler: Handler<ScreenEventMessage>): void {
    this.events.addHandler(handler);
  }

  onScreenPresence(handler: Handler<ScreenPresenceMessage>): void {
    this.presence.addHandler(handler);
  }

  stats(): BrokerStats {
    return { ...this.counters };
  }

  /**
   * Takes any topic and payload from the wire; never throws. `settle`, when given, is called exactly once
   * with the message's outcome.
   */
  dispatch(topic: string, payload: Uint8Array, settle?: Settle): void {
    if (this.closed) {
      settle?.('dropped');
      return;
    }
    const parsed = parseScreenTopic(topic, this.root);
    if (parsed === null || parsed.direction !== 'up') {
      this.count('messagesIgnored', 'other', 'ignored');
      settle?.('rejected');
      return;
    }
    if (parsed.kind === 'taps') {
      if (payload.length > TAP_BATCH_BYTES_MAX) {
        this.count('tapBatchesOversize', 'taps', 'oversize');
        settle?.('rejected');
        return;
      }
      // Copy: the engine may reuse the buffer, and the handler decodes it later.
      const message = { screenId: parsed.screenId, payload: Uint8Array.from(payload) };
      if (this.taps.push(message, settle)) this.count('tapBatchesAccepted', 'taps', 'accepted');
      else {
        this.count('messagesDropped', 'taps', 'dropped');
        settle?.('dropped');
      }
      return;
    }
    if (parsed.kind === 'presence') {
      // An empty retained message clears the topic's retained presence; it is no presence of its own.
      if (payload.length === 0) {
        this.count('messagesIgnored', 'presence', 'cleared');
        settle?.('rejected');
        return;
      }
      const presence = this.parsePresence(payload);
      if (presence === null) {
        this.count('presenceInvalid', 'presence', 'invalid');
        settle?.('rejected');
        return;
      }
      if (this.presence.push({ screenId: parsed.screenId, presence }, settle))
        this.count('presenceAccepted', 'presence', 'accepted');
      else {
        this.count('messagesDropped', 'presence', 'dropped');
        settle?.('dropped');
      }
      return;
    }
    const event = this.parseEvent(payload);
    if (event === null) {
      this.count('eventsInvalid', 'events', 'invalid');
      settle?.('rejected');
      return;
    }
    if (this.events.push({ screenId: parsed.screenId, event }, settle))
      this.count('eventsAccepted', 'events', 'accepted');
    else {
      this.count('messagesDropped', 'events', 'dropped');
      settle?.('dropped');
    }
  }

  /** Stops taking messages and waits, at most `timeoutMs`, for the handlers already running. */
  async close(timeoutMs: number): Promise<void> {
    this.closed = true;
    this.taps.clear();
    this.events.clear();
    this.presence.clear();
    await withTimeout(
      Promise.all([this.taps.idle(), this.events.idle(), this.presence.idle()]),
      timeoutMs,
    ).catch(() => {
      this.logger.warn({ timeoutMs }, 'broker handlers still running at close');
    });
  }

  /** @internal used by Lane. */
  async runHandler<T>(kind: Kind, handler: Handler<T>, message: T): Promise<void> {
    try {
      await withTimeout(handler(message), this.limits.handlerTimeoutMs);
    } catch (error) {
      if (error instanceof TimeoutError) {
        this.counters.handlerTimeouts++;
        this.metrics?.handlerFailures.inc({ kind, reason: 'timeout' });
        this.logger.error({ kind, timeoutMs: this.limits.handlerTimeoutMs }, 'broker handler timed out');
      } else {
        this.counters.handlerErrors++;
        this.metrics?.handlerFailures.inc({ kind, reason: 'error' });
        this.logger.error({ kind, err: error }, 'broker handler failed');
      }
    }
  }

  private parseEvent(payload: Uint8Array): ScreenEvent | null {
    if (payload.length > this.limits.eventBytesMax) return null;
    const json = parseJson(payload);
    if (json === undefined) return null;
    const result = ScreenEvent.safeParse(json);
    return result.success ? result.data : null;
  }

  private parsePresence(payload: Uint8Array): ScreenPresence | null {
    if (payload.length > PRESENCE_BYTES_MAX) return null;
    const json = parseJson(payload);
    if (json === undefined) return null;
    const result = ScreenPresence.safeParse(json);
    return result.success ? result.data : null;
  }

  private count(counter: keyof BrokerStats, kind: Kind | 'other', outcome: string): void {
    this.counters[counter]++;
    this.metrics?.messages.inc({ kind, outcome });
  }
}

/** undefined when the bytes are not JSON (JSON itself has no undefined). */
function parseJson(payload: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.length).toString('utf8'));
  } catch {
    return undefined;
  }
}

export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** Rejects with TimeoutError after `timeoutMs`; the underlying work is not cancelled. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new TimeoutError(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
