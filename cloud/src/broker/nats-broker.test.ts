// What the NATS engine adds beyond the contract suite (broker-contract.test.ts), on a private three-node
// cluster: a batch whose replica dies before acknowledging it is handled by another replica; the retained
// config reaches a screen at any node, also after the node the cloud published through is killed; a
// revocation cuts the screen at whichever node it is connected to and survives a node restart.
import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenMqttUsername, screenTopic, type ScreenConfig } from '@redtap/shared';
import { Collector, nextEvent } from '../../test/broker/collector.ts';
import { launchNatsCluster, natsMissingReason, type NatsCluster } from '../../test/broker/nats.ts';
import { connectOnce, MqttConnectError } from './mqtt-connect.ts';
import { connectNatsBroker, type NatsBrokerLimits, type NatsCloudBroker } from './nats-broker.ts';
import type { TapBatchMessage } from './types.ts';

const WAIT_MS = 20_000;
const FAILOVER_WAIT_MS = 120_000;
/** How long the test watches a surviving node's retained copy catch up after a node loss. */
const RETAINED_LAG_OBSERVED_MS = 30_000;
const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
const missing = natsMissingReason();
const inCi = process.env.CI === 'true';
if (missing !== null && !inCi) console.warn(`\n*** SKIPPING nats broker tests: ${missing} ***\n`);

const config: ScreenConfig = {
  version: 3,
  issuedAt: 1_760_000_000,
  timezone: 'Asia/Shanghai',
  issuerKeys: [{ keyId: 1, publicKey: `04${'cd'.repeat(64)}` }],
  campaigns: [],
  playlist: [],
  creatives: [],
  revocation: { version: 1, credentials: [] },
  deckRefillThreshold: 20,
};

describe.skipIf(missing !== null && !inCi)(
  'nats broker on a three-node cluster',
  { timeout: 240_000 },
  () => {
    const topicRoot = `redtap-nats-${process.pid}-${randomBytes(4).toString('hex')}/v1`;
    let cluster: NatsCluster;
    const brokers: NatsCloudBroker[] = [];
    const clients: MqttClient[] = [];
    let nextScreenId = 5000;

    beforeAll(async () => {
      if (missing !== null) throw new Error(`CI=true and ${missing}`);
      cluster = await launchNatsCluster({ nodes: 3 });
    }, 60_000);

    afterAll(async () => {
      for (const client of clients) client.end(true);
      for (const broker of brokers) await broker.close();
      await cluster.stop();
    });

    async function cloud(limits: Partial<NatsBrokerLimits> = {}): Promise<NatsCloudBroker> {
      const broker = await connectNatsBroker({
        logger,
        topicRoot,
        natsServers: cluster.natsUrls,
        mqttServers: cluster.mqttUrls,
        seeds: cluster.auth,
        limits,
      });
      brokers.push(broker);
      return broker;
    }

    async function screenAt(
      url: string,
      screenId: number,
      password: string,
      reconnect = false,
    ): Promise<MqttClient> {
      const username = screenMqttUsername(screenId);
      const client = await connectOnce(
        url,
        { username, password, clientId: username, protocolVersion: 4, reconnectPeriod: reconnect ? 500 : 0 },
        WAIT_MS,
      );
      clients.push(client);
      return client;
    }

    async function provision(broker: NatsCloudBroker, screenId: number): Promise<string> {
      const password = await broker.mintScreenPassword(screenId);
      await broker.provisionScreen(screenId, screenMqttUsername(screenId), password);
      return password;
    }

    it('hands a batch to another replica when the one holding it dies before acknowledging', async () => {
      const limits = { ackWaitMs: 3_000, closeTimeoutMs: 500 };
      const dying = await cloud(limits);
      const surviving = await cloud(limits);
      const heldByDying = new Collector<TapBatchMessage>();
      const handledBySurvivor = new Collector<TapBatchMessage>();
      // The dying replica never finishes a batch; the survivor settles at once.
      dying.onTapBatch((message) => {
        heldByDying.push(message);
        return new Promise<void>(() => undefined);
      });
      surviving.onTapBatch((message) => Promise.resolve(handledBySurvivor.push(message)));

      const screenId = nextScreenId++;
      const password = await provision(surviving, screenId);
      const screen = await screenAt(cluster.mqttUrls[1]!, screenId, password);
      const sent: Buffer[] = [];
      // Batches until the dying replica holds one (each is taken by one replica or the other).
      for (let i = 0; i < 50 && heldByDying.items.length === 0; i++) {
        const batch = randomBytes(40);
        sent.push(batch);
        await screen.publishAsync(screenTopic(screenId, 'taps', topicRoot), batch, { qos: 1 });
        await Promise.race([
          heldByDying.waitFor(() => true, 300, 'held').catch(() => undefined),
          handledBySurvivor
            .waitFor((m) => Buffer.from(m.payload).equals(batch), 300, 'handled')
            .catch(() => undefined),
        ]);
      }
      const held = await heldByDying.waitFor(() => true, WAIT_MS, 'a batch held by the dying replica');
      await dying.close();
      await handledBySurvivor.waitFor(
        (m) => Buffer.from(m.payload).equals(Buffer.from(held.payload)),
        WAIT_MS,
        'the held batch, redelivered to the survivor',
      );
      // Every batch sent was settled by the survivor, each once.
      for (const batch of sent)
        await handledBySurvivor.waitFor((m) => Buffer.from(m.payload).equals(batch), WAIT_MS, 'every batch');
      const seen = handledBySurvivor.items.map((m) => Buffer.from(m.payload).toString('hex'));
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBe(sent.length);
    });

    it('delivers the retained config at every node, also after the node the cloud used is killed', async () => {
      const broker = await cloud();
      const screenId = nextScreenId++;
      const password = await provision(broker, screenId);
      await broker.publishConfig(screenId, config);
      const receiveOnce = async (url: string): Promise<{ payload: Buffer; retain: boolean }> => {
        const client = await screenAt(url, screenId, password);
        try {
          const received = new Collector<{ payload: Buffer; retain: boolean }>();
          client.on('message', (_topic, payload, packet) =>
            received.push({ payload, retain: packet.retain }),
          );
          await client.subscribeAsync(screenTopic(screenId, 'config', topicRoot), { qos: 1 });
          return await received.waitFor(() => true, WAIT_MS, `retained config at ${url}`);
        } finally {
          client.end(true);
        }
      };
      // Like a kiosk, retry a login or subscription that a node refuses while the cluster re-elects after
      // a loss (NATS 2.9 answers CONNACK or SUBACK failures then).
      const receive = async (url: string): Promise<{ payload: Buffer; retain: boolean }> => {
        const deadline = Date.now() + FAILOVER_WAIT_MS;
        for (;;) {
          const message = await receiveOnce(url).catch((error: unknown) => {
            if (Date.now() > deadline) throw error;
            return null;
          });
          if (message !== null) return message;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      };
      for (const url of cluster.mqttUrls.slice(1)) {
        const message = await receive(url);
        expect(message.retain).toBe(true);
        expect(JSON.parse(message.payload.toString('utf8'))).toEqual(config);
      }

      // The cloud's MQTT connection is on the first node: kill it, publish a newer config through another.
      const killed = cluster.nodes[0]!;
      await killed.kill();
      try {
        const newer = { ...config, version: config.version + 1 };
        // NATS 2.9 takes a while here: the surviving nodes elect new leaders for the MQTT streams'
        // consumers before an MQTT login completes (docs/scaling.md has the figure measured).
        const started = Date.now();
        const deadline = started + FAILOVER_WAIT_MS;
        for (;;) {
          const published = await broker.publishConfig(screenId, newer).then(
            () => true,
            () => false,
          );
          if (published) {
            logger.info({ failoverMs: Date.now() - started }, 'cloud published through another node');
            break;
          }
          if (Date.now() > deadline) throw new Error('the cloud never published through another node');
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        // A node's copy of the retained messages follows the replicated stream through a consumer of its
        // own. After the loss of a node it may lag: 0.2-0.6 s in most runs, but more than 120 s in one CI
        // run on a loaded machine (NATS 2.9.10; docs/protocol.md §5.2). What holds either way, and is
        // asserted: a login meanwhile gets the older config whole, never a newer or a broken one, so a kiosk
        // (which only takes a higher version) keeps what it has. The lag is measured and logged, not
        // asserted, over a bounded window.
        const published = Date.now();
        let converged = false;
        while (Date.now() - published < RETAINED_LAG_OBSERVED_MS) {
          const message = await receive(cluster.mqttUrls[2]!);
          expect(message.retain).toBe(true);
          const got = JSON.parse(message.payload.toString('utf8')) as ScreenConfig;
          if (got.version === newer.version) {
            expect(got).toEqual(newer);
            converged = true;
            logger.info({ staleMs: Date.now() - published }, 'retained config converged at another node');
            break;
          }
          expect(got).toEqual(config);
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        if (!converged)
          logger.warn(
            { staleMs: Date.now() - published },
            'retained config still the older one at another node after a node loss (NATS 2.9)',
          );
      } finally {
        await killed.restart();
      }
    });

    it('cuts a revoked screen at another node and refuses it there, also after that node restarts', async () => {
      const broker = await cloud();
      const screenId = nextScreenId++;
      const password = await provision(broker, screenId);
      const node = cluster.nodes[2]!;
      const screen = await screenAt(node.mqttUrl, screenId, password);
      const closed = nextEvent(screen, 'close', WAIT_MS);
      await broker.revokeScreen(screenId);
      await closed;
      const refused = await screenAt(node.mqttUrl, screenId, password).then(
        () => null,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(MqttConnectError);
      // The full resolver keeps the pushed account JWT on disk: a restarted node still refuses it.
      await node.restart();
      for (const url of cluster.mqttUrls) {
        const again = await screenAt(url, screenId, password).then(
          () => null,
          (error: unknown) => error,
        );
        expect(again).toBeInstanceOf(MqttConnectError);
      }
    });

    it('keeps every revocation when two replicas revoke at once (compare-and-set on the list)', async () => {
      const first = await cloud();
      const second = await cloud();
      const screens = [nextScreenId++, nextScreenId++, nextScreenId++, nextScreenId++];
      const passwords = new Map<number, string>();
      for (const screenId of screens) passwords.set(screenId, await provision(first, screenId));
      await Promise.all(screens.map((screenId, i) => (i % 2 === 0 ? first : second).revokeScreen(screenId)));
      for (const screenId of screens) {
        const refused = await screenAt(cluster.mqttUrls[1]!, screenId, passwords.get(screenId)!).then(
          () => null,
          (error: unknown) => error,
        );
        expect(refused).toBeInstanceOf(MqttConnectError);
      }
    });

    it('suspends a screen connected at another node than the cloud uses, and lets it back in', async () => {
      const broker = await cloud();
      const screenId = nextScreenId++;
      const password = await provision(broker, screenId);
      const screen = await screenAt(cluster.mqttUrls[2]!, screenId, password);
      const closed = nextEvent(screen, 'close', WAIT_MS);
      await broker.suspendScreen(screenId, Date.now() + 60_000);
      await closed;
      // NATS 2.9 refuses a client id taken over from another node for a moment; a kiosk retries.
      const deadline = Date.now() + WAIT_MS;
      for (;;) {
        const again = await screenAt(cluster.mqttUrls[2]!, screenId, password).catch((error: unknown) => {
          if (Date.now() > deadline) throw error;
          return null;
        });
        if (again !== null) {
          expect(again.connected).toBe(true);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    });
  },
);
