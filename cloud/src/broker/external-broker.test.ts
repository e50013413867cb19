// The external engine against a broker without MQTT 5 or dynamic security (a bare aedes): it falls back to
// MQTT 3.1.1 and a plain subscription. Mosquitto is covered in broker-contract.test.ts.
import { createServer } from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenTopic } from '@redtap/shared';
import { Collector } from '../../test/broker/collector.ts';
import { connectExternalBroker, type ExternalCloudBroker } from './external-broker.ts';
import { MqttConnectError } from './mqtt-connect.ts';
import type { TapBatchMessage } from './types.ts';

const WAIT_MS = 5_000;
const root = 'external-test/v1';
const logger = pino({ level: 'silent' });

describe('external broker on an MQTT 3.1.1-only broker', { timeout: 20_000 }, () => {
  let aedes: Aedes;
  let server: ReturnType<typeof createServer>;
  let url: string;

  beforeAll(async () => {
    aedes = await Aedes.createBroker({
      authenticate: (_client, username, _password, done) => {
        done(null, username === 'cloud');
      },
    });
    server = createServer(aedes.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address !== 'object') throw new Error('no address');
    url = `mqtt://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => aedes.close(resolve));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('falls back to 3.1.1 with a plain subscription and still ingests and delivers', async () => {
    const broker: ExternalCloudBroker = await connectExternalBroker({
      logger,
      url,
      username: 'cloud',
      password: 'x',
      topicRoot: root,
      dynamicSecurity: false,
      limits: { connectTimeoutMs: 2_000 },
    });
    try {
      expect(broker.protocolVersion).toBe(4);
      expect(broker.sharedSubscription).toBe(false);
      const taps = new Collector<TapBatchMessage>();
      broker.onTapBatch((m) => Promise.resolve(taps.push(m)));
      const screen = await mqtt.connectAsync(url, {
        username: 'cloud',
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
      const acks = new Collector<string>();
      screen.on('message', (_topic, payload) => acks.push(payload.toString('utf8')));
      await screen.subscribeAsync(screenTopic(3, 'acks', root), { qos: 1 });
      await screen.publishAsync(screenTopic(3, 'taps', root), Buffer.from([1, 2, 3]), { qos: 1 });
      const tap = await taps.waitFor(() => true, WAIT_MS, 'tap batch');
      expect(tap.screenId).toBe(3);
      await broker.publishAck(3, { results: [{ counter: 1, status: 'duplicate' }] });
      const ack = await acks.waitFor(() => true, WAIT_MS, 'ack');
      expect(JSON.parse(ack)).toEqual({ results: [{ counter: 1, status: 'duplicate' }] });
      screen.end(true);
      await expect(broker.provisionScreen(3, 'screen-3', 'pw')).rejects.toThrow(
        /dynamic security is disabled/,
      );
    } finally {
      await broker.close();
    }
  });

  it('runs without presence when the broker refuses only that subscription', async () => {
    const strict = await Aedes.createBroker({
      authenticate: (_client, username, _password, done) => {
        done(null, username === 'cloud');
      },
      // A service role from before presence: everything but the presence filter.
      authorizeSubscribe: (_client, subscription, callback) => {
        callback(null, subscription.topic.endsWith('/presence') ? null : subscription);
      },
    });
    const strictServer = createServer(strict.handle);
    await new Promise<void>((resolve) => strictServer.listen(0, '127.0.0.1', resolve));
    const address = strictServer.address();
    if (address === null || typeof address !== 'object') throw new Error('no address');
    const strictUrl = `mqtt://127.0.0.1:${address.port}`;
    try {
      const broker = await connectExternalBroker({
        logger,
        url: strictUrl,
        username: 'cloud',
        password: 'x',
        topicRoot: root,
        dynamicSecurity: false,
        limits: { connectTimeoutMs: 2_000 },
      });
      try {
        const taps = new Collector<TapBatchMessage>();
        broker.onTapBatch((m) => Promise.resolve(taps.push(m)));
        const screen = await mqtt.connectAsync(strictUrl, {
          username: 'cloud',
          protocolVersion: 4,
          reconnectPeriod: 0,
        });
        await screen.publishAsync(screenTopic(4, 'taps', root), Buffer.from([4]), { qos: 1 });
        expect((await taps.waitFor(() => true, WAIT_MS, 'tap batch')).screenId).toBe(4);
        screen.end(true);
      } finally {
        await broker.close();
      }
    } finally {
      await new Promise<void>((resolve) => strict.close(resolve));
      await new Promise<void>((resolve) => strictServer.close(() => resolve()));
    }
  });

  it('refuses wrong credentials without retrying under 3.1.1', async () => {
    await expect(
      connectExternalBroker({
        logger,
        url,
        username: 'intruder',
        password: 'x',
        topicRoot: root,
        dynamicSecurity: false,
      }),
    ).rejects.toBeInstanceOf(MqttConnectError);
  });
});
