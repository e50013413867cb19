// The assembled cloud process with the real embedded broker on ephemeral ports: enrol a kiosk over
// HTTP, log it in to MQTT with the issued credentials, receive its retained config, report a
// heartbeat, get revoked; restart on the same data; refuse a busy port. On PGlite and PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import {
  enrolmentMessage,
  generateKeyPair,
  ScreenConfig,
  screenTopic,
  SignatureLabel,
  sign,
  toHex,
} from '@redtap/shared';
import { PortInUseError, startCloud, type RunningCloud } from '../src/cloud.ts';
import { loadEnv } from '../src/env.ts';
import { createPostgresDatabase, testEngines } from './databases.ts';

const engines = await testEngines();
// Sized for a loaded machine (CI runs suites side by side on two cores); a healthy run takes a fraction.
const WAIT_MS = 30_000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), WAIT_MS);
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

/** Re-checks a condition until it holds, within a bound: for state another process writes. */
async function eventually<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.each(engines)('redtap-cloud serve on $engine', ({ engine, available }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'redtap-serve-'));
  const topicRoot = `redtap-test/${Date.now().toString(36)}`;
  let databaseUrl: string | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;

  const env = () =>
    loadEnv({
      HOST: '127.0.0.1',
      PORT: '0',
      MQTT_PORT: '0',
      REDTAP_DATA_DIR: dataDir,
      REDTAP_TOPIC_ROOT: topicRoot,
      LOG_LEVEL: 'silent',
      REDTAP_OPERATOR_EMAIL: 'ops@example.com',
      REDTAP_OPERATOR_PASSWORD: 'operator-password',
      ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
    });

  beforeAll(async () => {
    if (available && engine === 'postgres') {
      const database = await createPostgresDatabase();
      databaseUrl = database.url;
      dropDatabase = database.drop;
    }
  });
  afterAll(async () => {
    await dropDatabase?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.skipIf(!available)(
    'enrols a kiosk that then talks MQTT with its credentials',
    async () => {
      let cloud: RunningCloud | undefined = await startCloud(env());
      let client: mqtt.MqttClient | undefined;
      try {
        const call = async (method: string, path: string, token?: string, body?: unknown) => {
          const response = await fetch(`${cloud?.httpUrl ?? ''}${path}`, {
            method,
            headers: {
              ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          });
          return { status: response.status, body: (await response.json()) as Record<string, unknown> };
        };
        const login = await call('POST', '/v1/auth/login', undefined, {
          email: 'ops@example.com',
          password: 'operator-password',
        });
        expect(login.status).toBe(200);
        const token = login.body.token as string;
        const screen = await call('POST', '/v1/screens', token, {
          name: 'Lobby',
          city: 'Shanghai',
          building: 'T1',
          elevator: 'E1',
        });
        const screenId = screen.body.id as number;
        const { code } = (await call('POST', `/v1/screens/${screenId}/enrolment-codes`, token)).body as {
          code: string;
        };
        const kiosk = generateKeyPair();
        const signature = sign(
          SignatureLabel.enroll,
          enrolmentMessage(code, kiosk.publicKeyRaw),
          kiosk.privateKey,
        );
        const enrolled = await call('POST', '/v1/enrol', undefined, {
          code,
          publicKey: toHex(kiosk.publicKeyRaw),
          signature: toHex(signature),
        });
        expect(enrolled.status).toBe(201);
        const grant = enrolled.body.mqtt as {
          url: string;
          username: string;
          password: string;
          topicRoot: string;
        };
        expect(grant.topicRoot).toBe(topicRoot);

        client = mqtt.connect(grant.url, {
          username: grant.username,
          password: grant.password,
          clientId: grant.username,
          reconnectPeriod: 0,
        });
        const connected = client;
        await withTimeout(
          new Promise((resolve) => connected.once('connect', resolve)),
          'the kiosk to connect',
        );
        const configMessage = withTimeout(
          new Promise<Buffer>((resolve) => connected.once('message', (_topic, payload) => resolve(payload))),
          'the retained config',
        );
        await connected.subscribeAsync(screenTopic(screenId, 'config', topicRoot), { qos: 1 });
        const config = ScreenConfig.parse(JSON.parse((await configMessage).toString('utf8')));
        expect(config.issuerKeys.length).toBeGreaterThanOrEqual(1);

        const nowS = Math.floor(Date.now() / 1000);
        await connected.publishAsync(
          screenTopic(screenId, 'events', topicRoot),
          JSON.stringify({
            type: 'heartbeat',
            ts: nowS,
            appVersion: '9.9.9',
            counter: 3,
            backlog: 0,
            decks: [],
          }),
          { qos: 1 },
        );
        const health = await eventually(async () => {
          const reply = await call('GET', `/v1/screens/${screenId}`, token);
          return (reply.body.health ?? undefined) as { appVersion: string } | undefined;
        }, 'the heartbeat to reach the screen health');
        expect(health.appVersion).toBe('9.9.9');

        const closed = withTimeout(
          new Promise((resolve) => connected.once('close', () => resolve(undefined))),
          'the revoked kiosk to be cut off',
        );
        expect((await call('POST', `/v1/screens/${screenId}/revoke`, token)).status).toBe(200);
        await closed;
        connected.end(true);
        client = undefined;

        await cloud.stop();
        cloud = await startCloud(env());
        const again = await call('POST', '/v1/auth/login', undefined, {
          email: 'ops@example.com',
          password: 'operator-password',
        });
        const persisted = await call('GET', `/v1/screens/${screenId}`, again.body.token as string);
        expect(persisted.body.status).toBe('revoked');
      } finally {
        client?.end(true);
        await cloud.stop();
      }
    },
    180_000,
  );
});

it('names the busy port', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as AddressInfo).port;
  try {
    const started = startCloud(loadEnv({ PORT: String(port), LOG_LEVEL: 'silent' }));
    await expect(started).rejects.toThrow(PortInUseError);
    await expect(started).rejects.toThrow(`port ${port} is in use; set PORT`);
  } finally {
    blocker.close();
  }
});
