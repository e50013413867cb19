// The NATS engine: a cluster of nats-server 2.9 nodes with JetStream and the MQTT listener, which kiosks
// reach over MQTT 3.1.1 at any node (docs/architecture.md, "Broker"). Screens log in with a bearer user
// JWT as their MQTT password, carrying the §5.2 ACL (nats-auth.ts). Up messages (taps, events, presence
// and wills) are captured by a JetStream stream with 3 replicas; every cloud replica pulls from one
// durable consumer, so each message is handled by one replica, acknowledged once its handlers settled,
// and redelivered to another replica after `ackWaitMs` when its replica died. Down messages go out
// through an MQTT connection of the cloud, so the retained config is an MQTT retained message that the
// cluster replicates (the `$MQTT_rmsgs` stream) and any node hands to a subscriber.
import {
  jetstream,
  jetstreamManager,
  AckPolicy,
  DeliverPolicy,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import type { Consumer, ConsumerMessages, JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { connect, jwtAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import type { MqttClient } from 'mqtt';
import {
  allScreensTopic,
  assert,
  DEFAULT_TOPIC_ROOT,
  screenMqttUsername,
  screenTopic,
  type Ack,
  type ScreenConfig,
  type TicketClaimed,
} from '@redtap/shared';
import { defaultBrokerLimits, type BrokerLimits, type CommonBrokerOptions } from './broker-options.ts';
import { Inbound, withTimeout, type InboundOutcome } from './inbound.ts';
import { connectOnce } from './mqtt-connect.ts';
import {
  encodeApplicationAccount,
  keyFromSeed,
  mintBearerUser,
  mintScreenJwt,
  mqttTopicToSubject,
  screenJwtKey,
  type NatsAuthSeeds,
} from './nats-auth.ts';
import type { CloudBroker } from './types.ts';

export interface NatsBrokerLimits extends BrokerLimits {
  connectTimeoutMs: number;
  /** How long a pulled message may stay unacknowledged before JetStream hands it to another replica. */
  ackWaitMs: number;
  /**
   * Messages this replica holds unacknowledged at once. At most the inbound's per-screen queue, so the
   * inbound never drops a message: the stream is the queue.
   */
  pullInflightMax: number;
  /** Ingest stream bounds: what no replica took within this age or size is discarded. */
  streamMaxAgeMs: number;
  streamMaxBytes: number;
  /** A claims update, lookup or state read. */
  controlTimeoutMs: number;
  /** Compare-and-set retries of the revocation list under concurrent replicas. */
  revocationRetriesMax: number;
}

export const defaultNatsBrokerLimits: NatsBrokerLimits = {
  ...defaultBrokerLimits,
  connectTimeoutMs: 10_000,
  ackWaitMs: 60_000,
  pullInflightMax: 32,
  streamMaxAgeMs: 24 * 3600_000,
  streamMaxBytes: 4 * 1024 ** 3,
  controlTimeoutMs: 10_000,
  revocationRetriesMax: 20,
};

export interface NatsBrokerOptions extends Omit<CommonBrokerOptions, 'limits'> {
  /** `nats://host:port` of the cluster's nodes (the cloud's JetStream and control connections). */
  natsServers: string[];
  /** `mqtt://host:port` of the nodes' MQTT listeners (the cloud's down publishes; failover in order). */
  mqttServers: string[];
  seeds: NatsAuthSeeds;
  /** What kiosks are told to connect to; defaults to the first MQTT server. */
  advertisedUrl?: string;
  /** The shared durable consumer; every replica of one deployment uses the same. */
  durable?: string;
  /** JetStream replicas of the ingest and state streams (at most the cluster's size). */
  replicas?: number;
  limits?: Partial<NatsBrokerLimits>;
}

export interface NatsCloudBroker extends CloudBroker {
  /** The enrolment's MQTT password for a screen on NATS: a bearer user JWT with its §5.2 ACL. */
  mintScreenPassword(screenId: number): Promise<string>;
  /** Names of the ingest stream and its durable consumer, for operators and tests. */
  readonly ingest: { stream: string; durable: string };
}

/** Stream names allow no dots or wildcards; one stream per topic root. */
function streamName(prefix: string, topicRoot: string): string {
  return `${prefix}_${topicRoot.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

const subjectToTopic = (subject: string): string => subject.replaceAll('.', '/');

interface RevocationState {
  revocations: Record<string, number>;
}

export async function connectNatsBroker(options: NatsBrokerOptions): Promise<NatsCloudBroker> {
  assert(options.natsServers.length > 0, 'NATS servers are required');
  const [firstMqtt] = options.mqttServers;
  if (firstMqtt === undefined) throw new Error('NATS MQTT servers are required');
  const limits: NatsBrokerLimits = { ...defaultNatsBrokerLimits, ...options.limits };
  assert(
    limits.pullInflightMax <= limits.screenQueueLengthMax && limits.pullInflightMax <= limits.queueLengthMax,
    'pullInflightMax must not exceed the inbound queues',
  );
  const root = options.topicRoot ?? DEFAULT_TOPIC_ROOT;
  const replicas = options.replicas ?? 3;
  const durable = options.durable ?? 'redtap-ingest';
  const logger = options.logger.child({ component: 'broker', engine: 'nats' });
  const inbound = new Inbound({ topicRoot: root, logger, limits, metricsRegistry: options.metricsRegistry });
  const accountPublicKey = keyFromSeed(options.seeds.accountSeed).getPublicKey();
  const ingestStream = streamName('REDTAP_INGEST', root);
  const stateStream = streamName('REDTAP_BROKER_STATE', root);
  // A stream of its own: compare-and-set on it uses the stream's last sequence, which a clustered
  // stream checks against proposals still in flight; nats-server 2.9 checks a subject's last sequence
  // against stored messages only, so two concurrent writers both pass (a test showed a revocation lost).
  const revocationsStream = streamName('REDTAP_BROKER_REVOCATIONS', root);
  const stateRoot = `redtap-state.${ingestStream}`;
  const screenKeySubject = (screenId: number) => `${stateRoot}.screen.${screenId}`;
  const revocationsSubject = `${stateRoot}.revocations`;

  const cloudUser = await mintBearerUser('redtap-cloud', options.seeds.accountSeed);
  const systemUser = await mintBearerUser('redtap-cloud-system', options.seeds.systemAccountSeed);
  const natsOptions = {
    servers: options.natsServers,
    timeout: limits.connectTimeoutMs,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
  };
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    closers.length = 0;
  };

  let nc: NatsConnection;
  let sys: NatsConnection;
  let mqttClient: MqttClient;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let messages: ConsumerMessages;
  try {
    nc = await connect({
      ...natsOptions,
      name: 'redtap-cloud',
      authenticator: jwtAuthenticator(cloudUser.jwt),
    });
    closers.push(() => nc.drain());
    sys = await connect({
      ...natsOptions,
      name: 'redtap-cloud-system',
      authenticator: jwtAuthenticator(systemUser.jwt),
    });
    closers.push(() => sys.drain());
    jsm = await jetstreamManager(nc, { timeout: limits.controlTimeoutMs });
    js = jetstream(nc, { timeout: limits.controlTimeoutMs });
    await ensureStream(jsm, {
      name: ingestStream,
      subjects: (['taps', 'events', 'presence'] as const).map((kind) =>
        mqttTopicToSubject(allScreensTopic(kind, root)),
      ),
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      num_replicas: replicas,
      max_age: limits.streamMaxAgeMs * 1_000_000,
      max_bytes: limits.streamMaxBytes,
    });
    await ensureStream(jsm, {
      name: stateStream,
      subjects: [`${stateRoot}.screen.*`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      num_replicas: replicas,
      max_msgs_per_subject: 1,
    });
    await ensureStream(jsm, {
      name: revocationsStream,
      subjects: [revocationsSubject],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      num_replicas: replicas,
      max_msgs: 1,
    });
    await jsm.consumers
      .add(ingestStream, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: limits.ackWaitMs * 1_000_000,
        max_ack_pending: 10_000,
      })
      .catch(async (error: unknown) => {
        // Another replica created it first with the same settings, or an older config: update ack_wait.
        logger.debug({ err: error }, 'durable consumer exists');
        await jsm.consumers.update(ingestStream, durable, { ack_wait: limits.ackWaitMs * 1_000_000 });
      });
    const consumer: Consumer = await js.consumers.get(ingestStream, durable);
    messages = await consumer.consume({ max_messages: limits.pullInflightMax });
    closers.push(async () => {
      await messages.close();
    });

    // The cloud's MQTT side: down publishes with the retain flag where MQTT retains them. mqtt.js rotates
    // through `servers` on reconnect.
    const connected = await connectOnce(
      firstMqtt,
      {
        clientId: `redtap-cloud-${process.pid}-${Math.random().toString(36).slice(2, 10)}`,
        username: 'redtap-cloud',
        password: cloudUser.jwt,
        protocolVersion: 4,
        clean: true,
        keepalive: 30,
        reconnectPeriod: 1_000,
        queueQoSZero: false,
        servers: options.mqttServers.map((url) => {
          const parsed = new URL(url);
          return { host: parsed.hostname, port: Number(parsed.port) };
        }),
      },
      limits.connectTimeoutMs,
    ).catch((error: unknown) => {
      throw new Error(`cannot reach the NATS MQTT listener at ${firstMqtt}: ${String(error)}`);
    });
    mqttClient = connected;
    closers.push(async () => {
      await withTimeout(mqttClient.endAsync(), limits.closeTimeoutMs).catch(() => mqttClient.end(true));
    });
  } catch (error) {
    await closeAll();
    throw error;
  }
  mqttClient.on('error', (error) => logger.warn({ err: error.message }, 'nats mqtt client error'));
  mqttClient.on('offline', () => logger.warn('nats mqtt listener unreachable, reconnecting'));

  // The pull loop: at most pullInflightMax messages unsettled; each is acknowledged once handled (or
  // judged invalid), and given back at once when this replica could not take it.
  let inflight = 0;
  let slotFreed: (() => void) | null = null;
  const pulling = (async () => {
    for await (const message of messages) {
      inflight++;
      const settle = (outcome: InboundOutcome) => {
        inflight--;
        if (outcome === 'dropped') message.nak();
        else message.ack();
        const wake = slotFreed;
        slotFreed = null;
        wake?.();
      };
      inbound.dispatch(subjectToTopic(message.subject), message.data, settle);
      while (inflight >= limits.pullInflightMax) await new Promise<void>((resolve) => (slotFreed = resolve));
    }
  })().catch((error: unknown) => {
    logger.error({ err: error }, 'nats ingest consumer stopped');
  });

  logger.info(
    { natsServers: options.natsServers, mqttServers: options.mqttServers, stream: ingestStream, durable },
    'nats broker ready',
  );

  let publishesInflight = 0;
  async function publish(topic: string, payload: Buffer, retain: boolean): Promise<void> {
    if (!mqttClient.connected) throw new Error('nats mqtt listener is not connected');
    if (publishesInflight >= limits.publishInflightMax) throw new Error('too many publishes in flight');
    publishesInflight++;
    try {
      await withTimeout(mqttClient.publishAsync(topic, payload, { qos: 1, retain }), limits.publishTimeoutMs);
    } finally {
      publishesInflight--;
    }
  }

  async function lastOn(
    subject: string,
    stream = stateStream,
  ): Promise<{ seq: number; data: Uint8Array } | null> {
    const stored = await jsm.streams.getMessage(stream, { last_by_subj: subject }).catch(() => null);
    return stored === null ? null : { seq: stored.seq, data: stored.data };
  }

  /**
   * Changes the account's revocation list under compare-and-set (the last sequence of the stream that
   * holds only the list), then signs the account JWT with it and pushes it to the cluster, which disconnects the
   * revoked users. The list's last writer pushes the newest list.
   */
  async function changeRevocations(change: (revocations: Record<string, number>) => void): Promise<void> {
    for (let attempt = 0; attempt < limits.revocationRetriesMax; attempt++) {
      const last = await lastOn(revocationsSubject, revocationsStream);
      const state: RevocationState =
        last === null
          ? { revocations: {} }
          : (JSON.parse(new TextDecoder().decode(last.data)) as RevocationState);
      change(state.revocations);
      const written = await js
        .publish(revocationsSubject, JSON.stringify(state), {
          expect: { lastSequence: last?.seq ?? 0 },
        })
        .then(
          (ack) => ack.seq,
          (error: unknown) => {
            logger.debug({ err: error, attempt }, 'revocation list changed meanwhile, retrying');
            return null;
          },
        );
      if (written === null) continue;
      // Another replica may write a newer list and push it before this push lands: so push until the
      // list pushed is the newest one stored.
      let pushed = written;
      await pushAccount(state.revocations);
      for (let check = 0; check < limits.revocationRetriesMax; check++) {
        const newest = await lastOn(revocationsSubject, revocationsStream);
        if (newest === null || newest.seq === pushed) return;
        pushed = newest.seq;
        const newer = JSON.parse(new TextDecoder().decode(newest.data)) as RevocationState;
        await pushAccount(newer.revocations);
      }
      throw new Error('could not push the newest revocation list: too many concurrent changes');
    }
    throw new Error('could not update the revocation list: too many concurrent changes');
  }

  async function pushAccount(revocations: Record<string, number>): Promise<void> {
    const accountJwt = await encodeApplicationAccount(options.seeds, revocations);
    const reply = await sys.request('$SYS.REQ.CLAIMS.UPDATE', accountJwt, {
      timeout: limits.controlTimeoutMs,
    });
    const answer = reply.json<{ error?: { description?: string }; data?: unknown }>();
    if (answer.error !== undefined)
      throw new Error(`cluster refused the account update: ${answer.error.description ?? 'unknown'}`);
  }

  async function currentScreenKey(screenId: number): Promise<string | null> {
    const last = await lastOn(screenKeySubject(screenId));
    if (last === null || last.data.length === 0) return null;
    return new TextDecoder().decode(last.data);
  }

  let closing: Promise<void> | null = null;

  return {
    url: options.advertisedUrl ?? firstMqtt,
    ingest: { stream: ingestStream, durable },
    async mintScreenPassword(screenId) {
      const { jwt } = await mintScreenJwt(
        screenId,
        screenMqttUsername(screenId),
        options.seeds.accountSeed,
        root,
      );
      return jwt;
    },
    async provisionScreen(screenId, username, password) {
      assert(username === screenMqttUsername(screenId), 'screen username must be screen-{id}');
      const key = screenJwtKey(password, screenId, username, accountPublicKey, root);
      const old = await currentScreenKey(screenId);
      if (old === key) return;
      await js.publish(screenKeySubject(screenId), key);
      // The previous kiosk's JWT stops working, and its connection is cut.
      if (old !== null)
        await changeRevocations((revocations) => {
          revocations[old] = Math.floor(Date.now() / 1000);
        });
      logger.info({ screenId }, 'screen provisioned (bearer JWT)');
    },
    async revokeScreen(screenId) {
      const key = await currentScreenKey(screenId);
      if (key !== null) {
        await changeRevocations((revocations) => {
          revocations[key] = Math.floor(Date.now() / 1000);
        });
        await js.publish(screenKeySubject(screenId), '');
      }
      await publish(screenTopic(screenId, 'config', root), Buffer.alloc(0), true).catch((error: unknown) => {
        logger.warn({ err: error, screenId }, "could not clear a revoked screen's retained config");
      });
      logger.info({ screenId }, 'screen revoked (user key in the account revocations)');
    },
    async suspendScreen(screenId, untilMs) {
      // NATS 2.9 has no kick request: a connection that takes over the screen's MQTT client id makes the
      // cluster close the screen's connection; it then leaves at once. The screen may log in again and the
      // ingest drops its batches until `untilMs`.
      const username = screenMqttUsername(screenId);
      let taker: MqttClient | null = null;
      let lastError: unknown = null;
      // Any node will do: the cluster closes the screen's connection wherever it is.
      for (const url of options.mqttServers) {
        taker = await connectOnce(
          url,
          {
            clientId: username,
            username: 'redtap-cloud',
            password: cloudUser.jwt,
            protocolVersion: 4,
            clean: true,
            reconnectPeriod: 0,
          },
          limits.connectTimeoutMs,
        ).catch((error: unknown) => {
          lastError = error;
          return null;
        });
        if (taker !== null) break;
      }
      if (taker === null) throw new Error(`no MQTT listener took the suspension: ${String(lastError)}`);
      await withTimeout(taker.endAsync(), limits.closeTimeoutMs).catch(() => taker.end(true));
      logger.warn({ screenId, untilMs }, 'screen disconnected for misbehaving');
    },
    publishConfig(screenId: number, config: ScreenConfig) {
      return publish(screenTopic(screenId, 'config', root), Buffer.from(JSON.stringify(config)), true);
    },
    publishDeck(screenId: number, deck: Uint8Array) {
      return publish(screenTopic(screenId, 'decks', root), Buffer.from(deck), false);
    },
    publishAck(screenId: number, ack: Ack) {
      return publish(screenTopic(screenId, 'acks', root), Buffer.from(JSON.stringify(ack)), false);
    },
    publishTicketClaimed(screenId: number, notice: TicketClaimed) {
      return publish(screenTopic(screenId, 'claimed', root), Buffer.from(JSON.stringify(notice)), false);
    },
    onTapBatch(handler) {
      inbound.onTapBatch(handler);
    },
    onScreenEvent(handler) {
      inbound.onScreenEvent(handler);
    },
    onScreenPresence(handler) {
      inbound.onScreenPresence(handler);
    },
    stats() {
      return inbound.stats();
    },
    close() {
      closing ??= (async () => {
        // Stop pulling first: what is queued but unhandled is given back (nak) to another replica.
        await messages.close().catch(() => undefined);
        await inbound.close(limits.closeTimeoutMs);
        await withTimeout(pulling, limits.closeTimeoutMs).catch(() => undefined);
        await closeAll();
        logger.info('nats broker connections closed');
      })();
      return closing;
    },
  } satisfies NatsCloudBroker;
}

async function ensureStream(
  jsm: JetStreamManager,
  config: Parameters<JetStreamManager['streams']['add']>[0] & { name: string },
): Promise<void> {
  const existing = await jsm.streams.info(config.name).catch(() => null);
  if (existing === null) {
    await jsm.streams.add(config).catch(async (error: unknown) => {
      // Another replica created it meanwhile.
      if ((await jsm.streams.info(config.name).catch(() => null)) === null) throw error;
    });
  }
}
