// ScreenSync over the real local Mosquitto, with a fake cloud ack responder on a unique topic root:
// outbox settlement with retries, lost and duplicated acks, garbage on every down topic, decks and
// receipts, refill requests, retained config, a cut link and a three-day clock jump.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeDeckClose, fromHex, generateKeyPair, verifyDeckCloseSignature } from '@redtap/shared';
import { pino } from 'pino';
import { campaign, deckBytes, keys, screenConfig, T0 } from '../../test/fixtures.ts';
import { appendFakeTaps } from '../../test/outbox-fixtures.ts';
import {
  BrokerSide,
  FakeAckResponder,
  mosquittoAvailable,
  TcpProxy,
  testEnv,
  uniqueTopicRoot,
} from '../../test/sync-harness.ts';
import { startSyncKiosk, type SyncKiosk } from '../../test/sync-kiosk.ts';
import { KioskCode } from '../codes.ts';
import { loadConfig } from '../store/config-queries.ts';
import { addPlays, unreportedPlays } from '../store/proof-of-play-queries.ts';
import { getDeckState } from '../store/deck-queries.ts';
import { backlogCount, getTap } from '../store/tap-queries.ts';

const available = await mosquittoAvailable();
const url = testEnv.REDTAP_TEST_MQTT_URL;

describe.skipIf(!available)('ScreenSync over Mosquitto', () => {
  const root = uniqueTopicRoot();
  const responder = new FakeAckResponder();
  let broker: BrokerSide;
  let kiosk: SyncKiosk | undefined;

  beforeAll(async () => {
    broker = await BrokerSide.connect(url, root, responder);
  });
  afterAll(async () => {
    await broker.close();
  });
  afterEach(async () => {
    await kiosk?.stop();
    kiosk = undefined;
    responder.policy = (counter) => ({ counter, status: 'credited', amountFen: 1 });
  });

  async function connected(k: SyncKiosk): Promise<void> {
    await k.events.next((event) => event.type === 'connected', 'the kiosk to connect', { includeSeen: true });
  }

  it('settles taps stored offline, resending retried and unanswered ones, exactly once', async () => {
    const k = (kiosk = startSyncKiosk({
      mqttUrl: url,
      topicRoot: root,
      before: (store) => appendFakeTaps(store, 1_234, T0),
      limits: { ackTimeoutMs: 500 },
    }));
    // Counter 7 is retried twice, counter 8's first answer is lost, every answer for 9 comes twice.
    responder.policy = (counter, seen) => {
      if (counter === 7 && seen <= 2) return { counter, status: 'retry', code: 'BUSY' };
      if (counter === 8 && seen === 1) return null;
      return { counter, status: 'credited', amountFen: 3 };
    };
    const settled = () => backlogCount(k.store) === 0;
    await k.events.until(settled, 'the backlog to drain');
    expect(getTap(k.store, 7)).toMatchObject({ state: 'settled', ackStatus: 'credited', attempts: 3 });
    expect(getTap(k.store, 8)).toMatchObject({ state: 'settled', attempts: 2 });
    expect(responder.seen.get(7)).toBe(3);
    expect(responder.seen.get(8)).toBe(2);
    expect(responder.seen.get(100)).toBe(1);
    expect(k.sync.stats()).toMatchObject({ settled: 1_234, ackTimeouts: 1, acksInvalid: 0 });

    // A duplicated ack changes nothing.
    const duplicated = k.events.next((event) => event.type === 'ack', 'the duplicated ack');
    await broker.publish(
      k.screenId,
      'acks',
      JSON.stringify({ results: [{ counter: 9, status: 'rejected' }] }),
    );
    await duplicated;
    expect(getTap(k.store, 9)).toMatchObject({ ackStatus: 'credited' });
    const heartbeat = await broker.waitForEvent(
      (event) => event.type === 'heartbeat' && event.appVersion === 'test',
      'a heartbeat',
    );
    expect(heartbeat).toMatchObject({ ts: T0, counter: 1_234 });
    // The revocation number the screen is current to (docs/protocol.md §5.3).
    expect(heartbeat).toHaveProperty('revocations', expect.any(Number));
  });

  it('survives garbage on every down topic and keeps working', async () => {
    const k = (kiosk = startSyncKiosk({ mqttUrl: url, topicRoot: root }));
    await connected(k);
    const garbage = [
      Buffer.alloc(0),
      Buffer.from('{"results":'),
      Buffer.from('{"version":"x"}'),
      Buffer.from(JSON.stringify({ results: [{ counter: -1, status: 'credited' }] })),
      Buffer.from([0x01, 0xff, 0xff, 0x00]),
      Buffer.alloc(600 * 1024, 0x41),
      Buffer.from('null'),
    ];
    for (const payload of garbage) {
      for (const kind of ['acks', 'decks', 'config'] as const)
        await broker.publish(k.screenId, kind, payload);
    }
    await k.events.until(
      () => k.events.seen.filter((event) => event.type === 'ack' || event.type === 'config').length >= 14,
      'the garbage to be seen',
    );
    expect(k.events.seen.filter((event) => event.type === 'handler-error')).toEqual([]);
    const stats = k.sync.stats();
    expect(stats.acksInvalid).toBe(garbage.length);
    expect(stats.configsInvalid).toBe(garbage.length - 1); // the empty one clears, it is not invalid
    expect(stats.decksStored).toBe(0);
    expect(loadConfig(k.store)?.version).toBe(1);

    appendFakeTaps(k.store, 3, T0);
    k.sync.notifyTapCommitted();
    await k.events.until(() => backlogCount(k.store) === 0, 'taps after the garbage to settle');
  });

  it('hands word of a claimed ticket to its observer, and counts, logs and drops garbage on that topic', async () => {
    const logged: { code?: string; msg?: string }[] = [];
    const logger = pino(
      { level: 'warn' },
      { write: (line: string) => logged.push(JSON.parse(line) as { code?: string; msg?: string }) },
    );
    const k = (kiosk = startSyncKiosk({ mqttUrl: url, topicRoot: root, logger }));
    await connected(k);
    const result = (value: unknown) =>
      Buffer.from(JSON.stringify({ ticketSeq: 5, claimedAt: T0, result: value }));
    const garbage = [
      Buffer.alloc(0),
      Buffer.from('{"ticketSeq":'),
      Buffer.from(JSON.stringify({ ticketSeq: 0, claimedAt: T0 })),
      Buffer.from(JSON.stringify({ ticketSeq: 5, claimedAt: T0, walletId: 4242 })),
      Buffer.from(JSON.stringify({ ticketSeq: 5, claimedAt: T0, pad: 'x'.repeat(300) })),
      Buffer.from([0xff, 0xfe]),
      // Hostile outcomes: no amount a screen could show falsely, no brand past its bound, no stray fields.
      result({ status: 'credited', amountFen: -84 }),
      result({ status: 'credited', amountFen: 0 }),
      result({ status: 'credited', amountFen: 1e12 }),
      result({ status: 'credited', amountFen: '84' }),
      result({ status: 'credited', amountFen: 84, brand: 'x'.repeat(65) }),
      result({ status: 'credited', amountFen: 84, html: '<script>' }),
      result({ status: 'rejected', code: 'CAP_CAMPAIGN_WALLET', amountFen: 84 }),
      result({ status: 'paid', amountFen: 84 }),
      result([]),
      Buffer.from(
        JSON.stringify({
          ticketSeq: 5,
          claimedAt: T0,
          result: { status: 'credited', amountFen: 84, brand: '福' },
        }) + ' '.repeat(1024),
      ),
    ];
    for (const payload of garbage) await broker.publish(k.screenId, 'claimed', payload);
    await broker.publish(k.screenId, 'claimed', JSON.stringify({ ticketSeq: 7, claimedAt: T0 + 3 }));
    const claimed = await k.events.next(
      (event) => event.type === 'ticket-claimed' && event.claimed !== null,
      'the valid claimed message',
      { includeSeen: true },
    );
    expect(claimed).toEqual({ type: 'ticket-claimed', claimed: { ticketSeq: 7, claimedAt: T0 + 3 } });
    // A message with the outcome, as the cloud now sends it, is handed on whole.
    const withResult = {
      ticketSeq: 8,
      claimedAt: T0 + 4,
      result: { status: 'credited', amountFen: 84, brand: '茶颜悦色' },
    };
    await broker.publish(k.screenId, 'claimed', JSON.stringify(withResult));
    expect(
      await k.events.next(
        (event) => event.type === 'ticket-claimed' && event.claimed?.ticketSeq === 8,
        'the claimed message with its outcome',
        { includeSeen: true },
      ),
    ).toEqual({ type: 'ticket-claimed', claimed: withResult });
    await k.events.until(() => k.sync.stats().claimedInvalid === garbage.length, 'the garbage to be counted');
    expect(k.events.seen.filter((event) => event.type === 'handler-error')).toEqual([]);
    const codes = logged
      .filter((line) => line.msg === 'invalid claimed message ignored')
      .map((line) => line.code);
    expect(codes).toEqual(garbage.map(() => KioskCode.CLAIMED_MESSAGE_INVALID));
  });

  it('stores a verified deck, rejects a forged one, and answers both with a receipt', async () => {
    const k = (kiosk = startSyncKiosk({ mqttUrl: url, topicRoot: root }));
    await connected(k);
    await broker.publish(k.screenId, 'decks', deckBytes({ deckId: 5_001, screenId: k.screenId }));
    await broker.publish(
      k.screenId,
      'decks',
      deckBytes({ deckId: 5_002, screenId: k.screenId, issuer: generateKeyPair() }),
    );
    await broker.waitForEvent((e) => e.type === 'deck-receipt' && e.deckId === 5_002, 'the forged receipt');
    const receipts = broker.eventsOfType('deck-receipt').filter((e) => Number(e.deckId) >= 5_001);
    expect(receipts).toEqual([
      { type: 'deck-receipt', deckId: 5_001, status: 'stored' },
      { type: 'deck-receipt', deckId: 5_002, status: 'rejected', code: 'DECK_SIGNATURE_INVALID' },
    ]);
    expect(getDeckState(k.store, 5_001)).toMatchObject({ count: 8, fallbackCount: 4, cursor: 0 });
    expect(getDeckState(k.store, 5_002)).toBeNull();

    // Four envelopes are below the threshold of 10: one refill request for this deck, not one per check.
    const low = await broker.waitForEvent(
      (e) => e.type === 'deck-low' && e.deckId === 5_001,
      'the refill request',
    );
    expect(low).toMatchObject({ campaignId: 12, remaining: 4, tapRatePerHour: 0 });
    k.sync.maintainNow();
    k.sync.maintainNow();
    expect(broker.eventsOfType('deck-low').filter((e) => e.deckId === 5_001)).toHaveLength(1);
  });

  it('applies a newer retained config and ignores an older one', async () => {
    const k = (kiosk = startSyncKiosk({ mqttUrl: url, topicRoot: root }));
    await connected(k);
    const newer = screenConfig({ version: 3, campaigns: [campaign({ campaignId: 77, name: 'Coffee' })] });
    await broker.publish(k.screenId, 'config', JSON.stringify(newer), true);
    await k.events.next((e) => e.type === 'config' && e.outcome === 'stored', 'the new config', {
      includeSeen: true,
    });
    expect(k.engine.trustView?.campaigns.map((c) => c.campaignId)).toEqual([77]);
    const stale = k.events.next((e) => e.type === 'config' && e.outcome === 'stale', 'the stale config');
    await broker.publish(k.screenId, 'config', JSON.stringify(screenConfig({ version: 2 })), true);
    await stale;
    expect(loadConfig(k.store)?.version).toBe(3);
    await broker.publish(k.screenId, 'config', '', true);
  });

  it('drains the backlog after the link is cut and restored', async () => {
    const proxy = await TcpProxy.start(url);
    try {
      const k = (kiosk = startSyncKiosk({ mqttUrl: proxy.url, topicRoot: root }));
      await connected(k);
      await proxy.cut();
      await k.events.next((e) => e.type === 'disconnected', 'the cut', { includeSeen: true });
      appendFakeTaps(k.store, 2_000, T0);
      k.sync.notifyTapCommitted();
      await proxy.restore();
      await k.events.until(() => backlogCount(k.store) === 0, 'the backlog to drain after the outage');
      expect(k.events.seen.filter((e) => e.type === 'connected').length).toBeGreaterThanOrEqual(2);
    } finally {
      await proxy.close();
    }
  });

  it('closes expired decks after a three-day clock jump and keeps sending heartbeats', async () => {
    const k = (kiosk = startSyncKiosk({
      mqttUrl: url,
      topicRoot: root,
      limits: { heartbeatIntervalMs: 100 },
    }));
    await connected(k);
    await broker.publish(k.screenId, 'decks', deckBytes({ deckId: 6_001, screenId: k.screenId }));
    await k.events.next((e) => e.type === 'deck' && e.receipt.deckId === 6_001, 'the deck', {
      includeSeen: true,
    });
    k.clock.now = T0 + 3 * 86_400;
    k.sync.maintainNow();
    const close = await broker.waitForEvent((e) => e.type === 'deck-close', 'the deck close report');
    const report = fromHex(String(close.report)) ?? new Uint8Array(0);
    expect(verifyDeckCloseSignature(report, keys.screen.publicKey)).toBe(true);
    const decoded = decodeDeckClose(report);
    expect(decoded.ok && decoded.value).toMatchObject({ deckId: 6_001, screenId: k.screenId, usedCount: 0 });
    expect(getDeckState(k.store, 6_001)?.closedAt).toBe(T0 + 3 * 86_400);
    await broker.waitForEvent(
      (e) => e.type === 'heartbeat' && e.ts === T0 + 3 * 86_400,
      'a heartbeat after the jump',
    );
    expect(k.sync.isConnected).toBe(true);
  });

  it('reports finished proof-of-play periods once, after the broker took them', async () => {
    const sha = 'ab'.repeat(32);
    const k = (kiosk = startSyncKiosk({
      mqttUrl: url,
      topicRoot: root,
      limits: { heartbeatIntervalMs: 100 },
      before: (store) => {
        addPlays(store, {
          periodStart: T0 - 7_200,
          periodEnd: T0 - 3_600,
          creativeSha256: sha,
          campaignId: 12,
          plays: 3,
          durationMs: 45_000,
        });
        addPlays(store, {
          periodStart: T0 - 600,
          periodEnd: T0 + 3_000,
          creativeSha256: sha,
          campaignId: 12,
          plays: 1,
          durationMs: 15_000,
        });
      },
    }));
    const event = await broker.waitForEvent(
      (e) => e.type === 'proof-of-play' && e.periodStart === T0 - 7_200,
      'the proof-of-play report',
    );
    expect(event).toEqual({
      type: 'proof-of-play',
      periodStart: T0 - 7_200,
      periodEnd: T0 - 3_600,
      items: [{ creativeSha256: sha, campaignId: 12, plays: 3, durationMs: 45_000 }],
    });
    await k.events.until(() => unreportedPlays(k.store, T0).length === 0, 'the period to be marked reported');
    // The period still running is not reported yet.
    expect(unreportedPlays(k.store, T0 + 3_001)).toHaveLength(1);
  });
});
