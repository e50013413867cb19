// The kiosk agent: one process wiring the store, the tap engine, MQTT sync and the content cache around
// an enrolled identity, plus housekeeping (pruning settled taps, WAL checkpoints). It also drives the tap
// source of its choice (PC/SC, simulated or none) through one engine adapter, and is the kiosk the screen
// UI talks to (`ui`, a KioskUiPort), whether that screen is the Electron window or a browser. It signs the
// claim tickets the screen shows as a QR code for phones without the wallet app (`tickets`), and those its
// PC/SC reader serves when it takes turns as an NFC tag (`readerTag`), and celebrates their claims the
// cloud paid (claim-celebration.ts).
import { readFileSync } from 'node:fs';
import type { ScreenConfig } from '@redtap/shared';
import type { SimulatedTapSource, TapSource } from '@redtap/tap-reader';
import { pino, type Logger } from 'pino';
import { KioskCode, refuse, type Refusal } from '../codes.ts';
import { ContentCache, type ContentCacheLimits } from '../content/content-cache.ts';
import { loadScreenKey } from '../enrolment/screen-key.ts';
import { TapEngine } from '../engine/tap-engine.ts';
import { realTimer, type StartTimer } from '../engine/tap-lease.ts';
import type { KioskUiHub } from '../host/kiosk-ui-hub.ts';
import { showingCampaignOf } from '../playlist/playlist-player.ts';
import { clearConfig, loadConfig } from '../store/config-queries.ts';
import { loadIdentity, type ScreenIdentity } from '../store/identity-queries.ts';
import { checkpointStore, openStore, type Store } from '../store/open-store.ts';
import { pruneSettledTaps } from '../store/tap-queries.ts';
import { reserveTicketSeqs } from '../store/ticket-queries.ts';
import { claimOrigin } from '../tickets/claim-origin.ts';
import { TicketIssuer, type TicketIssuerLimits } from '../tickets/ticket-issuer.ts';
import { ScreenSync, type ScreenSyncLimits, type SyncEvent } from '../sync/screen-sync.ts';
import type { UiLocale } from '../ui-api/channels.ts';
import { AgentUi } from './agent-ui.ts';
import { handleTicketClaimed } from './claim-celebration.ts';
import { ensureDataDir, kioskPaths, readAgentSettings, type KioskPaths } from './data-dir.ts';
import {
  createReaderSource,
  logReaderEvent,
  type ReaderChoice,
  type ReaderSourceOptions,
} from './reader-source.ts';
import type { ReaderTag, ReaderTagSetting } from './reader-tag.ts';
import { EngineTapHandler } from './tap-handler.ts';

export interface KioskAgentOptions {
  dataDir: string;
  /** Overrides the cloud URL remembered at enrolment (content downloads use it). */
  cloudUrl?: string | undefined;
  logger?: Logger;
  /** Where taps come from (default `none`: headless, sync only). */
  reader?: ReaderChoice;
  readerOptions?: ReaderSourceOptions;
  /**
   * The PC/SC reader taking turns as a Type 4 tag for phones without the app (docs/kiosk.md §9; default
   * `auto`: on a reader whose name says PN532/ACR122U).
   */
  readerTag?: ReaderTagSetting;
  /** Language of the screen UI. */
  locale?: UiLocale;
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
  ticketLimits?: Partial<TicketIssuerLimits>;
}

export interface KioskAgent {
  readonly paths: KioskPaths;
  readonly identity: ScreenIdentity;
  readonly store: Store;
  readonly engine: TapEngine;
  readonly sync: ScreenSync;
  readonly content: ContentCache;
  /** The cloud's HTTP base URL (from the options or remembered at enrolment), if known. */
  readonly cloudUrl: string | undefined;
  /** The kiosk as the screen UI sees it (hand it to the browser host or the Electron IPC). */
  readonly ui: KioskUiHub;
  readonly reader: ReaderChoice;
  /** The running tap source, or null for `none`. */
  readonly tapSource: TapSource | null;
  /** The simulated reader (only with `reader: 'simulated'`): present virtual phones on it. */
  readonly simulator: SimulatedTapSource | null;
  /** The engine adapter every tap source drives. */
  readonly tapHandler: EngineTapHandler;
  /** The reader's tag slices (PC/SC with the tag setting not `off`), or null. */
  readonly readerTag: ReaderTag | null;
  /**
   * Claim tickets (docs/protocol.md §3.8): the QR ticket on screen, and `issueTagTicket()` for the reader
   * acting as an NFC tag. Null while no claim origin is known (no publicOrigin in the config and no cloud
   * URL); it starts when a config brings one.
   */
  readonly tickets: TicketIssuer | null;
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
  let readerSource: { stop(): Promise<void> } | undefined;
  let stopTickets: () => void = () => undefined;
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
    let config = loadConfig(store);
    const contents = (content = new ContentCache({
      dir: paths.contentDir,
      store,
      cloudUrl,
      now,
      logger,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.contentLimits === undefined ? {} : { limits: options.contentLimits }),
    }));
    const ui = new AgentUi({
      store,
      content: contents,
      screenId: identity.screenId,
      config,
      locale: options.locale ?? 'zh',
      nowS: now,
      logger,
    });
    // A tap pays the campaign whose ad is on screen first (docs/kiosk.md §1).
    engine.setShowingCampaign(() => showingCampaignOf(ui.hub.state().item));
    // Claim tickets start once an origin for their URLs is known (docs/kiosk.md §9).
    let tickets: TicketIssuer | null = null;
    let uiStarted = false;
    const startTickets = () => {
      const origin = claimOrigin(config, cloudUrl);
      if (tickets !== null || origin === null || !uiStarted) return;
      let lastOrigin = origin;
      const issuer = (tickets = new TicketIssuer({
        screenId: identity.screenId,
        screenKey: key.value.privateKey,
        origin: () => (lastOrigin = claimOrigin(config, cloudUrl) ?? lastOrigin),
        reserveSeqs: (count) => reserveTicketSeqs(store, count),
        showingCampaign: () => showingCampaignOf(ui.hub.state().item),
        nowS: now,
        startTimer,
        logger,
        ...(options.ticketLimits === undefined ? {} : { limits: options.ticketLimits }),
        onScreenTicket: (ticket) => ui.setTicketUrl(ticket?.url ?? null),
      }));
      const offTicketCampaign = ui.hub.subscribe((event) => {
        if (event.channel === 'state') issuer.showingChanged();
      });
      stopTickets = () => {
        issuer.stop();
        offTicketCampaign();
      };
      issuer.start();
    };
    const syncContent = () => {
      contents.sync().then(
        (report) => {
          logger.debug({ outcomes: report.outcomes }, 'content cache in sync');
          ui.contentChanged();
        },
        (error: unknown) => logger.error({ err: error }, 'content cache sync failed'),
      );
    };
    // Sync may report the screen out of service before the tap handler exists; the handler reads this.
    let tapHandler: EngineTapHandler | undefined;
    let readerTag: ReaderTag | null = null;
    let outOfService = false;
    const setOutOfService = (value: boolean) => {
      if (value && !outOfService) {
        // Persisted by forgetting the config: after a restart, and offline, the engine still refuses.
        clearConfig(store);
        engine.reload();
        ui.applyConfig(null);
      }
      outOfService = value;
      tapHandler?.setOutOfService(value);
      ui.setOutOfService(value);
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
      cloudUrl,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      onEvent: (event) => {
        if (event.type === 'connected') {
          // A login the cloud accepts means the screen is in service (again).
          setOutOfService(false);
          ui.setConnecting(false);
          ui.setOnline(true);
        } else if (event.type === 'disconnected') ui.setOnline(false);
        else if (event.type === 'deck') ui.decksChanged();
        else if (event.type === 'awaiting-broker') {
          // The cloud says the screen is active; the broker does not take its login yet (a new
          // identity): in service and offline, saying it is connecting (docs/protocol.md §5.9).
          setOutOfService(false);
          ui.setConnecting(true);
        } else if (event.type === 'out-of-service') {
          logger.warn(
            { reason: event.reason },
            event.reason === 'login-refused-unconfirmed'
              ? 'broker login refused and the cloud could not confirm this screen: out of service'
              : 'the cloud revoked this screen: out of service',
          );
          ui.setConnecting(false);
          setOutOfService(true);
        }
        options.onSyncEvent?.(event);
      },
      onConfig: (next: ScreenConfig) => {
        config = next;
        ui.applyConfig(next);
        syncContent();
        startTickets();
      },
      onTicketClaimed: (claimed) => {
        const issuer = tickets;
        if (issuer === null) return;
        handleTicketClaimed(claimed, {
          claimed: (ticketSeq) => issuer.claimed(ticketSeq),
          showTap: (view) => ui.hub.showTap(view),
          newTapId: () => ui.hub.newTapId(),
          logger: logger.child({ component: 'tickets' }),
        });
      },
      tagReads: () => readerTag?.counts() ?? null,
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

    const tapLogger = logger.child({ component: 'taps' });
    const handler = (tapHandler = new EngineTapHandler({
      engine,
      onTapCommitted: () => {
        screenSync.notifyTapCommitted();
        ui.decksChanged();
      },
      feed: ui.feed,
      logger: tapLogger,
    }));
    handler.setOutOfService(outOfService);
    const reader = (readerSource = createReaderSource(
      options.reader ?? 'none',
      handler,
      tapLogger,
      options.readerOptions,
      {
        setting: options.readerTag ?? 'auto',
        // Once per phone session (SELECT of the NDEF application); a throw answers that SELECT 6A 82.
        claimUrl: () => {
          if (tickets === null) throw new Error('no claim origin yet: no tag ticket');
          return tickets.issueTagTicket();
        },
      },
    ));
    readerTag = reader.readerTag;
    const offTaps = reader.source === null ? () => undefined : handler.attach(reader.source);
    const offLog = reader.source?.on((event) => logReaderEvent(event, tapLogger)) ?? (() => undefined);
    ui.start();
    uiStarted = true;
    startTickets();
    if (claimOrigin(config, cloudUrl) === null)
      logger.warn('no claim origin (publicOrigin or cloud URL): no QR code until a config names one');
    // A missing pcscd is retried in the background: start() resolves after the first attempt.
    await reader.start();
    logger.info(
      {
        screenId: identity.screenId,
        dataDir: paths.dataDir,
        reader: reader.choice,
        readerTag: reader.readerTag === null ? 'off' : (options.readerTag ?? 'auto'),
      },
      'kiosk agent started',
    );

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
        cloudUrl,
        ui: ui.hub,
        reader: reader.choice,
        tapSource: reader.source,
        simulator: reader.simulator,
        tapHandler: handler,
        readerTag: reader.readerTag,
        get tickets() {
          return tickets;
        },
        stop: () =>
          (stopping ??= (async () => {
            // Taps first, so nothing is committed while sync winds down; the outbox keeps the rest.
            await reader.stop();
            offTaps();
            offLog();
            stopTickets();
            ui.stop();
            cancelHousekeeping?.();
            await screenSync.stop();
            await contents.stop();
            store.close();
            logger.info('kiosk agent stopped');
          })()),
      },
    };
  } catch (error) {
    stopTickets();
    await readerSource?.stop().catch(() => undefined);
    await sync?.stop().catch(() => undefined);
    await content?.stop().catch(() => undefined);
    store.close();
    throw error;
  }
}
