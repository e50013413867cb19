// Embedded-only behaviour; the ACL and the rest are in broker-contract.test.ts.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { screenMqttUsername, screenTopic } from '@redtap/shared';
import { Collector, nextEvent } from '../../test/broker/collector.ts';
import { createEmbeddedBroker, type EmbeddedBrokerOptions } from './embedded-broker.ts';
import { connectOnce, MqttConnectError } from './mqtt-connect.ts';
import type { CloudBroker, TapBatchMessage } from './types.ts';

const WAIT_MS = 5_000;
const root = 'embedded-test/v1';
const logger = pino({ level: 'silent' });
const brokers: CloudBroker[] = [];

afterEach(async () => {
  await Promise.all(brokers.splice(0).map((broker) => broker.close()));
});

async function start(options: Partial<EmbeddedBrokerOptions>): Promise<CloudBroker> {
  const broker = await createEmbeddedBroker({
    logger,
    topicRoot: root,
    authenticateScreen: (username, password) =>
      Promise.resolve(username === screenMqttUsername(1) && password === 'pw' ? 1 : null),
    ...options,
  });
  brokers.push(broker);
  return broker;
}

async function connectScreen1(broker: CloudBroker) {
  return connectOnce(
    broker.url,
    { username: 'screen-1', password: 'pw', clientId: 'screen-1', protocolVersion: 4, reconnectPeriod: 0 },
    WAIT_MS,
  );
}

describe('embedded broker', () => {
  it('closes a connection that announces a packet over the size limit, and keeps serving others', async () => {
    const broker = await start({ limits: { packetBytesMax: 4096 } });
    const taps = new Collector<TapBatchMessage>();
    broker.onTapBatch((m) => Promise.resolve(taps.push(m)));
    const client = await connectScreen1(broker);
    const closed = nextEvent(client, 'close', WAIT_MS);
    client.publish(screenTopic(1, 'taps', root), Buffer.alloc(8192));
    await closed;
    client.end(true);
    const again = await connectScreen1(broker);
    await again.publishAsync(screenTopic(1, 'taps', root), Buffer.alloc(100), { qos: 1 });
    const tap = await taps.waitFor(() => true, WAIT_MS, 'tap batch');
    expect(tap.payload.length).toBe(100);
    again.end(true);
  });

  it('answers "server unavailable" when the credential check fails or hangs, and stays up', async () => {
    let mode: 'throw' | 'hang' = 'throw';
    const broker = await start({
      limits: { authenticateTimeoutMs: 200 },
      authenticateScreen: () =>
        mode === 'throw' ? Promise.reject(new Error('db down')) : new Promise(() => undefined),
    });
    for (const next of ['throw', 'hang'] as const) {
      mode = next;
      const error = await connectScreen1(broker).then(
        () => null,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(MqttConnectError);
      expect((error as MqttConnectError).code).toBe(3);
    }
  });

  it('lets a revoked screen back in once it is provisioned again', async () => {
    const broker = await start({});
    const client = await connectScreen1(broker);
    const closed = nextEvent(client, 'close', WAIT_MS);
    await broker.revokeScreen(1);
    await closed;
    client.end(true);
    await expect(connectScreen1(broker)).rejects.toBeInstanceOf(MqttConnectError);
    await broker.provisionScreen(1, 'screen-1', 'pw');
    const back = await connectScreen1(broker);
    expect(back.connected).toBe(true);
    back.end(true);
  });

  it('refuses more connections than its bound', async () => {
    const broker = await start({ limits: { connectionsMax: 1 } });
    const first = await connectScreen1(broker);
    await expect(
      connectOnce(
        broker.url,
        { clientId: 'screen-2', username: 'screen-2', password: 'x', reconnectPeriod: 0 },
        WAIT_MS,
      ),
    ).rejects.toBeInstanceOf(MqttConnectError);
    first.end(true);
  });
});
