// The kiosk agent: one process wiring the store, the tap engine, MQTT sync and the content cache around
// an enrolled identity, plus housekeeping (pruning settled taps, WAL checkpoints). A TapSource (the PC/SC
// reader, the simulated reader, the browser host) plugs in through `tapSource`; the agent runs headless
// without one.
import { readFileSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import { KioskCode, refuse, type Refusal } from '../codes.ts';
import { ContentCache, type ContentCacheLimits } from '../content/content-cache.ts';
import { loadScreenKey } from '../enrolment/screen-key.ts';
import { TapEngine } from '../engine/tap-engine.ts';
import { realTimer, type StartTimer } from '../engine/tap-lease.ts';
import { loadIdentity, type ScreenIdentity } from '../store/identity-queries.ts';
import { checkpointStore, openStore, type Store } from '../store/open-store.ts';
import { pruneSettledTaps } from '../store/tap-queries.ts';
import { ScreenSync, type ScreenSyncLimits, type SyncEvent } from '../sync/screen-sync.ts';
import { ensureDataDir, kioskPaths, readAgentSettings, type KioskPaths } from './data-dir.ts';

/** What a tap source gets: the engine to run exchanges against, and a hook to call after each commit. */
export interface TapSourceContext {
  engine: TapEngine;
  /** Call once a tap is committed, so sync sends it at once rather than at the next maintenance tick. */
  onTapCommitted: () => void;
  logger: Logger;
}

/**
 * The seam where taps enter the kiosk. The PC/SC driver, the simulated reader and the browser host each
 * implement it; the agent starts it after sync and stops it first on shutdown.
 */
export interface TapSource {
  start(context: TapSourceContext): Promise<void> | void;
  stop(): Promise<void> | void;
}

export interface KioskAgentOptions {
  dataDir: string;
  /** Overrides the cloud URL remembered at enrolment (content downloads use it). */
  cloudUrl?: string | undefined;
  logger?: Logger;
  tapSource?: TapSource;
  /** Overrides the broker URL from enrolment (tests, or a broker moved behind a new address). */
  mqttUrl?: string;
  appVersion?: string;
  /** Wall clock, Unix seconds. */
  now?: () => number;
  startTimer?: StartTimer;
  syncLimits?: Partial<ScreenSyncLimits>;
  contentLimits?: Partial<ContentCacheLimits>;
  onSyncEvent?: (event: SyncEvent) => void;
  fetch?: typeof fetch;
  /** Settled taps are kept this long after their ack, then pruned. */
  settledRetentionS?: number;
  housekeepingIntervalMs?: number;
}

export interface KioskAgent {
  readonly paths: KioskPaths;
  readonly identity: ScreenIdentity;
  readonly store: Store;
  readonly engine: TapEngine;
  readonly sync: ScreenSync;
  readonly content: ContentCache;
  stop(): Promise<void>;
}

export type StartKioskAgentResult = { ok: true; agent: KioskAgent } | Refusal;

export const KIOSK_APP_VERSION = readAppVersion();

function readAppVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export async function startKioskAgent(options: KioskAgentOptions): Promise<StartKioskAgentResult> {
  const logger = options.logger ?? pino({ enabled: false });
  const paths = kioskPaths(options.dataDir);
  ensureDataDir(paths);
  const store = openStore({ path: paths.storePath });
  let sync: ScreenSync | undefined;
  let content: ContentCache | undefined;
  try {
    const identity = loadIdentity(store);
    if (identity === null) {
      store.close();
      return refuse(
        KioskCode.NOT_ENROLLED,
        `no identity in ${paths.dataDir}; run \`redtap-screen enroll\` first`,
      );
    }
    const key = loadScreenKey(identity.keyPath);
    if (!key.ok) {
      store.close();
      return key;
    }
    const now = options.now ?? (() => Math.floor(Date.now() / 1000));
    const startTimer = options.startTimer ?? realTimer;
    let engine: TapEngine;
    try {
      engine = new TapEngine({
        store,
        screenKey: key.value.privateKey,
        screenPublicKeyRaw: key.value.publicKeyRaw,
        now,
        logger: logger.child({ component: 'engine' }),
      });
    } catch (error) {
      // The engine refuses a key file that is not the enrolled one: an operator mistake, not a crash.
      if (!(error instanceof Error) || !error.message.startsWith(KioskCode.KEY_MISMATCH)) throw error;
      store.close();
      return refuse(KioskCode.KEY_MISMATCH, `${identity.keyPath} is not the key this screen enrolled with`);
    }
    const cloudUrl = options.cloudUrl ?? readAgentSettings(paths).cloudUrl;
    const contents = (content = new ContentCache({
      dir: paths.contentDir,
      store,
      cloudUrl,
      now,
      logger,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.contentLimits === undefined ? {} : { limits: options.contentLimits }),
    }));
    const syncContent = () => {
      contents.sync().then(
        (report) => logger.debug({ outcomes: report.outcomes }, 'content cache in sync'),
        (error: unknown) => logger.error({ err: error }, 'content cache sync failed'),
      );
    };
    const screenSync = (sync = new ScreenSync({
      store,
      engine,
      identity,
      screenKey: key.value.privateKey,
      appVersion: options.appVersion ?? KIOSK_APP_VERSION,
      now,
      startTimer,
      logger,
      ...(options.mqttUrl === undefined ? {} : { mqttUrl: options.mqttUrl }),
      ...(options.syncLimits === undefined ? {} : { limits: options.syncLimits }),
      ...(options.onSyncEvent === undefined ? {} : { onEvent: options.onSyncEvent }),
      onConfig: syncContent,
    }));
    screenSync.start();
    syncContent();

    const retentionS = options.settledRetentionS ?? 7 * 86_400;
    let cancelHousekeeping: (() => void) | null = null;
    const housekeeping = () => {
      cancelHousekeeping = startTimer(() => {
        try {
          const pruned = pruneSettledTaps(store, { now: now(), retentionS });
          if (pruned > 0) logger.info({ pruned }, 'pruned settled taps');
          checkpointStore(store);
        } catch (error) {
          logger.error({ err: error }, 'housekeeping failed');
        }
        housekeeping();
      }, options.housekeepingIntervalMs ?? 600_000);
    };
    housekeeping();

    const tapSource = options.tapSource;
    if (tapSource !== undefined) {
      await tapSource.start({
        engine,
        onTapCommitted: () => screenSync.notifyTapCommitted(),
        logger: logger.child({ component: 'taps' }),
      });
    }
    logger.info({ screenId: identity.screenId, dataDir: paths.dataDir }, 'kiosk agent started');

    let stopping: Promise<void> | null = null;
    return {
      ok: true,
      agent: {
        paths,
        identity,
        store,
        engine,
        sync: screenSync,
        content: contents,
        stop: () =>
          (stopping ??= (async () => {
            // Taps first, so nothing is committed while sync winds down; the outbox keeps the rest.
            await tapSource?.stop();
            cancelHousekeeping?.();
            await screenSync.stop();
            await contents.stop();
            store.close();
            logger.info('kiosk agent stopped');
          })()),
      },
    };
  } catch (error) {
    await sync?.stop().catch(() => undefined);
    await content?.stop().catch(() => undefined);
    store.close();
    throw error;
  }
}
