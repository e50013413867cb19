// Hostile MQTT ingest: a hundred thousand random payloads and mutated valid batches through the real
// ingest path (the broker's inbound dispatch → the redemption queue → acks), the bulk handed straight to
// `Inbound.dispatch` and a sample published over a real socket to the embedded broker. Every answer is a
// typed rejection, only the genuine taps move money (each exactly once), nothing crashes, and the heap
// stays bounded. REDTAP_MQTT_FUZZ_PAYLOADS sets the bulk count (default 100,000); a smaller count is a
// cheap way to try many seeds. REDTAP_MQTT_FUZZ_SEED replays a run's input: every payload byte comes from
// the seeded generator (only the genuine tokens' ECDSA signatures differ from run to run); how the async
// work interleaves depends on timing and is not replayed. A third case sends tokens the screens really
// signed with hostile contents (fields out of range, unknown and foreign decks, reused envelopes, coupons
// no deck grants, far-future and far-past times): none pays or issues anything it should not.
import { randomBytes, randomInt } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Ack,
  encodeTapBatch,
  errorCodes,
  screenMqttUsername,
  screenTopic,
  seededRandomInt,
  TAP_BATCH_BYTES_MAX,
  TAP_TOKEN_LENGTH,
  type RandomInt,
} from '@redtap/shared';
import { createEmbeddedBroker } from '../../src/broker/embedded-broker.ts';
import { Inbound, withTimeout } from '../../src/broker/inbound.ts';
import { connectOnce } from '../../src/broker/mqtt-connect.ts';
import type { CloudBroker, TapBatchMessage } from '../../src/broker/types.ts';
import type { DatabaseHandle } from '../../src/db/client.ts';
import { checkLedger } from '../../src/ledger/check-ledger.ts';
import { Collector } from '../broker/collector.ts';
import { sql } from 'drizzle-orm';
import { int, queryRows } from '../../src/db/rows.ts';
import { defaultMoneySettings } from '../../src/money-settings.ts';
import { openTestDatabase } from '../databases.ts';
import { FakeBroker } from '../fake-broker.ts';
import { createTestCloud, type TestCloud } from '../harness.ts';
import { buildWorld, makeTap, registerPhone, tiersPlan, type Kiosk, type World } from '../money-world.ts';
import { fullGc, heapUsedMiB, ledgerChanges, ledgerSnapshot, walletAccountId } from './ledger-snapshot.ts';

const PAYLOADS = Number(process.env.REDTAP_MQTT_FUZZ_PAYLOADS ?? 100_000);
/**
 * A fresh seed per run unless REDTAP_MQTT_FUZZ_SEED names one. It is in the suite's title, so it is shown
 * however the run ends, even when it never returns.
 */
const SEED = Number(process.env.REDTAP_MQTT_FUZZ_SEED ?? randomInt(2 ** 32)) >>> 0;
const SOCKET_PAYLOADS = 1_000;
/** Dispatched before waiting for the lane to drain: below the inbound queue bound, so nothing is dropped. */
const CHUNK = 500;
/** Bounded waits, generous because CI shares two cores with other suites. */
const WAIT_MS = 180_000;
const ROOT = 'redtap/test';
const logger = pino({ level: 'silent' });
const knownCodes = new Set<string>(errorCodes);

/** A broker whose inbound side is the production `Inbound`, fed by the test instead of a socket. */
class DispatchBroker extends FakeBroker {
  // Room for a whole chunk from one screen: this suite judges content; fair queuing is
  // test/security/screen-flood.test.ts's.
  readonly inbound = new Inbound({ topicRoot: ROOT, logger, limits: { screenQueueLengthMax: CHUNK } });
  handled = 0;
  private readonly drained = new Collector<number>();

  override onTapBatch(handler: (message: TapBatchMessage) => Promise<void>): void {
    this.inbound.onTapBatch(async (message) => {
      try {
        await handler(message);
      } finally {
        this.handled += 1;
        this.drained.push(this.handled);
      }
    });
  }

  /** Waits, with a bound, until the tap lane has handled every batch it accepted. */
  async drain(): Promise<void> {
    const accepted = this.inbound.stats().tapBatchesAccepted;
    await this.drained.waitFor((handled) => handled >= accepted, WAIT_MS, `batch ${accepted} handled`);
  }
}

interface AckTally {
  credited: number;
  duplicate: number;
  rejected: number;
  retry: number;
}

/** Every ack result per `(screenId, counter)`, with the codes seen. */
class AckBook {
  readonly byIdentity = new Map<string, AckTally>();
  readonly codes = new Map<string, number>();
  results = 0;
  invalid = 0;

  record(screenId: number, ack: unknown): void {
    const parsed = Ack.safeParse(ack);
    if (!parsed.success) {
      this.invalid += 1;
      return;
    }
    for (const result of parsed.data.results) {
      this.results += 1;
      const key = `${screenId}:${result.counter}`;
      const tally = this.byIdentity.get(key) ?? { credited: 0, duplicate: 0, rejected: 0, retry: 0 };
      tally[result.status] += 1;
      this.byIdentity.set(key, tally);
      const code = result.code ?? result.status;
      this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
    }
  }
}

interface Genuine {
  kiosk: Kiosk;
  batches: Uint8Array[][];
  /** counter → what the genuine token pays, and to whom. */
  amounts: Map<number, { amountFen: number; walletId: number }>;
}

/** Bytes from the seeded generator, so a seed replays the very same payloads. */
function seededBytes(random: RandomInt, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = random(0, 256);
  return bytes;
}

/** The redemption queue drained, with a bound: a batch that is never answered fails the run. */
function redemptionIdle(cloud: TestCloud): Promise<void> {
  return withTimeout(cloud.deps.redemption.idle(), WAIT_MS);
}

function flipBits(bytes: Uint8Array, random: RandomInt, flips: number): Uint8Array {
  const copy = bytes.slice();
  for (let i = 0; i < flips; i++) {
    const at = random(0, copy.length);
    copy[at] = (copy[at] ?? 0) ^ (1 << random(0, 8));
  }
  return copy;
}

/** A framing-valid batch of random token bodies: decoded, then judged token by token. */
function randomTokensBatch(random: RandomInt): Uint8Array {
  const count = random(1, 6);
  const tokens = Array.from({ length: count }, () => {
    const token = seededBytes(random, TAP_TOKEN_LENGTH);
    if (random(0, 2) === 0) token[0] = 1;
    return token;
  });
  return encodeTapBatch(tokens);
}

describe(`hostile MQTT ingest (seed ${SEED})`, () => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let world: World;
  const genuine: Genuine[] = [];

  beforeAll(async () => {
    handle = await openTestDatabase('pglite');
    // Two screens send everything here, forged tokens included: no per-screen share or suspension, so
    // every genuine batch is judged and the assertions below can count them exactly.
    cloud = createTestCloud(handle, {
      money: {
        ...defaultMoneySettings,
        ingestScreenBatchesMax: defaultMoneySettings.ingestQueueBatchesMax,
        screenSignatureStrikesMax: Number.MAX_SAFE_INTEGER,
      },
    });
    world = await buildWorld(cloud, {
      cities: ['Shanghai', 'Beijing'],
      plan: tiersPlan(40_000),
      budgetFen: 40_000,
      cashPerWalletPerDay: 5,
    });
    // Genuine taps: separate phones per kiosk (one wallet at two cities would be impossible travel).
    for (const kiosk of world.kiosks) {
      const deck = kiosk.decks[0];
      const usable = Math.min(24, (deck?.envelopes.length ?? 0) - 1);
      const tokens: Uint8Array[] = [];
      const amounts: Genuine['amounts'] = new Map();
      for (let i = 0; i < usable; i += 2) {
        const phone = await registerPhone(cloud);
        for (let k = 0; k < 2 && i + k < usable; k++) {
          tokens.push(makeTap(kiosk, phone, cloud.clock.nowMs));
          const envelope = deck?.envelopes[(kiosk.cursor.get(deck.deckId) ?? 0) - 1];
          amounts.set(kiosk.counter, { amountFen: envelope?.amountFen ?? -1, walletId: phone.walletId });
        }
      }
      const batches: Uint8Array[][] = [];
      for (let i = 0; i < tokens.length; i += 4) batches.push(tokens.slice(i, i + 4));
      genuine.push({ kiosk, batches, amounts });
    }
  }, 120_000);
  afterAll(async () => {
    await handle.close();
  });

  it(`answers ${PAYLOADS} hostile payloads with typed rejections and credits genuine taps once`, async () => {
    const seed = SEED;
    console.log(`[mqtt-ingest] seed ${seed}; replay with REDTAP_MQTT_FUZZ_SEED=${seed}`);
    const random = seededRandomInt(seed);
    const broker = new DispatchBroker();
    const book = new AckBook();
    broker.publishAck = (screenId, ack) => {
      book.record(screenId, ack);
      return Promise.resolve();
    };
    broker.inbound.onScreenEvent(() => Promise.resolve());
    cloud.deps.redemption.attach(broker);
    const [a, b] = genuine as [Genuine, Genuine];
    const kioskA = a.kiosk;
    const kioskB = b.kiosk;
    const allGenuine = genuine.flatMap((g) => g.batches.map((batch) => ({ kiosk: g.kiosk, batch })));
    // Genuine batches go out in counter order at random points; afterwards they are only ever replayed.
    const firstSendAt = allGenuine.map(() => random(0, Math.floor(PAYLOADS / 2))).sort((x, y) => x - y);
    let nextGenuine = 0;
    const sent: { kiosk: Kiosk; batch: Uint8Array[] }[] = [];
    const kinds = new Map<string, number>();
    const before = await ledgerSnapshot(cloud.deps.db);
    const gc = fullGc();
    let heapBaselineMiB = 0;
    const startedMs = Date.now();

    const payloadAt = (i: number): { topic: string; payload: Uint8Array; kind: string } => {
      if (nextGenuine < allGenuine.length && (firstSendAt[nextGenuine] ?? 0) <= i) {
        const next = allGenuine[nextGenuine++]!;
        sent.push(next);
        return {
          topic: screenTopic(next.kiosk.screenId, 'taps', ROOT),
          payload: encodeTapBatch(next.batch),
          kind: 'genuine',
        };
      }
      const own = random(0, 2) === 0 ? kioskA : kioskB;
      const ownTopic = screenTopic(own.screenId, 'taps', ROOT);
      const valid = sent.length > 0 ? sent[random(0, sent.length)] : undefined;
      const validBytes =
        valid === undefined
          ? encodeTapBatch([new Uint8Array(TAP_TOKEN_LENGTH)])
          : encodeTapBatch(valid.batch);
      const validTopic = screenTopic(valid?.kiosk.screenId ?? own.screenId, 'taps', ROOT);
      const pick = random(0, 100);
      if (pick < 50)
        return { topic: ownTopic, payload: seededBytes(random, random(0, 1_200)), kind: 'random' };
      if (pick < 62) return { topic: ownTopic, payload: randomTokensBatch(random), kind: 'random-tokens' };
      if (pick < 70)
        return { topic: validTopic, payload: flipBits(validBytes, random, random(1, 4)), kind: 'bit-flip' };
      if (pick < 76)
        return {
          topic: validTopic,
          payload: validBytes.subarray(0, random(0, validBytes.length)),
          kind: 'truncated',
        };
      if (pick < 80) {
        const longer = new Uint8Array(validBytes.length + random(1, 300));
        longer.set(validBytes);
        longer.set(seededBytes(random, longer.length - validBytes.length), validBytes.length);
        return { topic: validTopic, payload: longer, kind: 'extended' };
      }
      if (pick < 83) {
        const recounted = validBytes.slice();
        const count = [0, 501, 0xffff, (recounted[2] ?? 0) + 1][random(0, 4)] ?? 0;
        recounted[1] = count >> 8;
        recounted[2] = count & 0xff;
        return { topic: validTopic, payload: recounted, kind: 'bad-count' };
      }
      if (pick < 84)
        return {
          topic: ownTopic,
          payload: new Uint8Array(TAP_BATCH_BYTES_MAX + random(1, 1_000)),
          kind: 'oversized',
        };
      if (pick < 88) {
        // Another screen's tokens inside this screen's batch, mixed with its own.
        const foreign = genuine.find((g) => g.kiosk !== own)?.batches[0] ?? [];
        const mine = genuine.find((g) => g.kiosk === own)?.batches[0] ?? [];
        const mixed = [...foreign, ...(sent.some((s) => s.kiosk === own) ? mine.slice(0, 1) : [])];
        return { topic: ownTopic, payload: encodeTapBatch(mixed), kind: 'foreign-tokens' };
      }
      if (pick < 97) {
        const topics = [
          screenTopic(own.screenId, 'events', ROOT),
          screenTopic(own.screenId, 'acks', ROOT),
          screenTopic(own.screenId, 'decks', ROOT),
          screenTopic(own.screenId, 'config', ROOT),
          `other/v1/screens/${own.screenId}/taps`,
          `${ROOT}/screens/0/taps`,
          `${ROOT}/screens/abc/taps`,
          `${ROOT}/screens/99999999999999999999/taps`,
          `${ROOT}/screens/${own.screenId}/taps/extra`,
          `$share/x/${ROOT}/screens/${own.screenId}/taps`,
          '',
        ];
        return { topic: topics[random(0, topics.length)] ?? '', payload: validBytes, kind: 'wrong-topic' };
      }
      // Replays of a genuine batch that was already sent, on its own screen's topic.
      return { topic: validTopic, payload: validBytes, kind: valid === undefined ? 'padding' : 'replay' };
    };

    for (let start = 0; start < PAYLOADS; start += CHUNK) {
      for (let i = start; i < Math.min(PAYLOADS, start + CHUNK); i++) {
        const { topic, payload, kind } = payloadAt(i);
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        broker.inbound.dispatch(topic, payload);
      }
      await broker.drain();
      await redemptionIdle(cloud);
      if (start === 5 * CHUNK) heapBaselineMiB = heapUsedMiB(gc);
    }
    while (nextGenuine < allGenuine.length) {
      const { topic, payload } = payloadAt(PAYLOADS);
      broker.inbound.dispatch(topic, payload);
    }
    await broker.drain();
    await redemptionIdle(cloud);
    const heapEndMiB = heapUsedMiB(gc);
    const elapsedMs = Date.now() - startedMs;

    // Nothing failed inside the ingest path and nothing was dropped for lack of room.
    const stats = broker.inbound.stats();
    expect(stats.handlerErrors).toBe(0);
    expect(stats.handlerTimeouts).toBe(0);
    expect(stats.messagesDropped).toBe(0);
    expect(book.invalid).toBe(0);

    // Each genuine identity was credited exactly once; nothing else was credited or called a duplicate.
    const genuineKeys = new Set(
      genuine.flatMap((g) => [...g.amounts.keys()].map((counter) => `${g.kiosk.screenId}:${counter}`)),
    );
    for (const key of genuineKeys) {
      expect(book.byIdentity.get(key), key).toMatchObject({ credited: 1, retry: 0 });
    }
    for (const [key, tally] of book.byIdentity) {
      if (!genuineKeys.has(key))
        expect([key, tally.credited, tally.duplicate, tally.retry]).toEqual([key, 0, 0, 0]);
    }
    for (const code of book.codes.keys()) {
      if (!['credited', 'duplicate'].includes(code)) expect(knownCodes, code).toContain(code);
    }
    expect(book.codes.get('duplicate') ?? 0).toBeGreaterThan(0);
    expect(book.codes.get('SCREEN_MISMATCH') ?? 0).toBeGreaterThan(0);

    // Money: only escrow → the genuine wallets, by exactly the genuine amounts.
    const changes = ledgerChanges(before, await ledgerSnapshot(cloud.deps.db));
    const expectedWallets = new Map<number, number>();
    for (const g of genuine) {
      for (const { amountFen, walletId } of g.amounts.values()) {
        const account = await walletAccountId(cloud.deps.db, walletId);
        expectedWallets.set(account, (expectedWallets.get(account) ?? 0) + amountFen);
      }
    }
    let escrowOut = 0;
    for (const [account, delta] of changes) {
      if (expectedWallets.has(account)) expect(delta).toBe(expectedWallets.get(account));
      else {
        expect(delta, `account ${account}`).toBeLessThan(0);
        escrowOut += delta;
      }
    }
    const credited = [...expectedWallets.values()].reduce((sum, fen) => sum + fen, 0);
    expect(escrowOut).toBe(-credited);
    expect([...expectedWallets.keys()].every((account) => changes.has(account))).toBe(true);
    expect(await checkLedger(cloud.deps.db)).toMatchObject({ ok: true, totalFen: 0 });

    // Heap: the ingest path keeps nothing per payload.
    const growthMiB = heapEndMiB - heapBaselineMiB;
    expect(growthMiB).toBeLessThan(gc === null ? 256 : 32);
    console.log(
      `[mqtt-ingest] ${PAYLOADS} payloads in ${elapsedMs} ms (${JSON.stringify(Object.fromEntries(kinds))}); ` +
        `${book.results} ack results ${JSON.stringify(Object.fromEntries(book.codes))}; ` +
        `${genuineKeys.size} genuine taps credited once (${credited} fen); inbound ${JSON.stringify(stats)}; ` +
        `heap ${heapBaselineMiB.toFixed(1)} → ${heapEndMiB.toFixed(1)} MiB (${gc === null ? 'no gc' : 'after gc'}); seed ${seed}`,
    );
  }, 600_000);

  it(`takes ${SOCKET_PAYLOADS} hostile payloads over a real MQTT socket and stays connected`, async () => {
    const random = seededRandomInt((SEED + 1) >>> 0);
    const kiosk = genuine[0]!.kiosk;
    const password = randomBytes(12).toString('hex');
    const broker: CloudBroker = await createEmbeddedBroker({
      logger,
      topicRoot: ROOT,
      port: 0,
      // One screen sends all 1,000: room for them in its share of the lane, as in the case above.
      limits: { screenQueueLengthMax: SOCKET_PAYLOADS },
      authenticateScreen: (username, given) =>
        Promise.resolve(
          username === screenMqttUsername(kiosk.screenId) && given === password ? kiosk.screenId : null,
        ),
    });
    let client: MqttClient | undefined;
    try {
      cloud.deps.redemption.attach(broker);
      const handled = new Collector<number>();
      let count = 0;
      broker.onTapBatch(() => {
        handled.push(++count);
        return Promise.resolve();
      });
      const before = await ledgerSnapshot(cloud.deps.db);
      const username = screenMqttUsername(kiosk.screenId);
      client = await connectOnce(
        broker.url,
        { username, password, clientId: username, protocolVersion: 4, reconnectPeriod: 0 },
        10_000,
      );
      const acks = new Collector<unknown>();
      client.on('message', (_topic, payload) => acks.push(JSON.parse(payload.toString('utf8'))));
      await client.subscribeAsync(screenTopic(kiosk.screenId, 'acks', ROOT), { qos: 1 });
      const replay = encodeTapBatch(genuine[0]!.batches[0]!);
      const topic = screenTopic(kiosk.screenId, 'taps', ROOT);
      for (let start = 0; start < SOCKET_PAYLOADS; start += 100) {
        const sends: Promise<unknown>[] = [];
        for (let i = start; i < start + 100; i++) {
          const pick = random(0, 4);
          const payload =
            pick === 0
              ? seededBytes(random, random(0, 1_200))
              : pick === 1
                ? randomTokensBatch(random)
                : pick === 2
                  ? flipBits(replay, random, random(1, 4))
                  : replay;
          sends.push(client.publishAsync(topic, Buffer.from(payload), { qos: 1 }));
        }
        await Promise.all(sends);
      }
      await handled.waitFor((n) => n >= SOCKET_PAYLOADS, WAIT_MS, 'every socket batch handled');
      await redemptionIdle(cloud);
      // The replays come back over the socket as duplicates; every ack is well-formed.
      const duplicate = await acks.waitFor(
        (ack) => Ack.safeParse(ack).data?.results.some((r) => r.status === 'duplicate') === true,
        WAIT_MS,
        'a duplicate ack over the socket',
      );
      expect(duplicate).toBeDefined();
      const parsed = acks.items.map((ack) => Ack.safeParse(ack));
      expect(parsed.every((result) => result.success)).toBe(true);
      const statuses = new Set(parsed.flatMap((result) => result.data?.results.map((r) => r.status) ?? []));
      expect(statuses.has('credited')).toBe(false);
      expect(client.connected).toBe(true);
      expect(broker.stats()).toMatchObject({ handlerErrors: 0, handlerTimeouts: 0 });
      expect(ledgerChanges(before, await ledgerSnapshot(cloud.deps.db)).size).toBe(0);
      console.log(
        `[mqtt-ingest socket] ${SOCKET_PAYLOADS} payloads over aedes: ${acks.items.length} acks, ` +
          `statuses ${[...statuses].join(',')}, no money moved`,
      );
    } finally {
      client?.end(true);
      await broker.close();
    }
  }, 300_000);

  it('judges screen-signed tokens with hostile contents without moving money wrongly', async () => {
    const random = seededRandomInt((SEED + 2) >>> 0);
    const broker = new DispatchBroker();
    const book = new AckBook();
    broker.publishAck = (screenId, ack) => {
      book.record(screenId, ack);
      return Promise.resolve();
    };
    broker.inbound.onScreenEvent(() => Promise.resolve());
    cloud.deps.redemption.attach(broker);
    const [a, b] = genuine as [Genuine, Genuine];
    const deckOf = (kiosk: Kiosk) => {
      const deck = kiosk.decks[0];
      if (deck === undefined) throw new Error('kiosk without a deck');
      return deck;
    };
    const phones = [await registerPhone(cloud), await registerPhone(cloud), await registerPhone(cloud)];
    const couponsBefore = async () => {
      const [row] = await queryRows<{ n: unknown }>(cloud.deps.db, sql`select count(*) as n from coupons`);
      return int(row?.n);
    };
    const coupons = await couponsBefore();
    const before = await ledgerSnapshot(cloud.deps.db);

    // One genuine tap on an envelope no other case used; afterwards only replayed under new counters.
    const kioskA = a.kiosk;
    const deckA = deckOf(kioskA);
    // The last main envelope (the allotment's coupon slots follow it, docs/protocol.md §3.4).
    const reusedIndex = deckA.envelopes.length - deckA.fallbackCount - 1;
    const payer = phones[0]!;
    const genuineTap = makeTap(kioskA, payer, cloud.clock.nowMs, { envelopeIndex: reusedIndex });
    const genuineKey = `${kioskA.screenId}:${kioskA.counter}`;
    broker.inbound.dispatch(screenTopic(kioskA.screenId, 'taps', ROOT), encodeTapBatch([genuineTap]));
    await broker.drain();
    await redemptionIdle(cloud);
    expect(book.byIdentity.get(genuineKey)).toMatchObject({ credited: 1 });

    const nowS = Math.floor(cloud.clock.nowMs / 1000);
    const cases = [
      'coupon-out-of-range',
      'envelope-coupon-out-of-range',
      'unknown-deck',
      'foreign-deck',
      'reused-envelope',
      'envelope-out-of-range',
      'envelope-mismatch',
      'coupon-no-deck',
      'foreign-campaign-coupon',
      'future-ts',
      'past-ts',
    ] as const;
    const kinds = new Map<string, number>();
    const hostileTap = (kiosk: Kiosk, other: Kiosk): Uint8Array => {
      const phone = phones[random(0, phones.length)]!;
      const deck = deckOf(kiosk);
      const kind = cases[random(0, cases.length)]!;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      const fresh = random(0, Math.min(20, deck.envelopes.length));
      switch (kind) {
        case 'coupon-out-of-range':
          return makeTap(kiosk, phone, cloud.clock.nowMs, {
            deck: null,
            campaignId: world.campaignId,
            couponOfferId: 2 ** 31 + random(0, 2 ** 31 - 1),
          });
        case 'envelope-coupon-out-of-range':
          return makeTap(kiosk, phone, cloud.clock.nowMs, {
            envelopeIndex: fresh,
            couponOfferId: 0xffffffff,
          });
        case 'unknown-deck':
          return makeTap(kiosk, phone, cloud.clock.nowMs, {
            deck: { ...deck, deckId: 1_000_000 + random(0, 1_000_000) },
            envelopeIndex: fresh,
          });
        case 'foreign-deck':
          return makeTap(kiosk, phone, cloud.clock.nowMs, { deck: deckOf(other), envelopeIndex: fresh });
        case 'reused-envelope':
          return kiosk === kioskA
            ? makeTap(kiosk, phone, cloud.clock.nowMs, { envelopeIndex: reusedIndex })
            : makeTap(kiosk, phone, cloud.clock.nowMs, { deck: deckOf(other), envelopeIndex: reusedIndex });
        case 'envelope-out-of-range':
          return makeTap(kiosk, phone, cloud.clock.nowMs, {
            envelopeIndex: deck.envelopes.length + random(0, 0xfffe - deck.envelopes.length),
            amountFen: random(1, 10_000),
          });
        case 'envelope-mismatch':
          return makeTap(kiosk, phone, cloud.clock.nowMs, {
            envelopeIndex: fresh,
            amountFen: (deck.envelopes[fresh]?.amountFen ?? 0) + random(1, 1_000),
          });
        case 'coupon-no-deck':
          // The campaign's own offer while it is no fallback (withdrawn below), or ids around it.
          return makeTap(kiosk, phone, cloud.clock.nowMs, {
            deck: null,
            campaignId: world.campaignId,
            couponOfferId: world.couponOfferId + (random(0, 2) === 0 ? 0 : random(1, 1_000)),
          });
        case 'foreign-campaign-coupon':
          return makeTap(kiosk, phone, cloud.clock.nowMs, {
            deck: null,
            campaignId: world.campaignId + random(1, 1_000),
            couponOfferId: random(1, 2 ** 31 - 1),
          });
        case 'future-ts':
          // Within the credential's life but past the clock bound (a thank-you tap), or far beyond it.
          return random(0, 2) === 0
            ? makeTap(kiosk, phone, cloud.clock.nowMs, {
                deck: null,
                campaignId: world.campaignId,
                ts: nowS + 3_600 + random(0, 86_400),
              })
            : makeTap(kiosk, phone, cloud.clock.nowMs, {
                envelopeIndex: fresh,
                ts: nowS + 3_600 + random(0, 2 ** 32 - 1 - nowS - 3_600),
              });
        case 'past-ts':
          return makeTap(kiosk, phone, cloud.clock.nowMs, {
            envelopeIndex: fresh,
            ts: random(1, nowS - 86_400),
          });
      }
    };

    const hostileTokens = Math.max(200, Math.min(2_000, Math.floor(PAYLOADS / 50)));
    // No fallback offer for now: every coupon on a tap without an envelope is one no deck grants.
    await cloud.deps.db.execute(
      sql`update campaigns set rules = jsonb_set(rules, '{fallbackCouponOfferId}', '0') where id = ${world.campaignId}`,
    );
    let made = 0;
    while (made < hostileTokens) {
      for (let i = 0; i < CHUNK && made < hostileTokens; i++) {
        const [kiosk, other] = random(0, 2) === 0 ? [a.kiosk, b.kiosk] : [b.kiosk, a.kiosk];
        const count = Math.min(random(1, 6), hostileTokens - made);
        const tokens = Array.from({ length: count }, () => hostileTap(kiosk, other));
        made += count;
        broker.inbound.dispatch(screenTopic(kiosk.screenId, 'taps', ROOT), encodeTapBatch(tokens));
      }
      await broker.drain();
      await redemptionIdle(cloud);
    }
    await cloud.deps.db.execute(
      sql`update campaigns set rules = jsonb_set(rules, '{fallbackCouponOfferId}', ${String(world.couponOfferId)}::jsonb)
          where id = ${world.campaignId}`,
    );

    // The process took it all: no handler failed, nothing was dropped, every ack is well formed.
    const stats = broker.inbound.stats();
    expect(stats).toMatchObject({ handlerErrors: 0, handlerTimeouts: 0, messagesDropped: 0 });
    expect(book.invalid).toBe(0);
    // Nothing hostile was credited, duplicated or left for retry: each was rejected with a known code.
    for (const [key, tally] of book.byIdentity) {
      if (key === genuineKey) continue;
      expect([key, tally]).toEqual([key, { credited: 0, duplicate: 0, rejected: 1, retry: 0 }]);
    }
    expect(book.results).toBe(hostileTokens + 1);
    for (const code of book.codes.keys()) if (code !== 'credited') expect(knownCodes, code).toContain(code);
    for (const code of [
      'TOKEN_FIELD_OUT_OF_RANGE',
      'DECK_UNKNOWN',
      'DECK_WRONG_SCREEN',
      'ENVELOPE_REUSED',
      'ENVELOPE_MISMATCH',
      'COUPON_NOT_GRANTED',
      'CLOCK_SKEW',
    ])
      expect(book.codes.get(code) ?? 0, code).toBeGreaterThan(0);

    // Money: the one genuine envelope reached its wallet; the rest only went from escrow back to the
    // campaign budget (consumed envelopes of rejected taps); no other wallet, and no coupon.
    const changes = ledgerChanges(before, await ledgerSnapshot(cloud.deps.db));
    const payerAccount = await walletAccountId(cloud.deps.db, payer.walletId);
    expect(changes.get(payerAccount)).toBe(deckA.envelopes[reusedIndex]?.amountFen);
    for (const phone of phones.slice(1))
      expect(changes.has(await walletAccountId(cloud.deps.db, phone.walletId))).toBe(false);
    expect([...changes.values()].reduce((sum, delta) => sum + delta, 0)).toBe(0);
    expect(await couponsBefore()).toBe(coupons);
    expect(await checkLedger(cloud.deps.db)).toMatchObject({ ok: true, totalFen: 0 });
    console.log(
      `[mqtt-ingest signed] ${hostileTokens} screen-signed hostile tokens ${JSON.stringify(Object.fromEntries(kinds))}; ` +
        `codes ${JSON.stringify(Object.fromEntries(book.codes))}; seed ${SEED}`,
    );
  }, 300_000);
});
