// The link's presence (docs/protocol.md §5.6) over the real local Mosquitto, on a unique topic root: each
// connection leaves `offline` with its own connection number as its will and says `online` with it once
// up, a reconnect numbers the next connection higher (even when the wall clock steps back), and a stop
// says `offline` before a clean DISCONNECT, which discards the will.
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ScreenPresence, screenTopic } from '@redtap/shared';
import { ManualTimers } from '../../test/manual-timers.ts';
import { mosquittoAvailable, testEnv, uniqueTopicRoot, Waiter, within } from '../../test/sync-harness.ts';
import { ScreenLink } from './screen-link.ts';

const available = await mosquittoAvailable();
const url = testEnv.REDTAP_TEST_MQTT_URL;

interface Seen {
  presence: ScreenPresence | 'not a presence';
  retain: boolean;
}

describe.skipIf(!available)('ScreenLink presence over Mosquitto', () => {
  const root = uniqueTopicRoot();
  let observer: MqttClient;
  const seen = new Map<number, Waiter<Seen>>();
  const links: ScreenLink[] = [];
  let nextScreenId = 100 + Math.floor(Math.random() * 1000);

  beforeAll(async () => {
    observer = mqtt.connect(url, {
      reconnectPeriod: 0,
      protocolVersion: 4,
      clientId: `observer-${randomBytes(6).toString('hex')}`,
    });
    await within(new Promise((resolve) => observer.once('connect', resolve)), 'the observer');
    observer.on('message', (topic, payload, packet) => {
      const screenId = Number(topic.split('/').at(-2));
      let json: unknown;
      try {
        json = JSON.parse(payload.toString('utf8'));
      } catch {
        json = undefined;
      }
      const parsed = ScreenPresence.safeParse(json);
      seen
        .get(screenId)
        ?.push({ presence: parsed.success ? parsed.data : 'not a presence', retain: packet.retain });
    });
  });
  afterEach(async () => {
    for (const link of links.splice(0)) await link.stop();
  });
  afterAll(async () => {
    await observer.endAsync(true);
  });

  /** A link for a fresh screen id, its presence topic watched, on hand-driven timers and wall clock. */
  async function startLink(clock: { nowMs: number }): Promise<{
    link: ScreenLink;
    timers: ManualTimers;
    presences: Waiter<Seen>;
    screenId: number;
  }> {
    const screenId = nextScreenId++;
    const presences = new Waiter<Seen>();
    seen.set(screenId, presences);
    await observer.subscribeAsync(screenTopic(screenId, 'presence', root), { qos: 1 });
    const timers = new ManualTimers();
    const connected = new Waiter<number>();
    const link = new ScreenLink({
      url,
      username: `screen-${screenId}`,
      password: 'unused-by-the-shared-broker',
      screenId,
      topicRoot: root,
      startTimer: timers.start,
      random: () => 0.5,
      nowMs: () => clock.nowMs,
      logger: pino({ enabled: false }),
      limits: { reconnectInitialMs: 10, reconnectMaxMs: 10 },
      onConnect: () => connected.push(link.presenceSeq),
      onDisconnect: () => undefined,
      onMessage: () => undefined,
    });
    links.push(link);
    link.start();
    await connected.next(() => true, 'the first connection', { includeSeen: true });
    return { link, timers, presences, screenId };
  }

  const presenceOf = (presences: Waiter<Seen>, online: boolean, seq: number, what: string) =>
    presences.next(
      (entry) =>
        entry.presence !== 'not a presence' && entry.presence.online === online && entry.presence.seq === seq,
      what,
      { includeSeen: true },
    );

  it('leaves the current connection number as its will and says online with it', async () => {
    const clock = { nowMs: 1_795_000_000_000 };
    const { link, presences, screenId } = await startLink(clock);
    expect(link.presenceSeq).toBe(1_795_000_000_000);
    const online = await presenceOf(presences, true, 1_795_000_000_000, 'online');
    expect(online).toEqual({
      presence: { online: true, seq: 1_795_000_000_000, ts: 1_795_000_000 },
      retain: false,
    });
    // The link dies without DISCONNECT: the broker publishes the will, retained.
    link.drop();
    const will = await presenceOf(presences, false, 1_795_000_000_000, 'the will');
    expect(will).toEqual({ presence: { online: false, seq: 1_795_000_000_000 }, retain: false });
    const retained = await retainedPresence(screenId);
    expect(retained).toEqual({ online: false, seq: 1_795_000_000_000 });
  });

  it('numbers every reconnect higher, even when the wall clock steps back', async () => {
    const clock = { nowMs: 1_795_000_000_000 };
    const { link, timers, presences } = await startLink(clock);
    await presenceOf(presences, true, 1_795_000_000_000, 'first online');

    clock.nowMs += 45_000;
    link.drop();
    await presenceOf(presences, false, 1_795_000_000_000, 'first will');
    await reconnect(link, timers, 1_795_000_045_000);
    await presenceOf(presences, true, 1_795_000_045_000, 'second online');

    // The clock is corrected backwards by a minute: the next number is still one higher.
    clock.nowMs -= 60_000;
    link.drop();
    await presenceOf(presences, false, 1_795_000_045_000, 'second will, with the second number');
    await reconnect(link, timers, 1_795_000_045_001);
    await presenceOf(presences, true, 1_795_000_045_001, 'third online');
    link.drop();
    await presenceOf(presences, false, 1_795_000_045_001, 'third will');
  });

  it('says offline before a clean stop, whose DISCONNECT leaves no will behind', async () => {
    const clock = { nowMs: 1_795_000_100_000 };
    const { link, presences, screenId } = await startLink(clock);
    await presenceOf(presences, true, 1_795_000_100_000, 'online');
    await link.stop();
    const offline = await presenceOf(presences, false, 1_795_000_100_000, 'offline at stop');
    expect(offline.presence).toEqual({ online: false, seq: 1_795_000_100_000 });
    // A marker behind it: a will, published when the broker saw the socket go, would come before it.
    await observer.publishAsync(screenTopic(screenId, 'presence', root), 'marker', { qos: 1 });
    await presences.next((entry) => entry.presence === 'not a presence', 'the marker', { includeSeen: true });
    expect(presences.seen.filter((entry) => entry.presence !== 'not a presence')).toEqual([
      { presence: { online: true, seq: 1_795_000_100_000, ts: 1_795_000_100 }, retain: false },
      { presence: { online: false, seq: 1_795_000_100_000 }, retain: false },
    ]);
  });

  /** Fires the link's reconnect timer and waits until it is up under `seq`. */
  async function reconnect(link: ScreenLink, timers: ManualTimers, seq: number): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (!(link.connected && link.presenceSeq === seq)) {
      if (Date.now() > deadline) throw new Error(`no reconnect under ${seq} (at ${link.presenceSeq})`);
      timers.advance(10);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** What the broker retains on the link's presence topic, read by a fresh subscriber. */
  async function retainedPresence(screenId: number): Promise<ScreenPresence> {
    const reader = await mqtt.connectAsync(url, { reconnectPeriod: 0, protocolVersion: 4 });
    try {
      const message = new Waiter<Buffer>();
      reader.on('message', (_topic, payload, packet) => {
        if (packet.retain) message.push(payload);
      });
      await reader.subscribeAsync(screenTopic(screenId, 'presence', root), { qos: 1 });
      const payload = await message.next(() => true, 'the retained presence', { includeSeen: true });
      return ScreenPresence.parse(JSON.parse(payload.toString('utf8')));
    } finally {
      await reader.endAsync(true);
    }
  }
});
