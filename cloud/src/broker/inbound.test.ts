import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PRESENCE_BYTES_MAX, TAP_BATCH_BYTES_MAX } from '@redtap/shared';
import { Inbound, type InboundOutcome } from './inbound.ts';
import type { ScreenEventMessage, ScreenPresenceMessage, TapBatchMessage } from './types.ts';

const root = 'test/v1';
const logger = pino({ level: 'silent' });
const heartbeat = JSON.stringify({
  type: 'heartbeat',
  ts: 1,
  appVersion: 'x',
  counter: 0,
  backlog: 0,
  decks: [],
});
const bytes = (text: string) => Buffer.from(text, 'utf8');

/** A promise the test settles by hand, to hold a handler mid-flight. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Inbound', () => {
  it('settles each dispatched message once: handled after its handlers, rejected, or dropped', async () => {
    const inbound = new Inbound({ topicRoot: root, logger, limits: { screenQueueLengthMax: 1 } });
    const outcomes: [string, InboundOutcome][] = [];
    const settle = (name: string) => (outcome: InboundOutcome) => void outcomes.push([name, outcome]);
    const held = deferred();
    let handled = 0;
    inbound.onTapBatch(async () => {
      await held.promise;
      handled++;
    });
    inbound.dispatch(`${root}/screens/1/taps`, randomBytes(10), settle('first'));
    // The first is with the handler; the second waits in the screen's queue of one; the third is dropped.
    inbound.dispatch(`${root}/screens/1/taps`, randomBytes(10), settle('second'));
    inbound.dispatch(`${root}/screens/1/taps`, randomBytes(10), settle('third'));
    inbound.dispatch(`${root}/screens/1/events`, bytes('{not json'), settle('invalid'));
    inbound.dispatch(`${root}/elsewhere`, bytes('x'), settle('ignored'));
    inbound.dispatch(`${root}/screens/1/taps`, randomBytes(TAP_BATCH_BYTES_MAX + 1), settle('oversize'));
    expect(outcomes).toEqual([
      ['third', 'dropped'],
      ['invalid', 'rejected'],
      ['ignored', 'rejected'],
      ['oversize', 'rejected'],
    ]);
    held.resolve();
    await vi.waitFor(() => expect(handled).toBe(2));
    await vi.waitFor(() =>
      expect(outcomes.slice(4)).toEqual([
        ['first', 'handled'],
        ['second', 'handled'],
      ]),
    );
    // After close: still queued is dropped, and anything new too.
    const stuck = deferred();
    inbound.onScreenEvent(() => stuck.promise);
    inbound.dispatch(`${root}/screens/2/events`, bytes(heartbeat), settle('running'));
    inbound.dispatch(`${root}/screens/2/events`, bytes(heartbeat), settle('queued'));
    await inbound.close(50);
    inbound.dispatch(`${root}/screens/2/events`, bytes(heartbeat), settle('late'));
    expect(outcomes.slice(6)).toEqual([
      ['queued', 'dropped'],
      ['late', 'dropped'],
    ]);
    stuck.resolve();
    await vi.waitFor(() => expect(outcomes.slice(8)).toEqual([['running', 'handled']]));
  });

  it('routes taps as raw bytes and events as validated objects', async () => {
    const inbound = new Inbound({ topicRoot: root, logger });
    const taps: TapBatchMessage[] = [];
    const events: ScreenEventMessage[] = [];
    inbound.onTapBatch((m) => Promise.resolve(void taps.push(m)));
    inbound.onScreenEvent((m) => Promise.resolve(void events.push(m)));
    const batch = randomBytes(199);
    inbound.dispatch(`${root}/screens/42/taps`, batch);
    inbound.dispatch(`${root}/screens/42/events`, bytes(heartbeat));
    await inbound.close(1000);
    expect(taps).toHaveLength(1);
    expect(taps[0]?.screenId).toBe(42);
    expect(Buffer.from(taps[0]!.payload).equals(batch)).toBe(true);
    expect(events[0]).toMatchObject({ screenId: 42, event: { type: 'heartbeat' } });
  });

  it('routes presence as validated objects in a lane of its own, and drops invalid ones', async () => {
    const registry = new Registry();
    const inbound = new Inbound({ topicRoot: root, logger, metricsRegistry: registry });
    const presence: ScreenPresenceMessage[] = [];
    const events: ScreenEventMessage[] = [];
    inbound.onScreenPresence((m) => Promise.resolve(void presence.push(m)));
    inbound.onScreenEvent((m) => Promise.resolve(void events.push(m)));
    const topic = `${root}/screens/42/presence`;
    inbound.dispatch(topic, bytes('{"online":true,"seq":1795000000123,"ts":1795000000}'));
    inbound.dispatch(topic, bytes('{"online":false,"seq":1795000000123}'));
    for (const invalid of [
      '{"online":false',
      '{"online":false,"seq":0}',
      '{"online":true,"seq":5}',
      '{"online":false,"seq":5,"screenId":7}',
      heartbeat,
      `{"online":false,"seq":5,"pad":"${'x'.repeat(PRESENCE_BYTES_MAX)}"}`,
      'null',
    ])
      inbound.dispatch(topic, bytes(invalid));
    // An empty retained message clears the topic; it is not a presence and not an invalid one.
    inbound.dispatch(topic, Buffer.alloc(0));
    await vi.waitFor(() => expect(presence).toHaveLength(2));
    expect(presence).toEqual([
      { screenId: 42, presence: { online: true, seq: 1_795_000_000_123, ts: 1_795_000_000 } },
      { screenId: 42, presence: { online: false, seq: 1_795_000_000_123 } },
    ]);
    expect(events).toEqual([]);
    expect(inbound.stats()).toMatchObject({
      presenceAccepted: 2,
      presenceInvalid: 7,
      messagesIgnored: 1,
      eventsInvalid: 0,
    });
    const metrics = await registry.getSingleMetricAsString('redtap_broker_inbound_messages_total');
    expect(metrics).toMatch(/kind="presence",outcome="invalid"} 7/);
    expect(metrics).toMatch(/kind="presence",outcome="cleared"} 1/);
  });

  it('keeps presence apart from an events backlog, with a bound of its own', async () => {
    const inbound = new Inbound({
      topicRoot: root,
      logger,
      limits: { queueLengthMax: 2, presenceQueueLengthMax: 3, screenQueueLengthMax: 100 },
    });
    for (let i = 0; i < 5; i++) inbound.dispatch(`${root}/screens/1/events`, bytes(heartbeat));
    for (let i = 1; i <= 5; i++)
      inbound.dispatch(`${root}/screens/${i}/presence`, bytes(`{"online":false,"seq":${i}}`));
    expect(inbound.stats()).toMatchObject({ eventsAccepted: 2, presenceAccepted: 3, messagesDropped: 5 });
    const seen: number[] = [];
    inbound.onScreenPresence((m) => Promise.resolve(void seen.push(m.presence.seq)));
    await vi.waitFor(() => expect(seen).toEqual([1, 2, 3]));
  });

  it('copies the payload, so a reused engine buffer cannot change a queued batch', async () => {
    const inbound = new Inbound({ topicRoot: root, logger });
    const gate = deferred();
    const taps: TapBatchMessage[] = [];
    inbound.onTapBatch(async (m) => {
      await gate.promise;
      taps.push(m);
    });
    const buffer = Buffer.from([1, 2, 3]);
    inbound.dispatch(`${root}/screens/1/taps`, buffer);
    buffer.fill(0);
    gate.resolve();
    await vi.waitFor(() => expect(taps).toHaveLength(1));
    expect([...taps[0]!.payload]).toEqual([1, 2, 3]);
  });

  it('drops oversized batches, invalid events and foreign topics, and counts each', () => {
    const registry = new Registry();
    const inbound = new Inbound({ topicRoot: root, logger, metricsRegistry: registry });
    inbound.dispatch(`${root}/screens/1/taps`, Buffer.alloc(TAP_BATCH_BYTES_MAX + 1));
    inbound.dispatch(`${root}/screens/1/events`, bytes('{"type":"heartbeat"'));
    inbound.dispatch(`${root}/screens/1/events`, bytes('{"type":"heartbeat","ts":"soon"}'));
    inbound.dispatch(`${root}/screens/1/events`, Buffer.alloc(300 * 1024, 0x20));
    inbound.dispatch(`${root}/screens/1/acks`, bytes('{}'));
    inbound.dispatch(`other/screens/1/taps`, bytes('x'));
    inbound.dispatch(`${root}/screens/0/taps`, bytes('x'));
    expect(inbound.stats()).toMatchObject({
      tapBatchesOversize: 1,
      eventsInvalid: 3,
      messagesIgnored: 3,
      tapBatchesAccepted: 0,
      eventsAccepted: 0,
    });
  });

  it('runs each handler one message at a time, in arrival order', async () => {
    const inbound = new Inbound({ topicRoot: root, logger });
    let running = 0;
    let runningMax = 0;
    const seen: number[] = [];
    inbound.onTapBatch(async (m) => {
      running++;
      runningMax = Math.max(runningMax, running);
      await new Promise<void>((resolve) => setImmediate(resolve));
      seen.push(m.payload[0]!);
      running--;
    });
    for (let i = 0; i < 20; i++) inbound.dispatch(`${root}/screens/1/taps`, Buffer.from([i]));
    await vi.waitFor(() => expect(seen).toHaveLength(20));
    expect(seen).toEqual([...Array(20).keys()]);
    expect(runningMax).toBe(1);
  });

  it('handles a message dispatched while the lane is finishing its previous drain', async () => {
    // The second message follows the first handler after `offset` microtasks; at some offset it lands
    // after the drain loop found its queue empty but before the loop reported itself finished.
    for (let offset = 0; offset < 40; offset++) {
      const inbound = new Inbound({ topicRoot: root, logger });
      const seen: number[] = [];
      inbound.onTapBatch((m) => {
        seen.push(m.payload[0]!);
        if (m.payload[0] === 1)
          void (async () => {
            for (let i = 0; i < offset; i++) await Promise.resolve();
            inbound.dispatch(`${root}/screens/1/taps`, Buffer.from([2]));
          })();
        return Promise.resolve();
      });
      inbound.dispatch(`${root}/screens/1/taps`, Buffer.from([1]));
      // Everything above runs in microtasks, so one turn of the event loop sees it through.
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(seen, `second message ${offset} microtasks behind the first`).toEqual([1, 2]);
    }
  });

  it('queues until a handler is registered, then drops beyond the bound', async () => {
    const inbound = new Inbound({ topicRoot: root, logger, limits: { queueLengthMax: 3 } });
    for (let i = 0; i < 5; i++) inbound.dispatch(`${root}/screens/1/taps`, Buffer.from([i]));
    expect(inbound.stats()).toMatchObject({ tapBatchesAccepted: 3, messagesDropped: 2 });
    const seen: number[] = [];
    inbound.onTapBatch((m) => Promise.resolve(void seen.push(m.payload[0]!)));
    await vi.waitFor(() => expect(seen).toEqual([0, 1, 2]));
  });

  it('logs a throwing handler and carries on with the next message', async () => {
    const inbound = new Inbound({ topicRoot: root, logger });
    const seen: number[] = [];
    inbound.onTapBatch((m) => {
      seen.push(m.payload[0]!);
      if (m.payload[0] === 0) throw new Error('synchronous throw');
      if (m.payload[0] === 1) return Promise.reject(new Error('rejection'));
      return Promise.resolve();
    });
    for (let i = 0; i < 3; i++) inbound.dispatch(`${root}/screens/1/taps`, Buffer.from([i]));
    await vi.waitFor(() => expect(seen).toEqual([0, 1, 2]));
    await vi.waitFor(() => expect(inbound.stats().handlerErrors).toBe(2));
  });

  it('moves on from a handler that never settles once its timeout passes', async () => {
    vi.useFakeTimers();
    const inbound = new Inbound({ topicRoot: root, logger, limits: { handlerTimeoutMs: 1000 } });
    const seen: number[] = [];
    inbound.onTapBatch((m) => {
      seen.push(m.payload[0]!);
      return m.payload[0] === 0 ? new Promise<void>(() => undefined) : Promise.resolve();
    });
    inbound.dispatch(`${root}/screens/1/taps`, Buffer.from([0]));
    inbound.dispatch(`${root}/screens/1/taps`, Buffer.from([1]));
    await vi.advanceTimersByTimeAsync(999);
    expect(seen).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual([0, 1]);
    expect(inbound.stats().handlerTimeouts).toBe(1);
  });

  it('gives every registered handler each message', async () => {
    const inbound = new Inbound({ topicRoot: root, logger });
    const first: number[] = [];
    const second: number[] = [];
    inbound.onScreenEvent((m) => Promise.resolve(void first.push(m.screenId)));
    inbound.onScreenEvent((m) => Promise.resolve(void second.push(m.screenId)));
    inbound.dispatch(`${root}/screens/7/events`, bytes(heartbeat));
    await vi.waitFor(() => expect(second).toEqual([7]));
    expect(first).toEqual([7]);
  });

  it('takes nothing after close', async () => {
    const inbound = new Inbound({ topicRoot: root, logger });
    await inbound.close(100);
    inbound.dispatch(`${root}/screens/1/taps`, Buffer.from([1]));
    expect(inbound.stats().tapBatchesAccepted).toBe(0);
  });

  it('never throws on 10,000 random topics and payloads', () => {
    const inbound = new Inbound({ topicRoot: root, logger, limits: { queueLengthMax: 10 } });
    const kinds = ['taps', 'events', 'acks', '', '+', '#', 'taps/x'];
    for (let i = 0; i < 10_000; i++) {
      const noise = randomBytes(1 + (i % 64));
      const topic =
        i % 3 === 0
          ? noise.toString('latin1')
          : `${root}/screens/${i % 5 === 0 ? noise.toString('hex') : String(i)}/${kinds[i % kinds.length]!}`;
      const payload = i % 4 === 0 ? Buffer.concat([bytes('{"type":"heartbeat",'), noise]) : noise;
      inbound.dispatch(topic, payload);
    }
    const stats = inbound.stats();
    const total =
      stats.tapBatchesAccepted +
      stats.tapBatchesOversize +
      stats.eventsAccepted +
      stats.eventsInvalid +
      stats.messagesIgnored +
      stats.messagesDropped;
    expect(total).toBe(10_000);
  });
});
