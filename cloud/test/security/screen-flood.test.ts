// One authenticated screen flooding the ingest, on PGlite and PostgreSQL: its batches queue only in its
// own share (the broker lane and the redemption queue serve screens round-robin), so another screen's
// genuine tap is credited and acked while the flood is still draining; and a screen that keeps sending
// tokens its key did not sign is disconnected and its batches dropped until its suspension ends.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTapBatch, generateKeyPair, screenTopic, type Ack } from '@redtap/shared';
import { Inbound } from '../../src/broker/inbound.ts';
import type { TapBatchMessage } from '../../src/broker/types.ts';
import type { DatabaseHandle } from '../../src/db/client.ts';
import { checkLedger } from '../../src/ledger/check-ledger.ts';
import { defaultMoneySettings } from '../../src/money-settings.ts';
import { Collector } from '../broker/collector.ts';
import { openTestDatabase, testEngines } from '../databases.ts';
import { FakeBroker } from '../fake-broker.ts';
import { createTestCloud, type TestCloud } from '../harness.ts';
import { buildWorld, makeTap, registerPhone, tiersPlan, type Kiosk, type World } from '../money-world.ts';

const engines = await testEngines();
const ROOT = 'redtap/test';
const WAIT_MS = 60_000;
const FLOOD_BATCHES = 300;
const logger = pino({ level: 'silent' });

/** A broker whose inbound side is the production `Inbound`, fed by the test instead of a socket. */
class DispatchBroker extends FakeBroker {
  readonly inbound = new Inbound({ topicRoot: ROOT, logger });
  readonly published = new Collector<{ screenId: number; ack: Ack }>();
  private readonly handled = new Collector<number>();
  private handledCount = 0;

  override onTapBatch(handler: (message: TapBatchMessage) => Promise<void>): void {
    this.inbound.onTapBatch(async (message) => {
      try {
        await handler(message);
      } finally {
        this.handled.push(++this.handledCount);
      }
    });
  }

  override publishAck(screenId: number, ack: Ack): Promise<void> {
    this.published.push({ screenId, ack });
    return Promise.resolve();
  }

  async drain(): Promise<void> {
    const accepted = this.inbound.stats().tapBatchesAccepted;
    await this.handled.waitFor((n) => n >= accepted, WAIT_MS, `batch ${accepted} handled`);
  }
}

describe.each(engines)('a flooding screen on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let world: World;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle, { money: { ...defaultMoneySettings } });
    world = await buildWorld(cloud, {
      cities: ['Shanghai', 'Beijing'],
      plan: tiersPlan(4_000),
      budgetFen: 4_000,
    });
  }, 120_000);
  afterAll(async () => {
    if (available) await handle.close();
  });

  const kiosks = (): [Kiosk, Kiosk] => {
    const [a, b] = world.kiosks;
    if (a === undefined || b === undefined) throw new Error('two kiosks expected');
    return [a, b];
  };

  it.skipIf(!available)("answers another screen's genuine tap before the flood drains", async () => {
    const [flooder, honest] = kiosks();
    const broker = new DispatchBroker();
    cloud.deps.redemption.attach(broker);
    const phone = await registerPhone(cloud);
    const other = await registerPhone(cloud);
    const now = cloud.clock.nowMs;
    // Correctly signed, hostile contents: replays of one tap and coupons no deck grants, so no strike.
    const replayed = makeTap(flooder, phone, now);
    const hostile = makeTap(flooder, phone, now, {
      deck: null,
      campaignId: world.campaignId,
      couponOfferId: 2 ** 31 + 5,
    });
    const floodTopic = screenTopic(flooder.screenId, 'taps', ROOT);
    for (let i = 0; i < FLOOD_BATCHES; i++)
      broker.inbound.dispatch(floodTopic, encodeTapBatch(i % 2 === 0 ? [replayed, hostile] : [replayed]));
    const genuine = makeTap(honest, other, now);
    broker.inbound.dispatch(screenTopic(honest.screenId, 'taps', ROOT), encodeTapBatch([genuine]));

    const honestAck = await broker.published.waitFor(
      (entry) => entry.screenId === honest.screenId,
      WAIT_MS,
      "the honest screen's ack",
    );
    expect(honestAck.ack.results).toEqual([
      expect.objectContaining({ counter: honest.counter, status: 'credited' }),
    ]);
    await broker.drain();
    await cloud.deps.redemption.idle();
    const order = broker.published.items.map((entry) => entry.screenId);
    const honestAt = order.indexOf(honest.screenId);
    const floodBefore = order.slice(0, honestAt).filter((id) => id === flooder.screenId).length;
    const floodAfter = order.slice(honestAt + 1).filter((id) => id === flooder.screenId).length;
    // Round-robin: at most the flooder's share went first, and the flood was still draining after it.
    expect(floodBefore).toBeLessThanOrEqual(cloud.deps.settings.money.ingestScreenBatchesMax);
    expect(floodAfter).toBeGreaterThan(floodBefore);
    // The flood beyond its own queue was dropped at the door; the honest screen lost nothing.
    expect(broker.inbound.stats().messagesDropped).toBeGreaterThan(0);
    expect(broker.inbound.stats().messagesDropped).toBeLessThan(FLOOD_BATCHES);
    expect(await checkLedger(cloud.deps.db)).toMatchObject({ ok: true, totalFen: 0 });
  });

  it.skipIf(!available)(
    'disconnects a screen whose signatures keep failing and drops its batches for a while',
    async () => {
      const [forger, honest] = kiosks();
      const settings = cloud.deps.settings.money;
      const phone = await registerPhone(cloud);
      const other = await registerPhone(cloud);
      const wrongKey = generateKeyPair();
      const send = async (kiosk: Kiosk, tokens: Uint8Array[]): Promise<Ack | null> => {
        const from = cloud.broker.acks.length;
        await cloud.broker.deliverTapBatch({ screenId: kiosk.screenId, payload: encodeTapBatch(tokens) });
        await cloud.deps.redemption.idle();
        return cloud.broker.acks.slice(from).find((entry) => entry.screenId === kiosk.screenId)?.ack ?? null;
      };
      for (let i = 0; i < settings.screenSignatureStrikesMax; i++) {
        const forged = makeTap(forger, phone, cloud.clock.nowMs, { deck: null, screenKey: wrongKey });
        expect((await send(forger, [forged]))?.results[0]?.code).toBe('SCREEN_SIGNATURE_INVALID');
      }
      expect(cloud.broker.suspended.map((entry) => entry.screenId)).toEqual([forger.screenId]);
      expect(cloud.broker.suspended[0]?.untilMs).toBe(cloud.clock.nowMs + settings.screenSuspensionS * 1000);

      // Suspended: even its genuine batch is dropped unanswered (the kiosk resends later).
      const shedBefore = cloud.deps.redemption.profile().batchesShed;
      const later = makeTap(forger, phone, cloud.clock.nowMs);
      expect(await send(forger, [later])).toBeNull();
      expect(cloud.deps.redemption.profile().batchesShed).toBe(shedBefore + 1);
      // Another screen is not affected.
      expect((await send(honest, [makeTap(honest, other, cloud.clock.nowMs)]))?.results[0]?.status).toBe(
        'credited',
      );

      // After the suspension the resent batch is credited.
      cloud.clock.nowMs += settings.screenSuspensionS * 1000 + 1_000;
      expect((await send(forger, [later]))?.results[0]?.status).toBe('credited');
      expect(await checkLedger(cloud.deps.db)).toMatchObject({ ok: true, totalFen: 0 });
    },
  );
});
