// The assembled cloud process on the NATS engine (BROKER=nats) against a private three-node cluster: a
// kiosk enrolled over HTTP gets a bearer JWT as its MQTT password, logs in with it unchanged (MQTT 3.1.1,
// client id = username) at another node than the cloud's, receives its retained config, reports a
// heartbeat, uses the same login as HTTP Basic, and is cut off and refused when revoked. On PGlite: the
// broker engine is what is under test here.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  enrolmentMessage,
  generateKeyPair,
  ScreenConfig,
  screenTopic,
  SignatureLabel,
  sign,
  toHex,
} from '@redtap/shared';
import { startCloud, type RunningCloud } from '../src/cloud.ts';
import { loadEnv } from '../src/env.ts';
import { launchNatsCluster, natsMissingReason, type NatsCluster } from './broker/nats.ts';

const WAIT_MS = 30_000;
const missing = natsMissingReason();
const inCi = process.env.CI === 'true';
if (missing !== null && !inCi) console.warn(`\n*** SKIPPING serve on NATS: ${missing} ***\n`);

async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), WAIT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function eventually<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.skipIf(missing !== null && !inCi)('redtap-cloud serve with BROKER=nats', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'redtap-serve-nats-'));
  const topicRoot = `redtap-test/nats${Date.now().toString(36)}`;
  let cluster: NatsCluster;

  beforeAll(async () => {
    if (missing !== null) throw new Error(`CI=true and ${missing}`);
    cluster = await launchNatsCluster({ nodes: 3 });
  }, 60_000);
  afterAll(async () => {
    await cluster.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('enrols a kiosk whose JWT password works over MQTT and HTTP Basic, and revokes it', async () => {
    const cloud: RunningCloud = await startCloud(
      loadEnv({
        HOST: '127.0.0.1',
        PORT: '0',
        REDTAP_DATA_DIR: dataDir,
        REDTAP_TOPIC_ROOT: topicRoot,
        LOG_LEVEL: 'silent',
        REDTAP_OPERATOR_EMAIL: 'ops@example.com',
        REDTAP_OPERATOR_PASSWORD: 'operator-password',
        BROKER: 'nats',
        NATS_SERVERS: cluster.natsUrls.join(','),
        NATS_MQTT_SERVERS: cluster.mqttUrls.join(','),
        NATS_OPERATOR_SEED: cluster.auth.operatorSeed,
        NATS_ACCOUNT_SEED: cluster.auth.accountSeed,
        NATS_SYSTEM_ACCOUNT_SEED: cluster.auth.systemAccountSeed,
      }),
    );
    let client: mqtt.MqttClient | undefined;
    try {
      const call = async (method: string, path: string, authorization?: string, body?: unknown) => {
        const response = await fetch(`${cloud.httpUrl}${path}`, {
          method,
          headers: {
            ...(authorization === undefined ? {} : { authorization }),
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
      const bearer = `Bearer ${login.body.token as string}`;
      const screen = await call('POST', '/v1/screens', bearer, {
        name: 'Lobby',
        city: 'Shanghai',
        building: 'T1',
        elevator: 'E1',
      });
      const screenId = screen.body.id as number;
      const { code } = (await call('POST', `/v1/screens/${screenId}/enrolment-codes`, bearer)).body as {
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
      const grant = enrolled.body.mqtt as { url: string; username: string; password: string };
      expect(grant.url).toBe(cluster.mqttUrls[0]);
      // A bearer user JWT: header.claims.signature.
      expect(grant.password.split('.')).toHaveLength(3);

      // As the kiosk does (screen-link.ts), at the third node; the identity may still be on its way.
      const connected = await eventually(async () => {
        const attempt = mqtt.connect(cluster.mqttUrls[2]!, {
          username: grant.username,
          password: grant.password,
          clientId: grant.username,
          protocolVersion: 4,
          clean: true,
          reconnectPeriod: 0,
        });
        const ok = await within(
          new Promise<boolean>((resolve) => {
            attempt.once('connect', () => resolve(true));
            attempt.once('error', () => resolve(false));
            attempt.once('close', () => resolve(false));
          }),
          'a CONNACK',
        );
        if (ok) return attempt;
        attempt.end(true);
        return undefined;
      }, 'the kiosk to log in');
      client = connected;
      const configMessage = within(
        new Promise<Buffer>((resolve) => connected.once('message', (_topic, payload) => resolve(payload))),
        'the retained config',
      );
      await connected.subscribeAsync(screenTopic(screenId, 'config', topicRoot), { qos: 1 });
      const config = ScreenConfig.parse(JSON.parse((await configMessage).toString('utf8')));
      expect(config.issuerKeys.length).toBeGreaterThanOrEqual(1);

      await connected.publishAsync(
        screenTopic(screenId, 'events', topicRoot),
        JSON.stringify({
          type: 'heartbeat',
          ts: Math.floor(Date.now() / 1000),
          appVersion: '9.9.8',
          counter: 3,
          backlog: 0,
          decks: [],
        }),
        { qos: 1 },
      );
      const health = await eventually(async () => {
        const reply = await call('GET', `/v1/screens/${screenId}`, bearer);
        return (reply.body.health ?? undefined) as { appVersion: string } | undefined;
      }, 'the heartbeat to reach the screen health');
      expect(health.appVersion).toBe('9.9.8');

      // The same login as HTTP Basic (docs/protocol.md §5.8).
      const basic = `Basic ${Buffer.from(`${grant.username}:${grant.password}`).toString('base64')}`;
      const status = await call('GET', '/v1/screens/me/status', basic);
      expect(status).toMatchObject({ status: 200 });

      const closed = within(
        new Promise((resolve) => connected.once('close', () => resolve(undefined))),
        'the revoked kiosk to be cut off',
      );
      expect((await call('POST', `/v1/screens/${screenId}/revoke`, bearer)).status).toBe(200);
      await closed;
      connected.end(true);
      client = undefined;
      const refused = mqtt.connect(cluster.mqttUrls[1]!, {
        username: grant.username,
        password: grant.password,
        clientId: grant.username,
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
      const outcome = await within(
        new Promise<string>((resolve) => {
          refused.once('connect', () => resolve('connected'));
          refused.once('error', () => resolve('refused'));
          refused.once('close', () => resolve('refused'));
        }),
        'the revoked login to be answered',
      );
      refused.end(true);
      expect(outcome).toBe('refused');
    } finally {
      client?.end(true);
      await cloud.stop();
    }
  }, 180_000);
});
