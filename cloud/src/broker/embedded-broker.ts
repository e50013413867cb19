// The embedded engine: aedes in the cloud process, listening on TCP for kiosks. Screens log in as
// `screen-{id}` and the topic ACL of docs/protocol.md §5.2 is enforced in aedes' auth hooks.
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes, type AedesPublishPacket, type AuthenticateError, type Client } from 'aedes';
import {
  allScreensTopic,
  assert,
  DEFAULT_TOPIC_ROOT,
  screenMayPublish,
  screenMaySetWill,
  screenMaySubscribe,
  screenMqttUsername,
  screenTopic,
  type Ack,
  type TicketClaimed,
  type ScreenConfig,
} from '@redtap/shared';
import { defaultBrokerLimits, type BrokerLimits, type CommonBrokerOptions } from './broker-options.ts';
import { Inbound, withTimeout } from './inbound.ts';
import { meterSocket } from './mqtt-frame-meter.ts';
import { parseScreenUsername } from './screen-username.ts';
import type { AuthenticateScreen, CloudBroker } from './types.ts';

export interface EmbeddedBrokerLimits extends BrokerLimits {
  connectionsMax: number;
  authenticateTimeoutMs: number;
  /** Time a socket may take to send CONNECT. */
  connectTimeoutMs: number;
  /** Largest keepalive a screen may ask for. */
  keepaliveMaxS: number;
  /** A single MQTT packet, fixed header excluded; a full tap batch plus its topic fits. */
  packetBytesMax: number;
  passwordBytesMax: number;
  /** Revoked screens remembered in memory; the database refuses them anyway, this closes the race. */
  revokedScreensMax: number;
}

export const defaultEmbeddedBrokerLimits: EmbeddedBrokerLimits = {
  ...defaultBrokerLimits,
  connectionsMax: 50_000,
  authenticateTimeoutMs: 5_000,
  connectTimeoutMs: 10_000,
  keepaliveMaxS: 600,
  packetBytesMax: 512 * 1024,
  passwordBytesMax: 256,
  revokedScreensMax: 100_000,
};

export interface EmbeddedBrokerOptions extends Omit<CommonBrokerOptions, 'limits'> {
  authenticateScreen: AuthenticateScreen;
  /** Defaults to 127.0.0.1; use 0.0.0.0 to serve kiosks on the network. */
  host?: string;
  /** 0 picks an ephemeral port. */
  port?: number;
  /** What kiosks are told to connect to, when it differs from `mqtt://host:port`. */
  advertisedUrl?: string;
  limits?: Partial<EmbeddedBrokerLimits>;
}

// MQTT 3.1.1 CONNACK return codes (§3.2.2.3).
const CONNACK_IDENTIFIER_REJECTED = 2;
const CONNACK_SERVER_UNAVAILABLE = 3;
const CONNACK_BAD_CREDENTIALS = 4;
const CONNACK_NOT_AUTHORIZED = 5;

function refusal(returnCode: 2 | 3 | 4 | 5, message: string): AuthenticateError {
  // aedes types the code as an ambient const enum, which isolated modules cannot name; the values are
  // the CONNACK codes themselves.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
  return Object.assign(new Error(message), { returnCode });
}

export async function createEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<CloudBroker> {
  const limits: EmbeddedBrokerLimits = { ...defaultEmbeddedBrokerLimits, ...options.limits };
  const root = options.topicRoot ?? DEFAULT_TOPIC_ROOT;
  const logger = options.logger.child({ component: 'broker', engine: 'aedes' });
  const inbound = new Inbound({
    topicRoot: root,
    logger,
    limits,
    metricsRegistry: options.metricsRegistry,
  });
  // The screen each authenticated client logged in as; the ACL hooks read it.
  const screenOfClient = new WeakMap<Client, number>();
  // The will topic each connecting client asked for, from its CONNECT; judged in `authenticate`.
  const willTopicOfClient = new WeakMap<Client, string>();
  const clientOfScreen = new Map<number, Client>();
  const revokedScreens = new Set<number>();
  /** Screens refused until a time (ms since the epoch), in suspension order. */
  const suspendedScreens = new Map<number, number>();
  let publishesInflight = 0;

  const aedes = await Aedes.createBroker({
    connectTimeout: limits.connectTimeoutMs,
    keepaliveLimit: limits.keepaliveMaxS,
    // `{root}/screens/{id}/{kind}`: a handful of levels; anything deeper is hostile.
    maxTopicLevels: root.split('/').length + 8,
    drainTimeout: 30_000,
    preConnect(client, packet, callback) {
      if (packet.will !== undefined) willTopicOfClient.set(client, packet.will.topic);
      callback(null, aedes.connectedClients < limits.connectionsMax);
    },
    authenticate(client, username, password, done) {
      const screenId = username === undefined ? null : parseScreenUsername(username);
      if (screenId === null || password === undefined || password.length > limits.passwordBytesMax) {
        done(refusal(CONNACK_BAD_CREDENTIALS, 'bad username or password'), false);
        return;
      }
      // A screen's client id is its username, so one screen is one session and takeover is by itself only.
      if (client.id !== username) {
        done(refusal(CONNACK_IDENTIFIER_REJECTED, 'client id must equal the username'), false);
        return;
      }
      if (revokedScreens.has(screenId)) {
        done(refusal(CONNACK_NOT_AUTHORIZED, 'screen revoked'), false);
        return;
      }
      // A will is published after its connection is gone, with nobody left to refuse, so it is judged
      // here: the only one a screen may leave is its own presence (docs/protocol.md §5.2).
      const willTopic = willTopicOfClient.get(client);
      if (willTopic !== undefined && !screenMaySetWill(screenId, willTopic, root)) {
        logger.warn({ screenId, topic: willTopic.slice(0, 200) }, 'screen will refused');
        done(refusal(CONNACK_NOT_AUTHORIZED, 'will not authorised'), false);
        return;
      }
      const suspendedUntilMs = suspendedScreens.get(screenId);
      if (suspendedUntilMs !== undefined) {
        if (Date.now() < suspendedUntilMs) {
          done(refusal(CONNACK_NOT_AUTHORIZED, 'screen suspended'), false);
          return;
        }
        suspendedScreens.delete(screenId);
      }
      withTimeout(
        options.authenticateScreen(username, password.toString('utf8')),
        limits.authenticateTimeoutMs,
      )
        .then((authenticatedId) => {
          if (authenticatedId !== screenId || revokedScreens.has(screenId)) {
            done(refusal(CONNACK_BAD_CREDENTIALS, 'bad username or password'), false);
            return;
          }
          screenOfClient.set(client, screenId);
          done(null, true);
        })
        .catch((error: unknown) => {
          logger.error({ err: error, screenId }, 'screen authentication failed');
          done(refusal(CONNACK_SERVER_UNAVAILABLE, 'authentication unavailable'), false);
        });
    },
    authorizePublish(client, packet, callback) {
      // A screen's will (its own presence, judged at connect) comes through here with its client when the
      // connection drops. client is null only for a will persisted by another broker instance, which an
      // in-memory aedes never has: refuse it.
      const screenId = client === null ? undefined : screenOfClient.get(client);
      if (screenId !== undefined && screenMayPublish(screenId, packet.topic, root)) {
        callback(null);
        return;
      }
      // An error makes aedes close the connection: MQTT 3.1.1 has no way to refuse a single PUBLISH, and a
      // screen writing to another screen's topics is either broken or compromised.
      logger.warn({ screenId, topic: packet.topic.slice(0, 200) }, 'screen publish refused');
      callback(new Error('publish not authorised'));
    },
    authorizeSubscribe(client, subscription, callback) {
      const screenId = screenOfClient.get(client);
      if (screenId !== undefined && screenMaySubscribe(screenId, subscription.topic, root)) {
        callback(null, { ...subscription, qos: Math.min(subscription.qos, 1) as 0 | 1 });
        return;
      }
      // null refuses only this filter, with SUBACK 0x80, as Mosquitto does; the connection stays up.
      callback(null, null);
    },
  });

  aedes.on('client', (client) => {
    const screenId = screenOfClient.get(client);
    if (screenId !== undefined) clientOfScreen.set(screenId, client);
  });
  aedes.on('clientDisconnect', (client) => {
    const screenId = screenOfClient.get(client);
    if (screenId !== undefined && clientOfScreen.get(screenId) === client) clientOfScreen.delete(screenId);
  });
  aedes.on('clientError', (client, error) => {
    logger.debug({ clientId: client.id.slice(0, 64), err: error.message }, 'mqtt client error');
  });
  aedes.on('connectionError', (_client, error) => {
    logger.debug({ err: error.message }, 'mqtt connection error');
  });

  // The cloud's own side subscribes and publishes on the aedes instance directly rather than through a
  // privileged TCP client: no credential to guard, no socket or QoS handshake per message, and no way for
  // the ACL to be bypassed from the network, since every network client must be a screen.
  const deliver = (packet: AedesPublishPacket, callback: () => void): void => {
    inbound.dispatch(packet.topic, packet.payload as Buffer);
    // aedes needs the callback before returning; the inbound queue is bounded and does its own back-off.
    callback();
  };
  const ingestTopics = [
    allScreensTopic('taps', root),
    allScreensTopic('events', root),
    allScreensTopic('presence', root),
  ];
  await Promise.all(
    ingestTopics.map(
      (topic) =>
        new Promise<void>((resolve) => {
          aedes.subscribe(topic, deliver, resolve);
        }),
    ),
  );

  const server: Server = createServer((socket: Socket) => {
    // Acks and decks are small and latency matters more than packing them.
    socket.setNoDelay(true);
    const remote = socket.remoteAddress;
    aedes.handle(
      meterSocket(socket, limits.packetBytesMax, () => {
        logger.warn(
          { remote, packetBytesMax: limits.packetBytesMax },
          'oversized mqtt packet, connection closed',
        );
      }),
    );
  });
  server.maxConnections = limits.connectionsMax;
  const address = await new Promise<{ address: string; port: number }>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      const bound = server.address();
      assert(bound !== null && typeof bound === 'object', 'tcp server has no address');
      resolve(bound);
    });
  });
  const url = options.advertisedUrl ?? `mqtt://${address.address}:${address.port}`;
  logger.info({ url }, 'embedded mqtt broker listening');

  async function publish(topic: string, payload: Buffer, retain: boolean): Promise<void> {
    if (publishesInflight >= limits.publishInflightMax) throw new Error('too many publishes in flight');
    publishesInflight++;
    try {
      await withTimeout(
        new Promise<void>((resolve, reject) => {
          aedes.publish({ cmd: 'publish', topic, payload, qos: 1, retain, dup: false }, (error) => {
            if (error) reject(error);
            else resolve();
          });
        }),
        limits.publishTimeoutMs,
      );
    } finally {
      publishesInflight--;
    }
  }

  let closing: Promise<void> | null = null;

  return {
    url,
    provisionScreen(screenId, username, _password) {
      // aedes asks `authenticateScreen` at every login, so there is nothing to store; re-provisioning an
      // identity that was revoked in this process lifts the in-memory refusal.
      assert(username === screenMqttUsername(screenId), 'screen username must be screen-{id}');
      revokedScreens.delete(screenId);
      return Promise.resolve();
    },
    async suspendScreen(screenId, untilMs) {
      if (suspendedScreens.size >= limits.revokedScreensMax) {
        const oldest = suspendedScreens.keys().next();
        if (oldest.done !== true) suspendedScreens.delete(oldest.value);
      }
      suspendedScreens.delete(screenId);
      suspendedScreens.set(screenId, untilMs);
      const client = clientOfScreen.get(screenId);
      if (client !== undefined) {
        clientOfScreen.delete(screenId);
        await withTimeout(
          new Promise<void>((resolve) => {
            client.close(resolve);
          }),
          limits.closeTimeoutMs,
        ).catch(() => undefined);
      }
      logger.warn({ screenId, untilMs, wasConnected: client !== undefined }, 'screen suspended');
    },
    async revokeScreen(screenId) {
      if (revokedScreens.size >= limits.revokedScreensMax) {
        // Oldest first: by then the database has long refused them on its own.
        const oldest = revokedScreens.values().next();
        if (oldest.done !== true) revokedScreens.delete(oldest.value);
      }
      revokedScreens.add(screenId);
      const client = clientOfScreen.get(screenId);
      if (client !== undefined) {
        clientOfScreen.delete(screenId);
        await withTimeout(
          new Promise<void>((resolve) => {
            client.close(resolve);
          }),
          limits.closeTimeoutMs,
        ).catch(() => undefined);
      }
      // A revoked screen's retained config would otherwise sit in the broker forever. Best effort: the
      // identity is already gone, which is what revocation promises.
      await publish(screenTopic(screenId, 'config', root), Buffer.alloc(0), true).catch((error: unknown) => {
        logger.warn({ err: error, screenId }, "could not clear a revoked screen's retained config");
      });
      logger.info({ screenId, wasConnected: client !== undefined }, 'screen revoked');
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
        const serverClosed = new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
        });
        await withTimeout(
          new Promise<void>((resolve) => {
            aedes.close(resolve);
          }),
          limits.closeTimeoutMs,
        ).catch(() => undefined);
        await withTimeout(serverClosed, limits.closeTimeoutMs).catch(() => undefined);
        logger.info('embedded mqtt broker closed');
      })();
      return closing;
    },
  };
}
