// The MQTT ACL end to end, on both engines: a real cloud process (`startCloud`) with embedded aedes, and one
// with a private Mosquitto 2 and the dynamic-security plugin that this file starts itself. Two screens are
// enrolled through the real flow (operator code over HTTP, the kiosk signs it) and connect with mqtt.js
// using exactly the credentials enrolment issued. Screen A settles its own taps and gets its acks; it can
// neither publish on B's topics, directly or as a will (the cloud never sees such a message: no tap
// recorded, no money moved, B's presence untouched), nor subscribe to or receive B's acks, decks or config; wrong passwords,
// another screen's password or client id, and a revoked screen's credentials are refused.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Ack,
  decodeDeck,
  encodeTapBatch,
  ErrorCode,
  screenMqttUsername,
  screenTopic,
  type ScreenConfig,
  type ScreenTopicKind,
} from '@redtap/shared';
import { connectOnce, MqttConnectError } from '../../src/broker/mqtt-connect.ts';
import { startCloud, type RunningCloud } from '../../src/cloud.ts';
import { int, queryRows } from '../../src/db/rows.ts';
import { loadEnv } from '../../src/env.ts';
import { Collector, nextEvent, subackCodes } from '../broker/collector.ts';
import { mosquittoMissingReason, startMosquitto, type PrivateMosquitto } from '../broker/mosquitto.ts';
import { advertiserSession } from '../harness.ts';
import { ledgerChanges, ledgerSnapshot, walletAccountId } from '../hostile/ledger-snapshot.ts';
import {
  createActiveCampaign,
  enrolKiosk,
  makeTap,
  nextTransferId,
  registerPhone,
  tiersPlan,
  type CloudRequest,
  type Kiosk,
  type MqttGrant,
  type Phone,
} from '../money-world.ts';

const WAIT_MS = 10_000;
const OPERATOR = { email: 'acl-operator@example.com', password: 'operator-password' };
const BUDGET_FEN = 2_000;

interface Engine {
  name: string;
  /** CONNACK code (MQTT 3.1.1 §3.2.2.3) for a wrong password and for a client id other than the username. */
  badPasswordCode: number;
  wrongClientIdCode: number;
  /** aedes closes a connection that publishes out of bounds; Mosquitto drops the message silently. */
  forbiddenPublishDisconnects: boolean;
  missingReason(): string | null;
  /** Environment for `startCloud` beyond the common part, and how to stop what was started for it. */
  start(topicRoot: string): Promise<{ env: Record<string, string>; stop(): Promise<void> }>;
}

const engines: Engine[] = [
  {
    name: 'aedes (embedded)',
    badPasswordCode: 4,
    wrongClientIdCode: 2,
    forbiddenPublishDisconnects: true,
    missingReason: () => null,
    start: () => Promise.resolve({ env: { MQTT_PORT: '0' }, stop: () => Promise.resolve() }),
  },
  {
    name: 'mosquitto (dynamic security)',
    // dynsec answers every failed login "not authorised"; its client id binding refuses other ids.
    badPasswordCode: 5,
    wrongClientIdCode: 5,
    forbiddenPublishDisconnects: false,
    missingReason: mosquittoMissingReason,
    async start(topicRoot) {
      const mosquitto: PrivateMosquitto = await startMosquitto({ topicRoot });
      return {
        env: {
          MQTT_URL: mosquitto.url,
          MQTT_USERNAME: mosquitto.username,
          MQTT_PASSWORD: mosquitto.password,
        },
        stop: () => mosquitto.stop(),
      };
    },
  },
];

interface Received {
  topic: string;
  payload: Buffer;
}

/** A kiosk as the test drives it: its enrolment, its live connection and everything it received. */
interface Screen {
  kiosk: Kiosk;
  grant: MqttGrant;
  client: MqttClient;
  inbox: Collector<Received>;
}

/** The HTTP API of the running cloud over a real socket, shaped like the in-process harness. */
function httpApi(baseUrl: string): CloudRequest {
  return {
    request: (method, path, options = {}) => {
      const blob = options.body instanceof Blob ? options.body : null;
      return fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
          ...(options.body === undefined ? {} : { 'content-type': blob?.type ?? 'application/json' }),
        },
        ...(options.body === undefined ? {} : { body: blob ?? JSON.stringify(options.body) }),
      });
    },
  };
}

/** The CONNACK refusal of a login that must fail. */
async function refusal(connecting: Promise<MqttClient>): Promise<MqttConnectError> {
  const outcome = await connecting.then(
    (client) => {
      client.end(true);
      return new Error('the broker accepted the login');
    },
    (reason: unknown) => reason,
  );
  expect(outcome).toBeInstanceOf(MqttConnectError);
  return outcome as MqttConnectError;
}

const heartbeat = (appVersion: string) =>
  JSON.stringify({
    type: 'heartbeat',
    ts: Math.floor(Date.now() / 1000),
    appVersion,
    counter: 1,
    backlog: 0,
    decks: [],
  });

for (const engine of engines) {
  const missing = engine.missingReason();
  const inCi = process.env.CI === 'true';
  if (missing !== null && !inCi) console.warn(`\n*** SKIPPING MQTT ACL on ${engine.name}: ${missing} ***\n`);

  describe.skipIf(missing !== null && !inCi)(`MQTT ACL with enrolment credentials: ${engine.name}`, () => {
    const topicRoot = `redtap-acl-${process.pid}-${Date.now().toString(36)}/v1`;
    let dataDir: string | undefined;
    let stopEngine: (() => Promise<void>) | undefined;
    let cloud: RunningCloud;
    let api: CloudRequest;
    let operator: string;
    let a: Screen;
    let b: Screen;
    let phoneA: Phone;
    let phoneB: Phone;
    /** The connection number of A's last sentinel presence: a time in ms, as the kiosk's are. */
    let presenceSeqA = Date.now();
    /** A's first tap, settled in the first test and replayed later as a sentinel. */
    let firstTapA: Uint8Array | undefined;
    /** Every connection the suite opened, ended at the end whatever happened. */
    const clients: MqttClient[] = [];
    let stopCloud: (() => Promise<void>) | undefined;

    const topic = (screen: Screen, kind: ScreenTopicKind) =>
      screenTopic(screen.kiosk.screenId, kind, topicRoot);

    /** Logs in with the screen's enrolment grant and subscribes to its own down topics. */
    async function connect(screen: Omit<Screen, 'client'>): Promise<MqttClient> {
      const client = await connectOnce(
        screen.grant.url,
        {
          username: screen.grant.username,
          password: screen.grant.password,
          clientId: screen.grant.username,
          protocolVersion: 4,
          reconnectPeriod: 0,
        },
        WAIT_MS,
      );
      clients.push(client);
      client.on('message', (received, payload) => {
        screen.inbox.push({ topic: received, payload });
      });
      const own = (['acks', 'decks', 'config'] as const).map((kind) =>
        screenTopic(screen.kiosk.screenId, kind, topicRoot),
      );
      expect(await subackCodes(client, own)).toEqual([1, 1, 1]);
      return client;
    }

    async function enrolScreen(): Promise<Screen> {
      const { mqtt, ...kiosk } = await enrolKiosk(api, operator, 'Shanghai');
      expect(mqtt).toMatchObject({ username: screenMqttUsername(kiosk.screenId), topicRoot });
      const partial = { kiosk, grant: mqtt, inbox: new Collector<Received>() };
      return { ...partial, client: await connect(partial) };
    }

    /** The first message the screen received at or after position `from` of its inbox that matches. */
    function receivedAfter(
      screen: Screen,
      from: number,
      predicate: (message: Received) => boolean,
      what: string,
    ): Promise<Received> {
      return screen.inbox.waitFor(
        (message) => screen.inbox.items.indexOf(message) >= from && predicate(message),
        WAIT_MS,
        what,
      );
    }

    /** Acks on the screen's own topic, in arrival order. */
    const acksOf = (screen: Screen) =>
      screen.inbox.items
        .filter((message) => message.topic === topic(screen, 'acks'))
        .map((message) => Ack.parse(JSON.parse(message.payload.toString('utf8'))));

    async function nextAck(screen: Screen, counter: number, from: number): Promise<Ack['results'][number]> {
      const found = await receivedAfter(
        screen,
        from,
        (message) =>
          message.topic === topic(screen, 'acks') &&
          Ack.parse(JSON.parse(message.payload.toString('utf8'))).results.some((r) => r.counter === counter),
        `ack for counter ${counter} of screen ${screen.kiosk.screenId}`,
      );
      const ack = Ack.parse(JSON.parse(found.payload.toString('utf8')));
      return ack.results.find((result) => result.counter === counter)!;
    }

    async function healthOf(screen: Screen): Promise<{ appVersion: string } | null> {
      const response = await api.request('GET', `/v1/screens/${screen.kiosk.screenId}`, { token: operator });
      expect(response.status).toBe(200);
      return ((await response.json()) as { health: { appVersion: string } | null }).health;
    }

    /**
     * Everything A sent before this call has been judged by the broker and, where it got through, handled
     * by the cloud: one connection's messages are delivered in order, and the cloud's lanes are FIFO.
     */
    async function sentinel(label: string): Promise<void> {
      if (firstTapA === undefined) throw new Error('the first tap has not been sent');
      const from = a.inbox.items.length;
      await a.client.publishAsync(topic(a, 'taps'), Buffer.from(encodeTapBatch([firstTapA])), { qos: 1 });
      expect(await nextAck(a, 1, from)).toMatchObject({ status: 'duplicate' });
      await a.client.publishAsync(topic(a, 'events'), heartbeat(label), { qos: 1 });
      // And A's own presence, each with a higher connection number, through the presence lane.
      const seq = ++presenceSeqA;
      await a.client.publishAsync(
        topic(a, 'presence'),
        JSON.stringify({ online: true, seq, ts: Math.floor(Date.now() / 1000) }),
        { qos: 1 },
      );
      const deadline = Date.now() + WAIT_MS;
      while ((await healthOf(a))?.appVersion !== label || (await presenceOf(a)).seq !== seq) {
        if (Date.now() > deadline) throw new Error(`sentinel ${label} did not reach the cloud`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }

    /** The presence the cloud recorded for a screen (docs/protocol.md §5.6). */
    async function presenceOf(screen: Screen): Promise<{ connected: boolean | null; seq: number | null }> {
      const [row] = await queryRows<{ connected: boolean | null; presence_seq: unknown }>(
        cloud.deps.db,
        sql`select connected, presence_seq from screens where id = ${screen.kiosk.screenId}`,
      );
      if (row === undefined) throw new Error(`screen ${screen.kiosk.screenId} is missing`);
      return { connected: row.connected, seq: row.presence_seq === null ? null : int(row.presence_seq) };
    }

    async function redemptionsOf(screenId: number): Promise<number[]> {
      const rows = await queryRows<{ counter: unknown }>(
        cloud.deps.db,
        sql`select counter from redemptions where screen_id = ${screenId} order by counter`,
      );
      return rows.map((row) => int(row.counter));
    }

    beforeAll(async () => {
      if (missing !== null) throw new Error(`CI=true and ${missing}`);
      dataDir = await mkdtemp(join(tmpdir(), 'redtap-acl-'));
      const started = await engine.start(topicRoot);
      stopEngine = () => started.stop();
      cloud = await startCloud(
        loadEnv({
          HOST: '127.0.0.1',
          PORT: '0',
          REDTAP_DATA_DIR: dataDir,
          REDTAP_TOPIC_ROOT: topicRoot,
          REDTAP_OPERATOR_EMAIL: OPERATOR.email,
          REDTAP_OPERATOR_PASSWORD: OPERATOR.password,
          // Verification on the test's own thread: the ACL is the subject here, and the machine is small.
          REDTAP_VERIFY_THREADS: '0',
          LOG_LEVEL: 'silent',
          ...started.env,
        }),
      );
      stopCloud = () => cloud.stop();
      api = httpApi(cloud.httpUrl);
      const login = await api.request('POST', '/v1/auth/login', { body: OPERATOR });
      expect(login.status).toBe(200);
      operator = ((await login.json()) as { token: string }).token;
      const advertiser = await advertiserSession(api, operator);
      const funded = await api.request('POST', `/v1/advertisers/${advertiser.advertiserId}/funding`, {
        token: operator,
        body: { amountFen: BUDGET_FEN * 2, transferId: nextTransferId() },
      });
      expect(funded.status).toBe(200);
      a = await enrolScreen();
      b = await enrolScreen();
      // Activation publishes one deck to each screen, over MQTT, to the screen it belongs to.
      await createActiveCampaign(api, {
        operator,
        advertiser,
        cities: ['Shanghai'],
        plan: tiersPlan(BUDGET_FEN),
        budgetFen: BUDGET_FEN,
        nowS: Math.floor(Date.now() / 1000),
      });
      for (const screen of [a, b]) {
        const message = await screen.inbox.waitFor(
          (m) => m.topic === topic(screen, 'decks'),
          WAIT_MS,
          `the deck of screen ${screen.kiosk.screenId}`,
        );
        const deck = decodeDeck(new Uint8Array(message.payload));
        if (!deck.ok) throw new Error(`screen ${screen.kiosk.screenId} received a deck that does not decode`);
        expect(deck.value.screenId).toBe(screen.kiosk.screenId);
        screen.kiosk.decks.push(deck.value);
      }
      phoneA = await registerPhone(api);
      phoneB = await registerPhone(api);
    }, 120_000);

    afterAll(async () => {
      for (const client of clients) client.end(true);
      // Each step runs even when an earlier one failed, so no broker process or directory outlives the suite.
      try {
        await stopCloud?.();
      } finally {
        try {
          await stopEngine?.();
        } finally {
          if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
        }
      }
    });

    it('settles a tap published on the screen’s own topic and acks it to that screen only', async () => {
      const account = await walletAccountId(cloud.deps.db, phoneA.walletId);
      const before = await ledgerSnapshot(cloud.deps.db);
      const envelope = a.kiosk.decks[0]?.envelopes[0];
      firstTapA = makeTap(a.kiosk, phoneA, Date.now());
      await a.client.publishAsync(topic(a, 'taps'), Buffer.from(encodeTapBatch([firstTapA])), { qos: 1 });
      const result = await nextAck(a, 1, 0);
      expect(result).toEqual({ counter: 1, status: 'credited', amountFen: envelope?.amountFen });
      expect(ledgerChanges(before, await ledgerSnapshot(cloud.deps.db)).get(account)).toBe(
        envelope?.amountFen,
      );
      expect(await redemptionsOf(a.kiosk.screenId)).toEqual([1]);
      expect(acksOf(b)).toEqual([]);
    });

    it("refuses A's subscriptions to B's down topics and to wildcards, and keeps A connected", async () => {
      const filters = [
        topic(b, 'acks'),
        topic(b, 'decks'),
        topic(b, 'config'),
        topic(b, 'taps'),
        topic(a, 'taps'),
        `${topicRoot}/screens/+/acks`,
        `${topicRoot}/screens/+/config`,
        `${topicRoot}/screens/${b.kiosk.screenId}/#`,
        `+/${topicRoot.split('/').slice(1).join('/')}/screens/${b.kiosk.screenId}/acks`,
        `$share/acl/${topic(b, 'acks')}`,
        `$share/acl/${topicRoot}/screens/+/taps`,
        `${topicRoot}/#`,
        '$SYS/#',
        '#',
      ];
      expect(await subackCodes(a.client, filters)).toEqual(filters.map(() => 0x80));
      expect(a.client.connected).toBe(true);
    });

    it("never lets A publish on B's topics: the cloud records no tap and moves no money", async () => {
      const before = await ledgerSnapshot(cloud.deps.db);
      const statsBefore = cloud.deps.broker.stats();
      const inboxOfB = b.inbox.items.length;
      // B's genuine, unsettled receipt (a phone carries these) and a genuine tap of A's own.
      const receiptOfB = makeTap(b.kiosk, phoneB, Date.now());
      const tapOfA = makeTap(a.kiosk, phoneA, Date.now());
      const forgedConfig: ScreenConfig = {
        version: 999,
        issuedAt: Math.floor(Date.now() / 1000),
        timezone: 'Asia/Shanghai',
        issuerKeys: [{ keyId: 1, publicKey: `04${'ab'.repeat(64)}` }],
        campaigns: [],
        playlist: [],
        creatives: [],
        revocation: { version: 999, credentials: [] },
        deckRefillThreshold: 20,
      };
      // Each is sent as a PUBLISH and as a will left behind by a connection that then drops.
      const forgeries: { kind: ScreenTopicKind; payload: Buffer; retain: boolean }[] = [
        { kind: 'taps', payload: Buffer.from(encodeTapBatch([receiptOfB])), retain: false },
        { kind: 'taps', payload: Buffer.from(encodeTapBatch([tapOfA])), retain: false },
        { kind: 'events', payload: Buffer.from(heartbeat('forged-by-a')), retain: false },
        {
          kind: 'acks',
          payload: Buffer.from(
            JSON.stringify({ results: [{ counter: 1, status: 'credited', amountFen: 1 }] }),
          ),
          retain: false,
        },
        { kind: 'decks', payload: Buffer.from(encodeTapBatch([tapOfA])), retain: false },
        { kind: 'config', payload: Buffer.from(JSON.stringify(forgedConfig)), retain: true },
        // B reported offline, with a connection number far above any of B's own: it would stick.
        {
          kind: 'presence',
          payload: Buffer.from(JSON.stringify({ online: false, seq: Date.now() + 60_000 })),
          retain: true,
        },
        {
          kind: 'presence',
          payload: Buffer.from(
            JSON.stringify({ online: true, seq: Date.now() + 60_000, ts: Math.floor(Date.now() / 1000) }),
          ),
          retain: true,
        },
      ];
      let sentinels = 0;
      for (const forgery of forgeries) {
        const closed = nextEvent(a.client, 'close', WAIT_MS);
        a.client.publish(topic(b, forgery.kind), forgery.payload, { qos: 1, retain: forgery.retain });
        if (engine.forbiddenPublishDisconnects) {
          await closed;
          a.client.end(true);
          a.client = await connect(a);
        } else {
          void closed.catch(() => undefined);
        }
        await sentinel(`sentinel-${++sentinels}`);

        // The same as a will: A's session ends, a connection carrying the will drops without DISCONNECT.
        a.client.end(true);
        const willing = await connectOnce(
          a.grant.url,
          {
            username: a.grant.username,
            password: a.grant.password,
            clientId: a.grant.username,
            protocolVersion: 4,
            reconnectPeriod: 0,
            will: { topic: topic(b, forgery.kind), payload: forgery.payload, qos: 1, retain: forgery.retain },
          },
          WAIT_MS,
        ).catch((error: unknown) => {
          // Refusing the CONNECT that carries a forbidden will is as good as never publishing it.
          expect(error).toBeInstanceOf(MqttConnectError);
          return null;
        });
        if (willing !== null) {
          clients.push(willing);
          const dropped = nextEvent(willing, 'close', WAIT_MS);
          willing.stream.destroy();
          await dropped;
        }
        a.client = await connect(a);
        await sentinel(`sentinel-${++sentinels}`);
      }

      // Nothing of it reached B or the cloud. (B may meanwhile get the cloud's own config, from the
      // config dispatcher: only the forged payloads must never arrive.)
      const forged = (payload: Uint8Array) =>
        forgeries.some((forgery) => Buffer.compare(Buffer.from(payload), forgery.payload) === 0);
      expect(b.inbox.items.slice(inboxOfB).filter((message) => forged(message.payload))).toEqual([]);
      expect(await redemptionsOf(b.kiosk.screenId)).toEqual([]);
      expect(await redemptionsOf(a.kiosk.screenId)).toEqual([1]);
      expect(await healthOf(b)).toBeNull();
      expect(await presenceOf(b)).toEqual({ connected: null, seq: null });
      expect(ledgerChanges(before, await ledgerSnapshot(cloud.deps.db)).size).toBe(0);
      const statsAfter = cloud.deps.broker.stats();
      // Only the sentinels came in: one tap batch, one heartbeat and one presence each.
      expect(statsAfter.tapBatchesAccepted - statsBefore.tapBatchesAccepted).toBe(sentinels);
      expect(statsAfter.eventsAccepted - statsBefore.eventsAccepted).toBe(sentinels);
      expect(statsAfter.presenceAccepted - statsBefore.presenceAccepted).toBe(sentinels);
      expect(statsAfter.messagesIgnored).toBe(statsBefore.messagesIgnored);

      // On its own topic A may publish anything, but B's receipt there is refused and not recorded.
      const ownTopicAt = a.inbox.items.length;
      await a.client.publishAsync(topic(a, 'taps'), Buffer.from(encodeTapBatch([receiptOfB])), { qos: 1 });
      expect(await nextAck(a, 1, ownTopicAt)).toEqual({
        counter: 1,
        status: 'rejected',
        code: ErrorCode.SCREEN_MISMATCH,
      });
      expect(await redemptionsOf(b.kiosk.screenId)).toEqual([]);
      expect(ledgerChanges(before, await ledgerSnapshot(cloud.deps.db)).size).toBe(0);

      // The forged config was not retained either: a fresh subscription of B's gets the cloud's own.
      const reconnectedAt = b.inbox.items.length;
      b.client.end(true);
      b.client = await connect(b);
      const retained = await receivedAfter(
        b,
        reconnectedAt,
        (m) => m.topic === topic(b, 'config'),
        'B’s config',
      );
      expect((JSON.parse(retained.payload.toString('utf8')) as ScreenConfig).version).not.toBe(999);

      // B's receipt was genuine: sent by B itself, it settles, so only the ACL kept it out above.
      const account = await walletAccountId(cloud.deps.db, phoneB.walletId);
      const from = b.inbox.items.length;
      await b.client.publishAsync(topic(b, 'taps'), Buffer.from(encodeTapBatch([receiptOfB])), { qos: 1 });
      const settled = await nextAck(b, 1, from);
      expect(settled).toMatchObject({ counter: 1, status: 'credited' });
      expect(ledgerChanges(before, await ledgerSnapshot(cloud.deps.db)).get(account)).toBe(settled.amountFen);
    });

    it("never delivers B's acks, decks or config to A", async () => {
      const inboxOfA = a.inbox.items.length;
      const inboxOfB = b.inbox.items.length;
      // A tries again on this connection, then the cloud publishes to B on every down topic.
      expect(await subackCodes(a.client, [topic(b, 'acks'), topic(b, 'decks'), topic(b, 'config')])).toEqual([
        0x80, 0x80, 0x80,
      ]);
      await cloud.deps.broker.publishAck(b.kiosk.screenId, { results: [{ counter: 7, status: 'retry' }] });
      await cloud.deps.broker.publishDeck(b.kiosk.screenId, new Uint8Array([1, 2, 3]));
      const configOfB = await api.request('GET', `/v1/screens/${b.kiosk.screenId}/config`, {
        token: operator,
      });
      await cloud.deps.broker.publishConfig(b.kiosk.screenId, (await configOfB.json()) as ScreenConfig);
      await receivedAfter(b, inboxOfB, (m) => m.topic === topic(b, 'config'), 'the config for B');
      expect(
        b.inbox.items
          .slice(inboxOfB)
          .map((m) => m.topic)
          .sort(),
      ).toEqual([topic(b, 'acks'), topic(b, 'config'), topic(b, 'decks')]);
      // The cloud then writes to A; once that is in, anything for B that leaked to A would be too.
      await cloud.deps.broker.publishAck(a.kiosk.screenId, { results: [{ counter: 8, status: 'retry' }] });
      await receivedAfter(a, inboxOfA, (m) => m.topic === topic(a, 'acks'), 'the ack for A');
      expect(
        a.inbox.items.filter((m) => !m.topic.startsWith(`${topicRoot}/screens/${a.kiosk.screenId}/`)),
      ).toEqual([]);
    });

    it('refuses wrong passwords, another screen’s password and another screen’s client id', async () => {
      const login = (username: string, password: string, clientId = username) =>
        connectOnce(
          b.grant.url,
          { username, password, clientId, protocolVersion: 4, reconnectPeriod: 0 },
          WAIT_MS,
        );
      expect((await refusal(login(b.grant.username, 'not-the-password'))).code).toBe(engine.badPasswordCode);
      expect((await refusal(login(b.grant.username, `${b.grant.password}x`))).code).toBe(
        engine.badPasswordCode,
      );
      expect((await refusal(login(b.grant.username, a.grant.password))).code).toBe(engine.badPasswordCode);
      expect((await refusal(login(a.grant.username, a.grant.password, b.grant.username))).code).toBe(
        engine.wrongClientIdCode,
      );
      await refusal(login(screenMqttUsername(a.kiosk.screenId + b.kiosk.screenId + 1000), a.grant.password));
      await refusal(
        connectOnce(b.grant.url, { clientId: 'anonymous', protocolVersion: 4, reconnectPeriod: 0 }, WAIT_MS),
      );
      // None of it disturbed the screens' own sessions.
      expect(a.client.connected).toBe(true);
      expect(b.client.connected).toBe(true);
    });

    it("cuts a revoked screen's session and refuses its credentials afterwards", async () => {
      const closed = nextEvent(a.client, 'close', WAIT_MS);
      const revoked = await api.request('POST', `/v1/screens/${a.kiosk.screenId}/revoke`, {
        token: operator,
      });
      expect(revoked.status).toBe(200);
      await closed;
      a.client.end(true);
      const refused = await refusal(
        connectOnce(
          a.grant.url,
          {
            username: a.grant.username,
            password: a.grant.password,
            clientId: a.grant.username,
            protocolVersion: 4,
            reconnectPeriod: 0,
          },
          WAIT_MS,
        ),
      );
      // Refused at once as revoked (Mosquitto: the identity is gone; aedes: revoked in this process).
      expect(refused.code).toBe(5);
      // The other screen keeps working.
      expect(b.client.connected).toBe(true);
      const from = b.inbox.items.length;
      const tap = makeTap(b.kiosk, phoneB, Date.now());
      await b.client.publishAsync(topic(b, 'taps'), Buffer.from(encodeTapBatch([tap])), { qos: 1 });
      expect(await nextAck(b, 2, from)).toMatchObject({ counter: 2 });
    });
  });
}
