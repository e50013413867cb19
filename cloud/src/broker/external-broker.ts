// The external engine: the cloud as a privileged client of Mosquitto (or EMQX) at MQTT_URL. Ingest uses an
// MQTT 5 shared subscription so N cloud replicas split the screens' traffic; screen identities are
// provisioned through Mosquitto's dynamic-security plugin.
import { ErrorWithSubackPacket, type IClientOptions, type ISubscriptionGrant } from 'mqtt';
import {
  allScreensTopic,
  assert,
  DEFAULT_TOPIC_ROOT,
  screenMqttUsername,
  screenTopic,
  sharedSubscription,
  type Ack,
  type TicketClaimed,
  type ScreenConfig,
} from '@redtap/shared';
import { defaultBrokerLimits, type BrokerLimits, type CommonBrokerOptions } from './broker-options.ts';
import {
  DYNSEC_RESPONSE_TOPIC,
  DynsecControl,
  INGEST_SHARE_GROUP,
  screenRole,
  type DynsecResult,
} from './dynsec.ts';
import { Inbound, withTimeout } from './inbound.ts';
import { connectPreferringV5 } from './mqtt-connect.ts';
import type { CloudBroker } from './types.ts';

export interface ExternalBrokerLimits extends BrokerLimits {
  connectTimeoutMs: number;
  reconnectPeriodMs: number;
  keepaliveS: number;
  dynsecTimeoutMs: number;
  dynsecPendingMax: number;
}

export const defaultExternalBrokerLimits: ExternalBrokerLimits = {
  ...defaultBrokerLimits,
  connectTimeoutMs: 10_000,
  reconnectPeriodMs: 2_000,
  keepaliveS: 30,
  dynsecTimeoutMs: 5_000,
  dynsecPendingMax: 1_000,
};

export interface ExternalBrokerOptions extends Omit<CommonBrokerOptions, 'limits'> {
  /** `mqtt://host:port` (or mqtts://) of Mosquitto / EMQX. */
  url: string;
  /** The cloud's service account: dynsec `admin` role plus `redtap-cloud` (see dynsec.ts). */
  username: string;
  password: string;
  /** Unique per replica; defaults to a random one. */
  clientId?: string;
  /** Shared-subscription group every replica joins. */
  shareGroup?: string;
  /** What kiosks are told to connect to, when it differs from `url`. */
  advertisedUrl?: string;
  /** Set false for a broker without the dynamic-security plugin (e.g. EMQX with its own auth backend). */
  dynamicSecurity?: boolean;
  limits?: Partial<ExternalBrokerLimits>;
}

export interface ExternalCloudBroker extends CloudBroker {
  /** The MQTT version the broker accepted, and so whether ingest is a shared subscription. */
  readonly protocolVersion: 4 | 5;
  readonly sharedSubscription: boolean;
}

const SUBACK_FAILURE = 0x80;

const alreadyExists = (result: DynsecResult): boolean => /already exists/i.test(result.error ?? '');
const notFound = (result: DynsecResult): boolean => /not found/i.test(result.error ?? '');

export async function connectExternalBroker(options: ExternalBrokerOptions): Promise<ExternalCloudBroker> {
  const limits: ExternalBrokerLimits = { ...defaultExternalBrokerLimits, ...options.limits };
  const root = options.topicRoot ?? DEFAULT_TOPIC_ROOT;
  const logger = options.logger.child({ component: 'broker', engine: 'external' });
  const inbound = new Inbound({ topicRoot: root, logger, limits, metricsRegistry: options.metricsRegistry });
  const clientOptions: IClientOptions = {
    clientId: options.clientId ?? `redtap-cloud-${process.pid}-${Math.random().toString(36).slice(2, 10)}`,
    username: options.username,
    password: options.password,
    clean: true,
    keepalive: limits.keepaliveS,
    reconnectPeriod: limits.reconnectPeriodMs,
    // A publish while offline fails fast (see publish below) instead of piling up in mqtt.js.
    queueQoSZero: false,
  };
  const { client, protocolVersion } = await connectPreferringV5(
    options.url,
    clientOptions,
    limits.connectTimeoutMs,
  );
  const shared = protocolVersion === 5;
  const dynsec = new DynsecControl(client, {
    logger,
    timeoutMs: limits.dynsecTimeoutMs,
    pendingMax: limits.dynsecPendingMax,
  });

  client.on('message', (topic, payload) => {
    if (topic === DYNSEC_RESPONSE_TOPIC) dynsec.handleResponse(payload);
    else inbound.dispatch(topic, payload);
  });
  client.on('error', (error) => {
    logger.warn({ err: error.message }, 'mqtt client error');
  });
  client.on('offline', () => {
    logger.warn('mqtt broker unreachable, reconnecting');
  });
  client.on('connect', () => {
    logger.info({ protocolVersion }, 'mqtt broker connected');
  });

  const ingestFilter = (filter: string) =>
    shared ? sharedSubscription(options.shareGroup ?? INGEST_SHARE_GROUP, filter) : filter;
  // Mosquitto 2 hands a shared subscription the retained presence too, so a replica that (re)subscribes
  // catches up on every screen's last one.
  const presenceFilter = ingestFilter(allScreensTopic('presence', root));
  const ingest = [ingestFilter(allScreensTopic('taps', root)), ingestFilter(allScreensTopic('events', root))];
  // The response topic is not shared: every replica must see the replies to its own commands.
  const filters = options.dynamicSecurity === false ? ingest : [...ingest, DYNSEC_RESPONSE_TOPIC];
  let granted: ISubscriptionGrant[];
  try {
    // mqtt.js resubscribes these by itself after a reconnect (clean session, `resubscribe` default).
    granted = await withTimeout(client.subscribeAsync(filters, { qos: 1 }), limits.connectTimeoutMs);
  } catch (error) {
    client.end(true);
    throw error;
  }
  const refused = granted.filter((grant) => grant.qos >= SUBACK_FAILURE).map((grant) => grant.topic);
  if (refused.length > 0) {
    client.end(true);
    throw new Error(`broker refused the cloud's subscriptions: ${refused.join(', ')}`);
  }
  // Apart, because without presence fleet health falls back to heartbeat age: worth a warning, not a
  // refusal to run (a `redtap-cloud` role from before presence lacks it). mqtt.js rejects a refusal.
  const presenceRefused = await withTimeout(
    client.subscribeAsync(presenceFilter, { qos: 1 }),
    limits.connectTimeoutMs,
  )
    .then(
      ([grant]) => grant === undefined || grant.qos >= SUBACK_FAILURE,
      (error: unknown) => {
        if (error instanceof ErrorWithSubackPacket) return true;
        throw error;
      },
    )
    .catch((error: unknown) => {
      client.end(true);
      throw error;
    });
  if (presenceRefused)
    logger.warn(
      { filter: presenceFilter },
      'broker refused the presence subscription; screen health falls back to heartbeat age',
    );
  logger.info(
    { url: options.url, protocolVersion, sharedSubscription: shared },
    'external mqtt broker ready',
  );

  let publishesInflight = 0;
  async function publish(topic: string, payload: Buffer, retain: boolean): Promise<void> {
    // Correctness never rests on the broker: a lost ack is resent when the kiosk retries.
    if (!client.connected) throw new Error('mqtt broker is not connected');
    if (publishesInflight >= limits.publishInflightMax) throw new Error('too many publishes in flight');
    publishesInflight++;
    try {
      await withTimeout(client.publishAsync(topic, payload, { qos: 1, retain }), limits.publishTimeoutMs);
    } finally {
      publishesInflight--;
    }
  }

  function requireDynsec(): void {
    assert(options.dynamicSecurity !== false, 'dynamic security is disabled for this broker');
  }

  let closing: Promise<void> | null = null;

  return {
    url: options.advertisedUrl ?? options.url,
    protocolVersion,
    sharedSubscription: shared,
    async provisionScreen(screenId, username, password) {
      requireDynsec();
      assert(username === screenMqttUsername(screenId), 'screen username must be screen-{id}');
      const role = screenRole(screenId, username, root);
      // Idempotent: a re-provisioned screen keeps its role and gets its new password and client id.
      const [, created] = await dynsec.runChecked(
        [
          { command: 'createRole', ...role },
          {
            command: 'createClient',
            username,
            password,
            // dynsec then refuses this username under any other client id.
            clientid: username,
            roles: [{ rolename: role.rolename, priority: 0 }],
          },
        ],
        alreadyExists,
      );
      if (created?.error !== undefined) {
        await dynsec.runChecked(
          [
            // Replaces password, client id and roles in one step (addClientRole fails on a role already held).
            {
              command: 'modifyClient',
              username,
              password,
              clientid: username,
              roles: [{ rolename: role.rolename, priority: 0 }],
            },
            { command: 'enableClient', username },
          ],
          alreadyExists,
        );
      }
      logger.info({ screenId }, 'screen provisioned in dynamic security');
    },
    async suspendScreen(screenId, untilMs) {
      requireDynsec();
      const username = screenMqttUsername(screenId);
      // disableClient kicks the connection; enabling again at once keeps a restart of this process from
      // locking the screen out for good. The ingest drops its batches until `untilMs`.
      await dynsec.runChecked(
        [
          { command: 'disableClient', username },
          { command: 'enableClient', username },
        ],
        notFound,
      );
      logger.warn({ screenId, untilMs }, 'screen disconnected for misbehaving');
    },
    async revokeScreen(screenId) {
      requireDynsec();
      const username = screenMqttUsername(screenId);
      // deleteClient also kicks the client if it is connected (Mosquitto 2.0 dynsec).
      await dynsec.runChecked(
        [
          { command: 'deleteClient', username },
          { command: 'deleteRole', rolename: username },
        ],
        notFound,
      );
      // A revoked screen's retained config would otherwise sit in the broker forever. Best effort: the
      // identity is already gone, which is what revocation promises.
      await publish(screenTopic(screenId, 'config', root), Buffer.alloc(0), true).catch((error: unknown) => {
        logger.warn({ err: error, screenId }, "could not clear a revoked screen's retained config");
      });
      logger.info({ screenId }, 'screen revoked in dynamic security');
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
        await inbound.close(limits.closeTimeoutMs);
        dynsec.forgetPending();
        await withTimeout(client.endAsync(), limits.closeTimeoutMs).catch(() => {
          client.end(true);
        });
        logger.info('external mqtt broker connection closed');
      })();
      return closing;
    },
  } satisfies ExternalCloudBroker;
}
