// Screen presence (docs/protocol.md §5.6), on PGlite and on PostgreSQL. First the recording rules through
// the HTTP app and an in-memory broker: a higher connection number replaces the recorded presence, an
// offline of the same connection wins over its online, a late will of an older connection changes
// nothing, a repeat keeps its first time, heartbeats never write `connected`, and revocation and
// re-enrolment reset it. Then end to end, on each broker (embedded aedes; a private Mosquitto with
// dynamic security): a real cloud, a screen enrolled over HTTP and connected with the kiosk's own
// ScreenLink. A socket destroyed without DISCONNECT turns the screens API to connected=false within a
// bounded wait, a reconnect back to true under a higher connection number, stale wills of older
// connections change nothing, and after a cloud restart the screen reads disconnected (aedes: nobody is
// connected to a new embedded broker; Mosquitto: the retained will the cloud missed while it was down).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScreenLink, type StartTimer } from '@redtap/screen-app';
import { generateKeyPair, screenTopic, type ScreenPresence } from '@redtap/shared';
import type { ScreenPresenceMessage } from '../src/broker/types.ts';
import { connectOnce } from '../src/broker/mqtt-connect.ts';
import { startCloud, type RunningCloud } from '../src/cloud.ts';
import type { DatabaseHandle } from '../src/db/client.ts';
import { loadEnv } from '../src/env.ts';
import { PRESENCE_SEQ_AHEAD_MS_MAX } from '../src/services/screen-presence.ts';
import { Collector } from './broker/collector.ts';
import { mosquittoMissingReason, startMosquitto } from './broker/mosquitto.ts';
import { createPostgresDatabase, openTestDatabase, testEngines } from './databases.ts';
import { createTestCloud, enrolBody, json, operatorToken, type TestCloud } from './harness.ts';
import { enrolKiosk, type MqttGrant } from './money-world.ts';

const engines = await testEngines();

interface Health {
  lastSeenAt: string;
  connected: boolean | null;
  connectionChangedAt: string | null;
  appVersion: string;
}

describe.each(engines)('screen presence rules on $engine', ({ engine, available }) => {
  let handle: DatabaseHandle;
  let cloud: TestCloud;
  let operator: string;

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestDatabase(engine);
    cloud = createTestCloud(handle);
    operator = await operatorToken(cloud);
  });
  afterAll(async () => {
    if (available) await handle.close();
  });

  async function enrol(screenId: number): Promise<void> {
    const code = await json<{ code: string }>(
      await cloud.request('POST', `/v1/screens/${screenId}/enrolment-codes`, { token: operator }),
    );
    const enrolled = await cloud.request('POST', '/v1/enrol', {
      body: enrolBody(code.code, generateKeyPair()),
    });
    expect(enrolled.status).toBe(201);
  }

  async function enrolledScreen(elevator: string): Promise<number> {
    const created = await cloud.request('POST', '/v1/screens', {
      token: operator,
      body: { name: 'Lobby', city: 'Hangzhou', building: 'West Lake', elevator },
    });
    const screenId = (await json<{ id: number }>(created)).id;
    await enrol(screenId);
    await heartbeat(screenId, 'first');
    return screenId;
  }

  const heartbeat = (screenId: number, appVersion: string) =>
    cloud.broker.deliverEvent({
      screenId,
      event: {
        type: 'heartbeat',
        ts: Math.floor(cloud.clock.nowMs / 1000),
        appVersion,
        counter: 0,
        backlog: 0,
        decks: [],
      },
    });

  const presence = (screenId: number, message: ScreenPresence) =>
    cloud.broker.deliverPresence({ screenId, presence: message });
  const online = (seq: number): ScreenPresence => ({
    online: true,
    seq,
    ts: Math.floor(cloud.clock.nowMs / 1000),
  });
  const offline = (seq: number): ScreenPresence => ({ online: false, seq });

  async function healthOf(screenId: number): Promise<Health | null> {
    const response = await cloud.request('GET', `/v1/screens/${screenId}`, { token: operator });
    expect(response.status).toBe(200);
    return (await json<{ health: Health | null }>(response)).health;
  }

  /** Moves the cloud's clock on and returns the new time as the API writes it. */
  function tick(ms = 1_000): string {
    cloud.clock.nowMs += ms;
    return new Date(cloud.clock.nowMs).toISOString();
  }

  it.skipIf(!available)('reports no presence until one arrives', async () => {
    const screenId = await enrolledScreen('P1');
    expect(await healthOf(screenId)).toMatchObject({ connected: null, connectionChangedAt: null });
  });

  it.skipIf(!available)(
    'orders presence by connection number: a late will of an older connection never wins',
    async () => {
      const screenId = await enrolledScreen('P2');
      const first = cloud.clock.nowMs;
      const onlineAt = tick();
      await presence(screenId, online(first));
      expect(await healthOf(screenId)).toMatchObject({ connected: true, connectionChangedAt: onlineAt });

      // The link drops: the broker publishes the will.
      const offlineAt = tick();
      await presence(screenId, offline(first));
      expect(await healthOf(screenId)).toMatchObject({ connected: false, connectionChangedAt: offlineAt });

      // The same connection's online arriving late, and the retained will repeated to a cloud that
      // subscribes again, change nothing: offline since the first time it was heard.
      tick();
      await presence(screenId, online(first));
      await presence(screenId, offline(first));
      // An older connection's will, too.
      await presence(screenId, offline(first - 1));
      expect(await healthOf(screenId)).toMatchObject({ connected: false, connectionChangedAt: offlineAt });

      // A new connection; the old connection's will arriving after it does not mark it offline.
      const second = first + 30_000;
      const reconnectedAt = tick();
      await presence(screenId, online(second));
      tick();
      await presence(screenId, offline(first));
      expect(await healthOf(screenId)).toMatchObject({
        connected: true,
        connectionChangedAt: reconnectedAt,
      });

      // Its own offline (a clean stop) does.
      const stoppedAt = tick();
      await presence(screenId, offline(second));
      expect(await healthOf(screenId)).toMatchObject({ connected: false, connectionChangedAt: stoppedAt });

      // A later connection whose online was lost, ending in its will, moves the time on.
      const thirdEndedAt = tick();
      await presence(screenId, offline(second + 1));
      expect(await healthOf(screenId)).toMatchObject({
        connected: false,
        connectionChangedAt: thirdEndedAt,
      });
    },
  );

  it.skipIf(!available)("never lets a heartbeat write the broker's word on the connection", async () => {
    const screenId = await enrolledScreen('P3');
    const seq = cloud.clock.nowMs;
    await presence(screenId, online(seq));
    const offlineAt = tick();
    await presence(screenId, offline(seq));
    // A heartbeat that waited in a queue behind its connection's will.
    const heartbeatAt = tick();
    await heartbeat(screenId, 'late');
    expect(await healthOf(screenId)).toMatchObject({
      appVersion: 'late',
      lastSeenAt: heartbeatAt,
      connected: false,
      connectionChangedAt: offlineAt,
    });
  });

  it.skipIf(!available)('drops a connection number far ahead of the cloud clock', async () => {
    const screenId = await enrolledScreen('P4');
    const changedAt = tick();
    await presence(screenId, online(cloud.clock.nowMs));
    // A kiosk whose clock ran a year ahead once: recorded, it would outrank every later connection.
    await presence(screenId, offline(cloud.clock.nowMs + 365 * 86_400_000));
    await presence(screenId, offline(cloud.clock.nowMs + PRESENCE_SEQ_AHEAD_MS_MAX + 1));
    expect(await healthOf(screenId)).toMatchObject({ connected: true, connectionChangedAt: changedAt });
    // Within the bound it counts.
    const aheadAt = tick();
    await presence(screenId, offline(cloud.clock.nowMs + PRESENCE_SEQ_AHEAD_MS_MAX));
    expect(await healthOf(screenId)).toMatchObject({ connected: false, connectionChangedAt: aheadAt });
  });

  it.skipIf(!available)('ignores presence of unknown and pending screens', async () => {
    await presence(987_654_321, online(cloud.clock.nowMs));
    const created = await cloud.request('POST', '/v1/screens', {
      token: operator,
      body: { name: 'Lobby', city: 'Hangzhou', building: 'West Lake', elevator: 'P5' },
    });
    const pending = await json<{ id: number; health: Health | null }>(created);
    await presence(pending.id, online(cloud.clock.nowMs));
    await heartbeat(pending.id, 'pending');
    expect(await healthOf(pending.id)).toBeNull();
  });

  it.skipIf(!available)(
    'marks a revoked screen disconnected and starts afresh when it enrols again',
    async () => {
      const screenId = await enrolledScreen('P6');
      const seq = cloud.clock.nowMs;
      await presence(screenId, online(seq));
      const revokedAt = tick();
      const revoked = await cloud.request('POST', `/v1/screens/${screenId}/revoke`, { token: operator });
      expect(revoked.status).toBe(200);
      // Whatever a revoked screen still says is not recorded.
      tick();
      await presence(screenId, online(seq + 1));
      expect(await healthOf(screenId)).toMatchObject({ connected: false, connectionChangedAt: revokedAt });

      // Reinstated and enrolled again, perhaps on another kiosk whose clock is behind the old one's:
      // its first connection counts.
      const reinstated = await cloud.request('POST', `/v1/screens/${screenId}/reinstate`, {
        token: operator,
      });
      expect(reinstated.status).toBe(200);
      await enrol(screenId);
      expect(await healthOf(screenId)).toMatchObject({ connected: null, connectionChangedAt: null });
      const onlineAt = tick();
      await presence(screenId, online(seq - 60_000));
      expect(await healthOf(screenId)).toMatchObject({ connected: true, connectionChangedAt: onlineAt });
    },
  );
});

const WAIT_MS = 15_000;
const OPERATOR = { email: 'presence-operator@example.com', password: 'operator-password' };

/** Reconnect timers that fire only when the test says so. */
class HeldTimers {
  private readonly pending = new Set<() => void>();
  readonly start: StartTimer = (callback) => {
    this.pending.add(callback);
    return () => this.pending.delete(callback);
  };
  fire(): void {
    const due = [...this.pending];
    this.pending.clear();
    for (const callback of due) callback();
  }
}

/** Polls until `check` returns a value, within a bound. */
async function until<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Waits until the broker takes the enrolled screen's login: enrolment answers before the broker-identity
 * dispatcher has created it (Mosquitto), and a link whose retries run on held timers would not try again.
 */
async function brokerAccepts(grant: { url: string; username: string; password: string }): Promise<void> {
  const deadline = Date.now() + 4 * WAIT_MS;
  for (;;) {
    try {
      const client = await connectOnce(
        grant.url,
        {
          username: grant.username,
          password: grant.password,
          clientId: grant.username,
          protocolVersion: 4,
          reconnectPeriod: 0,
        },
        WAIT_MS,
      );
      client.end(true);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

interface BrokerEngine {
  name: string;
  missingReason(): string | null;
  /** Environment for `startCloud` beyond the common part, and how to stop what was started for it. */
  start(topicRoot: string): Promise<{ env: Record<string, string>; stop(): Promise<void> }>;
}

const brokerEngines: BrokerEngine[] = [
  {
    name: 'aedes (embedded)',
    missingReason: () => null,
    start: () => Promise.resolve({ env: { MQTT_PORT: '0' }, stop: () => Promise.resolve() }),
  },
  {
    name: 'mosquitto (dynamic security)',
    missingReason: mosquittoMissingReason,
    async start(topicRoot) {
      const mosquitto = await startMosquitto({ topicRoot });
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

const cases = brokerEngines.flatMap((broker) =>
  engines.map((database) => ({ broker, database, name: `${broker.name} on ${database.engine}` })),
);

describe.each(cases)('screen presence end to end: $name', ({ broker, database }) => {
  const missingBroker = broker.missingReason();
  const inCi = process.env.CI === 'true';
  const skip = !database.available || (missingBroker !== null && !inCi);
  if (missingBroker !== null && !inCi)
    console.warn(`\n*** SKIPPING screen presence on ${broker.name}: ${missingBroker} ***\n`);
  const topicRoot = `redtap-presence-${process.pid}-${Date.now().toString(36)}-${database.engine}/v1`;
  const embedded = broker.name.startsWith('aedes');
  let dataDir: string | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;
  let stopBroker: (() => Promise<void>) | undefined;
  let env: Record<string, string>;
  let cloud: RunningCloud | undefined;
  let operator: string;
  let presences: Collector<ScreenPresenceMessage>;
  const links: ScreenLink[] = [];
  const clients: MqttClient[] = [];

  async function start(): Promise<RunningCloud> {
    const started = await startCloud(loadEnv(env));
    cloud = started;
    const login = await fetch(`${started.httpUrl}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(OPERATOR),
    });
    expect(login.status).toBe(200);
    operator = ((await login.json()) as { token: string }).token;
    // After the cloud's own handler: a message seen here has been recorded (or refused) already.
    presences = new Collector<ScreenPresenceMessage>();
    started.deps.broker.onScreenPresence((message) => Promise.resolve(presences.push(message)));
    return started;
  }

  function running(): RunningCloud {
    if (cloud === undefined) throw new Error('the cloud is not running');
    return cloud;
  }

  async function healthOf(screenId: number): Promise<Health | null> {
    const response = await fetch(`${running().httpUrl}/v1/screens/${screenId}`, {
      headers: { authorization: `Bearer ${operator}` },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { health: Health | null }).health;
  }

  const whenConnected = (screenId: number, connected: boolean, what: string) =>
    until(async () => {
      const health = await healthOf(screenId);
      return health?.connected === connected ? health : undefined;
    }, what);

  const sawPresence = (screenId: number, presence: ScreenPresence, what: string) =>
    presences.waitFor(
      (m) => m.screenId === screenId && JSON.stringify(m.presence) === JSON.stringify(presence),
      WAIT_MS,
      what,
    );

  /** The kiosk's own link, which also sends a heartbeat on every connect as the kiosk's sync does. */
  function kioskLink(grant: MqttGrant, screenId: number, timers: HeldTimers, url = grant.url): ScreenLink {
    const link: ScreenLink = new ScreenLink({
      url,
      username: grant.username,
      password: grant.password,
      screenId,
      topicRoot: grant.topicRoot,
      startTimer: timers.start,
      logger: pino({ level: 'silent' }),
      onConnect: () => {
        link.publish(
          'events',
          JSON.stringify({
            type: 'heartbeat',
            ts: Math.floor(Date.now() / 1000),
            appVersion: 'presence-e2e',
            counter: 0,
            backlog: 0,
            decks: [],
          }),
        );
      },
      onDisconnect: () => undefined,
      onMessage: () => undefined,
    });
    links.push(link);
    link.start();
    return link;
  }

  beforeAll(async () => {
    if (skip) return;
    if (missingBroker !== null) throw new Error(`CI=true and ${missingBroker}`);
    dataDir = await mkdtemp(join(tmpdir(), 'redtap-presence-'));
    const started = await broker.start(topicRoot);
    stopBroker = () => started.stop();
    let databaseEnv: Record<string, string> = {};
    if (database.engine === 'postgres') {
      const created = await createPostgresDatabase();
      dropDatabase = created.drop;
      databaseEnv = { DATABASE_URL: created.url };
    }
    env = {
      HOST: '127.0.0.1',
      PORT: '0',
      REDTAP_DATA_DIR: dataDir,
      REDTAP_TOPIC_ROOT: topicRoot,
      REDTAP_OPERATOR_EMAIL: OPERATOR.email,
      REDTAP_OPERATOR_PASSWORD: OPERATOR.password,
      REDTAP_VERIFY_THREADS: '0',
      LOG_LEVEL: 'silent',
      ...databaseEnv,
      ...started.env,
    };
    await start();
  }, 120_000);

  afterAll(async () => {
    for (const link of links) await link.stop();
    for (const client of clients) client.end(true);
    // Each step runs even when an earlier one failed, so nothing outlives the suite.
    try {
      await cloud?.stop();
    } finally {
      try {
        await stopBroker?.();
      } finally {
        try {
          await dropDatabase?.();
        } finally {
          if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
        }
      }
    }
  });

  it.skipIf(skip)(
    'reports a cut link at once, a reconnect under a higher number, and ignores stale wills',
    { timeout: 120_000 },
    async () => {
      const { screenId, mqtt: grant } = await enrolKiosk(
        { request: (method, path, options = {}) => request(running(), method, path, options) },
        operator,
        'Chengdu',
      );
      // aedes checks logins against the database itself: only Mosquitto waits for the identity.
      if (broker.name.startsWith('mosquitto')) await brokerAccepts(grant);
      const timers = new HeldTimers();
      const link = kioskLink(grant, screenId, timers);
      const up = await whenConnected(screenId, true, 'the first connection');
      const seq1 = link.presenceSeq;
      expect(up.connectionChangedAt).not.toBeNull();

      // The socket dies without DISCONNECT: the broker sends the will, and the API says so.
      link.drop();
      const down = await whenConnected(screenId, false, 'the cut link to be reported');
      await sawPresence(screenId, { online: false, seq: seq1 }, 'the will of the first connection');
      expect(Date.parse(down.connectionChangedAt ?? '')).toBeGreaterThanOrEqual(
        Date.parse(up.connectionChangedAt ?? ''),
      );

      // The kiosk reconnects under a higher connection number.
      timers.fire();
      await whenConnected(screenId, true, 'the reconnect');
      const seq2 = link.presenceSeq;
      expect(seq2).toBeGreaterThan(seq1);

      // A clean stop says offline itself; then a plain mqtt.js client plays the screen's next connection.
      await link.stop();
      await sawPresence(screenId, { online: false, seq: seq2 }, 'the offline of a clean stop');
      expect((await healthOf(screenId))?.connected).toBe(false);
      const seq3 = seq2 + 1_000;
      const client = await connectOnce(
        grant.url,
        {
          username: grant.username,
          password: grant.password,
          clientId: grant.username,
          protocolVersion: 4,
          reconnectPeriod: 0,
          will: {
            topic: screenTopic(screenId, 'presence', topicRoot),
            payload: Buffer.from(JSON.stringify({ online: false, seq: seq3 })),
            qos: 1,
            retain: true,
          },
        },
        WAIT_MS,
      );
      clients.push(client);
      const presenceTopic = screenTopic(screenId, 'presence', topicRoot);
      const online3 = { online: true as const, seq: seq3, ts: Math.floor(Date.now() / 1000) };
      await client.publishAsync(presenceTopic, JSON.stringify(online3), { qos: 1, retain: true });
      await sawPresence(screenId, online3, 'the third online');
      const connected3 = await healthOf(screenId);
      expect(connected3?.connected).toBe(true);

      // The wills of the older connections, arriving late, change nothing.
      for (const seq of [seq1, seq2]) {
        await client.publishAsync(presenceTopic, JSON.stringify({ online: false, seq }), { qos: 1 });
        await sawPresence(screenId, { online: false, seq }, `the late will under ${seq}`);
      }
      expect(await healthOf(screenId)).toMatchObject({
        connected: true,
        connectionChangedAt: connected3?.connectionChangedAt,
      });

      // Its own will does.
      client.stream.destroy();
      await whenConnected(screenId, false, 'the third connection to end');
      await sawPresence(screenId, { online: false, seq: seq3 }, 'the third will');
    },
  );

  it.skipIf(skip)(
    'reads a screen disconnected after a cloud restart that it missed',
    { timeout: 120_000 },
    async () => {
      const { screenId, mqtt: grant } = await enrolKiosk(
        { request: (method, path, options = {}) => request(running(), method, path, options) },
        operator,
        'Chongqing',
      );
      // aedes checks logins against the database itself: only Mosquitto waits for the identity.
      if (broker.name.startsWith('mosquitto')) await brokerAccepts(grant);
      const timers = new HeldTimers();
      const link = kioskLink(grant, screenId, timers);
      await whenConnected(screenId, true, 'the connection');

      // The cloud stops while the screen is connected; its handlers stop before its broker side does,
      // so it records nothing of the connection's end.
      await running().stop();
      cloud = undefined;
      // With Mosquitto the broker outlives the cloud: the link dies meanwhile and its will is retained.
      if (!embedded) link.drop();
      await start();
      const health = await whenConnected(screenId, false, 'the restarted cloud to read it disconnected');
      expect(health.connectionChangedAt).not.toBeNull();

      // The kiosk comes back: to the new embedded broker (a new port), or to the same Mosquitto.
      if (embedded) kioskLink(grant, screenId, new HeldTimers(), running().mqttUrl);
      else timers.fire();
      await whenConnected(screenId, true, 'the kiosk to come back');
    },
  );
});

/** One HTTP request to the running cloud, shaped like the in-process harness. */
function request(
  target: RunningCloud,
  method: string,
  path: string,
  options: { token?: string | undefined; body?: unknown },
): Promise<Response> {
  return fetch(`${target.httpUrl}${path}`, {
    method,
    headers: {
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
}
