// The cloud process, assembled: database (PGlite or PostgreSQL) with migrations, secrets, issuer key,
// operator bootstrap, MQTT broker (embedded aedes or external), the HTTP app and its server.
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import pino, { type Logger } from 'pino';
import { connectExternalBroker, connectNatsBroker, createEmbeddedBroker } from './broker/index.ts';
import { natsBrokerSettings } from './broker/nats-env.ts';
import type { CloudBroker } from './broker/types.ts';
import { PASSWORD_SCRYPT } from './auth/passwords.ts';
import { loadSecrets } from './auth/secrets.ts';
import { openDatabase, type DatabaseHandle } from './db/client.ts';
import type { Env } from './env.ts';
import { createApp } from './http/app.ts';
import type { AppDeps, AppSettings } from './http/context.ts';
import { createMetricsRegistry } from './http/metrics.ts';
import { countOperators, createOperator } from './services/accounts.ts';
import { activeIssuerKey } from './services/issuer-keys.ts';
import { createScreenAuthenticator } from './services/screen-auth.ts';
import { screenConfigOptionsOf } from './services/screen-config.ts';
import { markAllScreenConfigsStale, startScreenConfigDispatcher } from './services/config-dispatcher.ts';
import { wireScreenEvents } from './services/screen-events.ts';
import { markAllScreensDisconnected } from './services/screen-presence.ts';
import { createFileContentStore } from './services/content-store.ts';
import { settleExpiredDecks } from './services/decks.ts';
import { startClaimNoticeDispatcher } from './services/claim-notices.ts';
import { startDeckDispatcher } from './services/deck-dispatcher.ts';
import { startBrokerIdentityDispatcher } from './services/broker-identity-dispatcher.ts';
import { defaultMoneySettings } from './money-settings.ts';
import { createRedemptionService } from './redemption/redemption-service.ts';
import { createVerifierPool } from './redemption/verifier-pool.ts';
import { createInlineVerifier } from './redemption/signature-verifier.ts';

export const BODY_LIMIT_BYTES = 64 * 1024;
/** How often open decks past validUntil + grace are settled. */
export const DECK_SWEEP_INTERVAL_MS = 60_000;

export interface RunningCloud {
  httpUrl: string;
  mqttUrl: string;
  database: DatabaseHandle;
  deps: AppDeps;
  /** Closes HTTP, then the broker, then the database. Safe to call twice. */
  stop(): Promise<void>;
}

export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

export function createLogger(env: Pick<Env, 'LOG_LEVEL'>): Logger {
  return pino({ level: env.LOG_LEVEL, base: { service: 'redtap-cloud' } });
}

export async function openCloudDatabase(env: Env): Promise<DatabaseHandle> {
  const handle =
    env.DATABASE_URL === undefined
      ? await openDatabase({ engine: 'pglite', dataDir: join(resolve(env.REDTAP_DATA_DIR), 'pgdata') })
      : await openDatabase({ engine: 'postgres', url: env.DATABASE_URL });
  await handle.migrate();
  return handle;
}

function settingsFrom(env: Env): AppSettings {
  return {
    sessionTtlS: env.REDTAP_SESSION_TTL_S,
    credentialTtlS: env.REDTAP_CREDENTIAL_TTL_S,
    timezone: env.REDTAP_TIMEZONE,
    topicRoot: env.REDTAP_TOPIC_ROOT,
    mqttPublicUrl: env.MQTT_PUBLIC_URL,
    trustProxy: env.REDTAP_TRUST_PROXY,
    publicOrigin: env.REDTAP_PUBLIC_ORIGIN,
    configuredPublicOrigin: env.REDTAP_PUBLIC_ORIGIN,
    metricsToken: env.REDTAP_METRICS_TOKEN,
    passwordScrypt: PASSWORD_SCRYPT,
    bodyLimitBytes: BODY_LIMIT_BYTES,
    loginRateLimit: { limit: 10, windowMs: 60_000 },
    enrolRateLimit: { limit: 10, windowMs: 60_000 },
    // Screens behind one address (a building's NAT) page revocations side by side: room for them.
    screenLoginRateLimit: { limit: 120, windowMs: 60_000 },
    redeemRateLimit: { limit: 600, windowMs: 60_000 },
    // 600 good scans a minute per till, or 60 wrong guesses: plenty for a queue, useless for guessing 80 bits.
    tillRateLimit: { pointsMax: 600, windowMs: 60_000, failureCost: 10 },
    money: { ...defaultMoneySettings, timezone: env.REDTAP_TIMEZONE },
  };
}

/** Fails fast with a clear message instead of a stack trace deep inside a server library. */
async function assertPortFree(host: string, port: number, variable: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolvePromise, reject) => {
    const probe = createNetServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE' ? new PortInUseError(`port ${port} is in use; set ${variable}`) : error,
      );
    });
    probe.listen(port, host, () => probe.close(() => resolvePromise()));
  });
}

/** Credentials from MQTT_USERNAME/MQTT_PASSWORD, else from the URL's user info; never both in logs. */
function externalBrokerLogin(
  url: string,
  env: Pick<Env, 'MQTT_USERNAME' | 'MQTT_PASSWORD'>,
): { url: string; username: string; password: string } {
  const parsed = new URL(url);
  const username = env.MQTT_USERNAME ?? decodeURIComponent(parsed.username);
  const password = env.MQTT_PASSWORD ?? decodeURIComponent(parsed.password);
  if (username === '')
    throw new Error('MQTT_URL is set: set MQTT_USERNAME and MQTT_PASSWORD for the cloud service account');
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString().replace(/\/$/, ''), username, password };
}

export async function bootstrapOperator(
  handle: DatabaseHandle,
  input: { email: string | undefined; password: string | undefined },
  logger: Logger,
): Promise<boolean> {
  if (input.email === undefined || input.password === undefined) return false;
  if ((await countOperators(handle.db)) > 0) return false;
  await createOperator(handle.db, { email: input.email, password: input.password });
  logger.info({ email: input.email }, 'created the first operator');
  return true;
}

export async function startCloud(env: Env, logger: Logger = createLogger(env)): Promise<RunningCloud> {
  await assertPortFree(env.HOST, env.PORT, 'PORT');
  const engine = env.BROKER ?? (env.MQTT_URL === undefined ? 'embedded' : 'external');
  if (engine === 'external' && env.MQTT_URL === undefined) throw new Error('BROKER=external: set MQTT_URL');
  if (engine === 'embedded') await assertPortFree(env.MQTT_HOST, env.MQTT_PORT, 'MQTT_PORT');

  const database = await openCloudDatabase(env);
  let broker: CloudBroker | undefined;
  let server: ServerType | undefined;
  try {
    const secrets = loadSecrets({
      dataDir: resolve(env.REDTAP_DATA_DIR),
      jwtSecret: env.REDTAP_JWT_SECRET,
      issuerKekHex: env.REDTAP_ISSUER_KEY_SECRET,
    });
    await activeIssuerKey(database.db, secrets.issuerKek);
    await bootstrapOperator(
      database,
      { email: env.REDTAP_OPERATOR_EMAIL, password: env.REDTAP_OPERATOR_PASSWORD },
      logger,
    );

    const metrics = createMetricsRegistry({ defaultMetrics: true });
    const screenAuth = createScreenAuthenticator(database.db);
    broker =
      engine === 'nats'
        ? await connectNatsBroker({
            logger,
            topicRoot: env.REDTAP_TOPIC_ROOT,
            metricsRegistry: metrics,
            ...natsBrokerSettings(env),
          })
        : engine === 'embedded' || env.MQTT_URL === undefined
          ? await createEmbeddedBroker({
              logger,
              topicRoot: env.REDTAP_TOPIC_ROOT,
              metricsRegistry: metrics,
              authenticateScreen: screenAuth.authenticate,
              host: env.MQTT_HOST,
              port: env.MQTT_PORT,
              ...(env.MQTT_PUBLIC_URL === undefined ? {} : { advertisedUrl: env.MQTT_PUBLIC_URL }),
            })
          : await connectExternalBroker({
              logger,
              topicRoot: env.REDTAP_TOPIC_ROOT,
              metricsRegistry: metrics,
              ...externalBrokerLogin(env.MQTT_URL, env),
              ...(env.MQTT_PUBLIC_URL === undefined ? {} : { advertisedUrl: env.MQTT_PUBLIC_URL }),
            });

    const settings = settingsFrom(env);
    const now = () => new Date();
    const redemption = createRedemptionService({
      db: database.db,
      logger,
      now,
      settings: settings.money,
      // Measured on 2 cores (scripts/src/bench/redeem.ts): sliced verification on the main thread beats a
      // pool there, because Postgres and the broker already use the second core. More cores: raise it.
      verifier:
        env.REDTAP_VERIFY_THREADS > 0
          ? createVerifierPool(env.REDTAP_VERIFY_THREADS)
          : createInlineVerifier(),
    });
    const runningBrokerForNotices = broker;
    const claimNotices = startClaimNoticeDispatcher({
      db: database.db,
      publish: (screenId, notice) => runningBrokerForNotices.publishTicketClaimed(screenId, notice),
      logger,
      now,
    });
    const deps: AppDeps = {
      db: database.db,
      broker,
      logger,
      secrets,
      screenAuth,
      metrics,
      now,
      settings,
      content: createFileContentStore(join(resolve(env.REDTAP_DATA_DIR), 'content')),
      redemption,
      claimNotices,
    };
    if (engine === 'embedded') {
      // Before presence is handled: the embedded broker has just started, so nobody is connected to it.
      const marked = await markAllScreensDisconnected(database.db, now());
      if (marked > 0) logger.info({ marked }, 'screens recorded connected marked disconnected at start');
    }
    wireScreenEvents(deps);
    redemption.attach(broker);
    const sweep = setInterval(() => {
      settleExpiredDecks(database.db, settings.money, now()).catch((error: unknown) =>
        logger.error({ err: error }, 'settling expired decks failed'),
      );
    }, DECK_SWEEP_INTERVAL_MS);
    sweep.unref();
    if (engine === 'embedded') {
      // aedes keeps retained messages in memory only: after a restart every screen's config is stale.
      // Marked before the dispatcher starts; with Mosquitto the retained configs survive, and only what
      // was left stale (a crash, a broker outage) is picked up.
      const queued = await markAllScreenConfigsStale(database.db);
      logger.info(queued, 'screen configs queued for the empty embedded broker');
    }
    const runningBrokerForConfigs = broker;
    const configDispatcher = startScreenConfigDispatcher({
      db: database.db,
      publish: (screenId, config) => runningBrokerForConfigs.publishConfig(screenId, config),
      options: () => screenConfigOptionsOf(settings),
      logger,
      now,
    });
    // Decks wanted by campaign rollouts, and broker identities wanted present (enrolment) or absent
    // (revocation): desired state.
    const deckDispatcher = startDeckDispatcher({
      db: database.db,
      kek: secrets.issuerKek,
      settings: settings.money,
      publish: (screenId, deck) => runningBrokerForConfigs.publishDeck(screenId, deck),
      logger,
      now,
    });
    const brokerIdentities = startBrokerIdentityDispatcher({
      db: database.db,
      kek: secrets.issuerKek,
      provision: (screenId, username, password) =>
        runningBrokerForConfigs.provisionScreen(screenId, username, password),
      remove: async (screenId) => {
        screenAuth.forget(screenId);
        await runningBrokerForConfigs.revokeScreen(screenId);
      },
      logger,
      now,
    });
    deps.brokerIdentities = brokerIdentities;
    deps.dispatchers = {
      poke: () => {
        brokerIdentities.poke();
        deckDispatcher.poke();
        configDispatcher.poke();
      },
    };
    const app = createApp(deps);
    const listening = await new Promise<AddressInfo>((resolvePromise, reject) => {
      server = serve({ fetch: app.fetch, hostname: env.HOST, port: env.PORT }, resolvePromise);
      server.once('error', reject);
    });
    const httpUrl = `http://${env.HOST}:${listening.port}`;
    // Passkeys need a host name (an IP address is no RP id); localhost is a secure context in browsers.
    settings.publicOrigin ??= `http://localhost:${listening.port}`;
    logger.info({ url: httpUrl, mqtt: broker.url, database: database.engine }, 'redtap cloud listening');

    let stopping: Promise<void> | undefined;
    const runningBroker = broker;
    const runningServer = server;
    return {
      httpUrl,
      mqttUrl: broker.url,
      database,
      deps,
      stop: () =>
        (stopping ??= (async () => {
          await new Promise<void>((resolvePromise) => {
            if (runningServer === undefined) resolvePromise();
            else runningServer.close(() => resolvePromise());
            // Keep-alive sockets would hold close() open; nothing new is accepted by now.
            if (runningServer !== undefined && 'closeAllConnections' in runningServer)
              runningServer.closeAllConnections();
          });
          clearInterval(sweep);
          await claimNotices.close();
          await brokerIdentities.close();
          await deckDispatcher.close();
          await configDispatcher.close();
          await runningBroker.close();
          await redemption.close();
          await database.close();
          logger.info('redtap cloud stopped');
        })()),
    };
  } catch (error) {
    server?.close();
    await broker?.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw error;
  }
}
