// Kiosk ↔ cloud sync over MQTT (docs/protocol.md §5): the tap outbox goes up in pipelined batches and
// settles on acks; decks come down, are verified and stored, and answered with a receipt; the retained
// config is applied when newer; heartbeats, proof-of-play, refill requests and deck close reports go up;
// word that a claim ticket was claimed goes to the ticket issuer. A refused broker login is no revocation
// until the cloud says so (docs/protocol.md §5.9): a new screen's identity may not be made yet.
// Every down payload is untrusted: a bad one is counted and logged, never fatal.
import type { KeyObject } from 'node:crypto';
import {
  CLAIMED_BYTES_MAX,
  DECK_ENVELOPES_MAX,
  offersPath,
  ScreenConfig,
  ScreenEvent,
  TicketClaimed,
  type TagReadCounts,
} from '@redtap/shared';
import { pino, type Logger } from 'pino';
import type { z } from 'zod';
import { KioskCode } from '../codes.ts';
import type { DeckReceipt } from '../decks/deck-intake.ts';
import { closeExpiredDecks } from '../decks/deck-levels.ts';
import type { TapEngine } from '../engine/tap-engine.ts';
import { realTimer, type StartTimer } from '../engine/tap-lease.ts';
import { loadConfig, saveConfig, type SaveConfigOutcome } from '../store/config-queries.ts';
import {
  applyRevocationDelta,
  configRevocationDelta,
  pruneExpiredRevocations,
  revocationStatus,
} from '../store/revocation-queries.ts';
import { claimPresenceSeq, type ScreenIdentity } from '../store/identity-queries.ts';
import type { Store } from '../store/open-store.ts';
import { markPlaysReported } from '../store/proof-of-play-queries.ts';
import { openDeckStates } from '../store/deck-queries.ts';
import { recentDeckCloseReports, recentTapCount } from '../store/sync-queries.ts';
import { backoffDelayMs } from './backoff.ts';
import { RefillWatch } from './refill-watch.ts';
import {
  RevocationCatchUp,
  type RevocationCatchUpEvent,
  type RevocationCatchUpLimits,
} from './revocation-catch-up.ts';
import { ScreenLink, defaultScreenLinkLimits, type DownKind, type ScreenLinkLimits } from './screen-link.ts';
import { deckCloseEvent, deckReceiptEvent, heartbeatEvent, proofOfPlayEvents } from './screen-events.ts';
import { askScreenStatus, type ScreenStatusAnswer } from './screen-status.ts';
import {
  TapUplink,
  defaultTapUplinkLimits,
  type AckHandling,
  type TapUplinkLimits,
  type TapUplinkStats,
} from './tap-uplink.ts';

export interface ScreenSyncLimits extends TapUplinkLimits, ScreenLinkLimits {
  heartbeatIntervalMs: number;
  proofOfPlayIntervalMs: number;
  /** Deck expiry, refill checks and a safety kick of the outbox. */
  maintenanceIntervalMs: number;
  /** A config's revocations are a bounded window (docs/protocol.md §5.5); campaigns and playlist dominate. */
  configBytesMax: number;
  deckBytesMax: number;
  /** A `claimed` message (docs/protocol.md §5.7) is a small JSON object. */
  claimedBytesMax: number;
  refillRepeatAfterS: number;
  tapRateWindowS: number;
  proofOfPlayPeriodsPerTickMax: number;
  /** Close reports kept in memory while the link is down; the store keeps them all regardless. */
  closeReportsUnsentMax: number;
  /** After each connect, close reports of decks closed this recently are sent again (the cloud dedups). */
  closeReportsResendWindowS: number;
  /** A refused broker login asks the cloud's status (docs/protocol.md §5.9): that request's bound. */
  statusTimeoutMs: number;
  /**
   * Refused again after an answer: the status is asked again only this long after it, doubling with
   * every answer of the same streak of refusals up to the max, so a fleet waiting for its identities
   * does not ask at every reconnect.
   */
  statusRecheckInitialMs: number;
  statusRecheckMaxMs: number;
  /**
   * Answers of 429 (the cloud's per-address limit on screen logins) in a row that are waited out, after
   * their Retry-After, before the refusal is read as one the cloud cannot confirm.
   */
  statusBusyRetriesMax: number;
}

export const defaultScreenSyncLimits: ScreenSyncLimits = {
  ...defaultTapUplinkLimits,
  ...defaultScreenLinkLimits,
  heartbeatIntervalMs: 60_000,
  proofOfPlayIntervalMs: 300_000,
  maintenanceIntervalMs: 5_000,
  configBytesMax: 4 * 1024 * 1024,
  // docs/protocol.md §3.4: 31 + 8·count + 65 bytes.
  deckBytesMax: 31 + 8 * DECK_ENVELOPES_MAX + 65,
  claimedBytesMax: CLAIMED_BYTES_MAX,
  refillRepeatAfterS: 600,
  tapRateWindowS: 3_600,
  proofOfPlayPeriodsPerTickMax: 10,
  closeReportsUnsentMax: 256,
  closeReportsResendWindowS: 7 * 86_400,
  statusTimeoutMs: 10_000,
  statusRecheckInitialMs: 15_000,
  statusRecheckMaxMs: 300_000,
  statusBusyRetriesMax: 3,
};

/** What sync did, for the agent's observers and for tests that wait on it. */
export type SyncEvent =
  | { type: 'connected' }
  | { type: 'disconnected' }
  | { type: 'ack'; handling: AckHandling }
  | { type: 'config'; outcome: SaveConfigOutcome | 'invalid' | 'cleared'; version?: number }
  | { type: 'deck'; receipt: DeckReceipt }
  /** The cloud says a claim ticket of this screen was claimed (docs/protocol.md §5.7); null: invalid. */
  | { type: 'ticket-claimed'; claimed: TicketClaimed | null }
  /**
   * The cloud revoked this screen: its retained config was cleared, or its broker login was refused and
   * the cloud refused it too (`login-refused`); `login-refused-unconfirmed`: refused, and the cloud could
   * not be asked (no cloud URL, unreachable, an error), so the screen assumes the worst.
   */
  | {
      type: 'out-of-service';
      reason: 'login-refused' | 'login-refused-unconfirmed' | 'config-cleared';
    }
  /**
   * The broker refused the login but the cloud says the screen is active (docs/protocol.md §5.9): its
   * broker identity is still being made (`pending`) or was just made (`ready`). The link keeps retrying;
   * the screen stays in service, offline.
   */
  | { type: 'awaiting-broker'; broker: 'pending' | 'ready' }
  | { type: 'published'; event: ScreenEvent }
  /** Catching up on revocations (docs/protocol.md §5.8): a page applied, current, or a page refused. */
  | { type: 'revocations'; event: RevocationCatchUpEvent }
  | { type: 'handler-error'; kind: DownKind; message: string };

export interface ScreenSyncStats extends TapUplinkStats {
  connected: boolean;
  configsInvalid: number;
  claimedInvalid: number;
  decksStored: number;
  decksRejected: number;
  eventsPublished: number;
  handlerErrors: number;
}

export interface ScreenSyncOptions {
  store: Store;
  engine: TapEngine;
  identity: ScreenIdentity;
  /** Signs deck close reports (docs/protocol.md §3.6). */
  screenKey: KeyObject;
  appVersion: string;
  /** Overrides the broker URL from enrolment. */
  mqttUrl?: string;
  /** Wall clock, Unix seconds. */
  now?: () => number;
  startTimer?: StartTimer;
  random?: () => number;
  logger?: Logger;
  limits?: Partial<ScreenSyncLimits>;
  onEvent?: (event: SyncEvent) => void;
  /** A newer config was stored and the engine reloaded (the content cache follows its manifest). */
  onConfig?: (config: ScreenConfig) => void;
  /** A ticket of this screen was claimed: the issuer replaces the QR code if it is the one on screen. */
  onTicketClaimed?: (claimed: TicketClaimed) => void;
  /** The reader's tag reads for the heartbeat (docs/protocol.md §5.3); null while the reader is no tag. */
  tagReads?: () => TagReadCounts | null;
  /**
   * The cloud's HTTP base from enrolment: where revocation pages come from (docs/protocol.md §5.8), and
   * the screen's status after a refused broker login (§5.9).
   */
  cloudUrl?: string | undefined;
  /** For revocation pages and the screen's status; the global fetch by default. */
  fetch?: typeof fetch;
  revocationLimits?: Partial<RevocationCatchUpLimits>;
}

export class ScreenSync {
  readonly limits: ScreenSyncLimits;
  private readonly options: ScreenSyncOptions;
  private readonly store: Store;
  private readonly now: () => number;
  private readonly startTimer: StartTimer;
  private readonly logger: Logger;
  private readonly link: ScreenLink;
  private readonly uplink: TapUplink;
  private readonly refill: RefillWatch;
  /** Null without a cloud URL: the screen then keeps what configs carry, and stays behind if it falls out. */
  private readonly revocations: RevocationCatchUp | null;
  private readonly timers = new Map<string, () => void>();
  private readonly unsentCloseReports = new Map<number, Uint8Array>();
  private readonly startedAtMs = performance.now();
  private kickQueued = false;
  private stopped = false;
  /** A refused broker login's status question (§5.9); reset by a connection. */
  private readonly loginRefusals = {
    asking: false,
    /** Answers in this streak of refusals: the recheck backoff grows with them. */
    answers: 0,
    /** performance.now() before which a refusal asks nothing new. */
    quietUntilMs: 0,
    /** 429 answers in a row. */
    busy: 0,
  };
  private readonly statusAbort = new AbortController();
  private readonly counters = {
    configsInvalid: 0,
    claimedInvalid: 0,
    decksStored: 0,
    decksRejected: 0,
    eventsPublished: 0,
    handlerErrors: 0,
  };

  constructor(options: ScreenSyncOptions) {
    this.options = options;
    this.store = options.store;
    this.limits = { ...defaultScreenSyncLimits, ...options.limits };
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.startTimer = options.startTimer ?? realTimer;
    this.logger = (options.logger ?? pino({ enabled: false })).child({ component: 'sync' });
    const random = options.random ?? Math.random;
    this.uplink = new TapUplink({
      store: this.store,
      startTimer: this.startTimer,
      now: this.now,
      random,
      logger: this.logger,
      limits: this.limits,
      publishBatch: (payload) => this.link.publish('taps', payload),
    });
    this.refill = new RefillWatch({
      openDecks: (now) => openDeckStates(this.store, now),
      recentTaps: (campaignId, sinceS) => recentTapCount(this.store, campaignId, sinceS),
      now: this.now,
      repeatAfterS: this.limits.refillRepeatAfterS,
      tapRateWindowS: this.limits.tapRateWindowS,
    });
    const { identity } = options;
    this.link = new ScreenLink({
      url: options.mqttUrl ?? identity.mqtt.url,
      username: identity.mqtt.username,
      password: identity.mqtt.password,
      screenId: identity.screenId,
      topicRoot: identity.mqtt.topicRoot,
      startTimer: this.startTimer,
      claimPresenceSeq: (atLeast) => claimPresenceSeq(this.store, atLeast),
      random,
      logger: this.logger,
      limits: this.limits,
      onConnect: () => this.connected(),
      onDisconnect: () => {
        this.uplink.onDisconnected();
        this.emit({ type: 'disconnected' });
      },
      onLoginRefused: () => this.loginRefused(),
      onMessage: (kind, payload) => this.received(kind, payload),
    });
    this.revocations =
      options.cloudUrl === undefined
        ? null
        : new RevocationCatchUp({
            store: this.store,
            screenId: identity.screenId,
            cloudUrl: options.cloudUrl,
            login: { username: identity.mqtt.username, password: identity.mqtt.password },
            issuerKeys: () => options.engine.trustView?.issuerKeys ?? new Map(),
            now: this.now,
            startTimer: this.startTimer,
            random,
            logger: this.logger,
            ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
            ...(options.revocationLimits === undefined ? {} : { limits: options.revocationLimits }),
            onEvent: (event) => {
              // Caught up: the cloud counts the screens that confirm a revocation from their heartbeats.
              if (event.type === 'current') this.sendHeartbeat();
              this.emit({ type: 'revocations', event });
            },
          });
  }

  start(): void {
    // The stored config's window again (a crash may have come between storing it and applying it).
    this.guard('maintenance', () => {
      const config = loadConfig(this.store);
      if (config !== null) this.applyConfigRevocations(config);
    });
    this.link.start();
    this.every('heartbeat', this.limits.heartbeatIntervalMs, () => this.sendHeartbeat());
    this.every('proof-of-play', this.limits.proofOfPlayIntervalMs, () => this.sendProofOfPlay());
    this.every('maintenance', this.limits.maintenanceIntervalMs, () => this.maintain());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    this.uplink.stop();
    this.revocations?.stop();
    this.statusAbort.abort();
    await this.link.stop();
  }

  get isConnected(): boolean {
    return this.link.connected;
  }

  stats(): ScreenSyncStats {
    return { ...this.uplink.stats(), ...this.counters, connected: this.link.connected };
  }

  /** Call after a tap commits: the outbox is sent on the next turn, never inside the tap. */
  notifyTapCommitted(): void {
    if (this.kickQueued || this.stopped) return;
    this.kickQueued = true;
    setImmediate(() => {
      this.kickQueued = false;
      this.guard('maintenance', () => this.uplink.kick());
    });
  }

  /** Cuts the connection as a network failure would; for chaos tests and operators. */
  dropConnection(): void {
    this.link.drop();
  }

  /** Runs expiry, refill checks and the outbox now, instead of at the next maintenance tick. */
  maintainNow(): void {
    this.guard('maintenance', () => this.maintain());
  }

  private connected(): void {
    this.loginRefusals.answers = 0;
    this.loginRefusals.quietUntilMs = 0;
    this.loginRefusals.busy = 0;
    this.emit({ type: 'connected' });
    // Back online: a catch-up that waits out a failure's backoff goes now.
    void this.revocations?.kick();
    this.refill.forget();
    this.guard('maintenance', () => {
      for (const { deckId, report } of recentDeckCloseReports(
        this.store,
        this.now() - this.limits.closeReportsResendWindowS,
      ))
        this.queueCloseReport(deckId, report);
      this.uplink.onConnected();
      this.sendHeartbeat();
      this.sendProofOfPlay();
      this.maintain();
    });
  }

  /**
   * The broker refused the login (CONNACK 4 or 5). Enrolment answers before the broker identity exists,
   * so the cloud is asked (docs/protocol.md §5.9), once per streak of refusals and then again only after
   * a growing pause: active means wait for the broker (the link keeps retrying on its backoff); a refused
   * login there too means revoked; no answer keeps the conservative reading, out of service.
   */
  private loginRefused(): void {
    const state = this.loginRefusals;
    if (this.stopped || state.asking || performance.now() < state.quietUntilMs) return;
    const cloudUrl = this.options.cloudUrl;
    if (cloudUrl === undefined) {
      this.logger.warn(
        { code: KioskCode.SCREEN_STATUS_UNKNOWN },
        'broker login refused and no cloud URL to ask why: out of service',
      );
      this.emit({ type: 'out-of-service', reason: 'login-refused-unconfirmed' });
      return;
    }
    state.asking = true;
    const { identity } = this.options;
    void askScreenStatus({
      cloudUrl,
      login: { username: identity.mqtt.username, password: identity.mqtt.password },
      screenId: identity.screenId,
      fetch: this.options.fetch ?? fetch,
      timeoutMs: this.limits.statusTimeoutMs,
      signal: this.statusAbort.signal,
    }).then((answer) => {
      state.asking = false;
      if (this.stopped) return;
      const random = this.options.random ?? Math.random;
      if (answer.kind === 'busy' && state.busy < this.limits.statusBusyRetriesMax) {
        // "Not now" is no answer either way: nothing changes, and the next refusal after the wait (with
        // jitter, so screens behind one address do not come back together) asks again.
        state.busy += 1;
        const waitMs = Math.min(
          Math.max(answer.retryAfterMs ?? 0, this.limits.statusRecheckInitialMs) * (1 + random() / 2),
          this.limits.statusRecheckMaxMs,
        );
        state.quietUntilMs = performance.now() + waitMs;
        this.logger.info(
          { busy: state.busy, waitMs: Math.round(waitMs) },
          'broker login refused and the cloud asks to wait before it says why; asking again later',
        );
        return;
      }
      state.busy = 0;
      state.answers += 1;
      state.quietUntilMs =
        performance.now() +
        backoffDelayMs(
          state.answers,
          { initialMs: this.limits.statusRecheckInitialMs, maxMs: this.limits.statusRecheckMaxMs },
          random,
        );
      // Connected meanwhile (a refusal just before the identity was made): the login works now.
      if (this.link.connected) return;
      this.statusAnswered(answer);
    });
  }

  private statusAnswered(answer: ScreenStatusAnswer): void {
    if (answer.kind === 'active') {
      this.logger.info(
        { broker: answer.broker },
        answer.broker === 'pending'
          ? 'broker login refused: the cloud is still making this screen’s broker identity; retrying'
          : 'broker login refused though the cloud has made this screen’s broker identity; retrying',
      );
      this.emit({ type: 'awaiting-broker', broker: answer.broker });
    } else if (answer.kind === 'refused') {
      this.logger.warn('broker login refused and the cloud refuses it too: revoked, out of service');
      this.emit({ type: 'out-of-service', reason: 'login-refused' });
    } else {
      const why = answer.kind === 'busy' ? 'HTTP 429, still after waiting it out' : answer.reason;
      this.logger.warn(
        { code: KioskCode.SCREEN_STATUS_UNKNOWN, why },
        'broker login refused and the cloud could not say why: out of service until it can',
      );
      this.emit({ type: 'out-of-service', reason: 'login-refused-unconfirmed' });
    }
  }

  private received(kind: DownKind, payload: Buffer): void {
    this.guard(kind, () => {
      const bytes = new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
      if (kind === 'acks') this.emit({ type: 'ack', handling: this.uplink.handleAck(bytes) });
      else if (kind === 'decks') this.receiveDeck(bytes);
      else if (kind === 'claimed') this.receiveClaimed(bytes);
      else this.receiveConfig(bytes);
    });
  }

  private receiveDeck(bytes: Uint8Array): void {
    if (bytes.length > this.limits.deckBytesMax) {
      this.counters.decksRejected++;
      this.logger.warn({ bytes: bytes.length }, 'oversized deck ignored');
      return;
    }
    // The engine keeps its own copy in the store; mqtt.js may reuse the buffer.
    const receipt = this.options.engine.storeDeck(Uint8Array.from(bytes));
    if (receipt.status === 'stored') this.counters.decksStored++;
    else this.counters.decksRejected++;
    this.logger.info({ deckId: receipt.deckId, status: receipt.status, code: receipt.code }, 'deck received');
    this.emit({ type: 'deck', receipt });
    const event = deckReceiptEvent(receipt);
    if (event !== null) this.publishEvent(event);
    if (receipt.status === 'stored') this.maintain();
  }

  private receiveClaimed(bytes: Uint8Array): void {
    // Only the cloud may publish here (ACL), but nothing from the broker is trusted to be well formed.
    const claimed = bytes.length > this.limits.claimedBytesMax ? null : parseJson(bytes, TicketClaimed);
    if (claimed === null) {
      this.counters.claimedInvalid++;
      this.logger.warn(
        { code: KioskCode.CLAIMED_MESSAGE_INVALID, bytes: bytes.length },
        'invalid claimed message ignored',
      );
    } else this.options.onTicketClaimed?.(claimed);
    this.emit({ type: 'ticket-claimed', claimed });
  }

  private receiveConfig(bytes: Uint8Array): void {
    // An empty retained message clears the topic: the cloud does that when it revokes a screen.
    if (bytes.length === 0) {
      this.logger.warn('retained config cleared by the cloud');
      this.emit({ type: 'config', outcome: 'cleared' });
      this.emit({ type: 'out-of-service', reason: 'config-cleared' });
      return;
    }
    const config = bytes.length > this.limits.configBytesMax ? null : parseJson(bytes, ScreenConfig);
    if (config === null) {
      this.counters.configsInvalid++;
      this.logger.warn({ bytes: bytes.length }, 'invalid config ignored');
      this.emit({ type: 'config', outcome: 'invalid' });
      return;
    }
    const outcome = saveConfig(this.store, config, this.now());
    if (outcome === 'stored') {
      this.applyConfigRevocations(config);
      this.options.engine.reload();
      this.logger.info({ version: config.version }, 'config applied');
      this.options.onConfig?.(config);
    } else if (outcome === 'stale') {
      this.logger.warn({ version: config.version }, 'older config ignored');
    }
    this.emit({ type: 'config', outcome, version: config.version });
    if (outcome === 'stored') this.maintain();
  }

  /**
   * Applies the config's revocation window as a delta; when the screen is further behind than the window
   * reaches (or a page is still owed), pages the rest. A config from before windows carries its v1 list,
   * which the trust view reads as it is.
   */
  private applyConfigRevocations(config: ScreenConfig): void {
    const delta = configRevocationDelta(config.revocation);
    if (delta === null) return;
    const before = revocationStatus(this.store).version;
    const status = applyRevocationDelta(this.store, delta, this.now());
    // Current to a newer revocation: say so at once rather than at the next heartbeat.
    if (status.version > before) this.sendHeartbeat();
    if (status.gap)
      this.logger.info(
        { version: status.version, since: delta.from, target: status.target },
        'behind the config’s revocation window: paging the rest',
      );
    if (status.version >= status.target) return;
    if (this.revocations === null)
      this.logger.warn(
        { version: status.version, target: status.target },
        'behind on revocations with no cloud URL to page them from',
      );
    else void this.revocations.kick();
  }

  private maintain(): void {
    const now = this.now();
    pruneExpiredRevocations(this.store, now);
    const identity = this.options.identity;
    for (const { deckId, report } of closeExpiredDecks({
      store: this.store,
      screenId: identity.screenId,
      screenKey: this.options.screenKey,
      now,
    })) {
      this.logger.info({ deckId }, 'expired deck closed');
      this.queueCloseReport(deckId, report);
    }
    this.flushCloseReports();
    const trust = this.options.engine.trustView;
    if (trust !== null && this.link.connected) {
      // A campaign claimed online only gets no deck (docs/protocol.md §3.4): nothing to ask for.
      const campaignIds = trust.campaigns
        .filter((campaign) => offersPath(campaign, 'tap'))
        .map((campaign) => campaign.campaignId);
      for (const event of this.refill.due(campaignIds, trust.deckRefillThreshold)) this.publishEvent(event);
    }
    this.uplink.kick();
  }

  private queueCloseReport(deckId: number, report: Uint8Array): void {
    if (
      !this.unsentCloseReports.has(deckId) &&
      this.unsentCloseReports.size >= this.limits.closeReportsUnsentMax
    ) {
      // The store keeps every report; the oldest goes out again after the next connect instead.
      const oldest = this.unsentCloseReports.keys().next();
      if (oldest.done !== true) this.unsentCloseReports.delete(oldest.value);
    }
    this.unsentCloseReports.set(deckId, report);
  }

  private flushCloseReports(): void {
    for (const [deckId, report] of this.unsentCloseReports) {
      if (!this.publishEvent(deckCloseEvent(report))) return;
      this.unsentCloseReports.delete(deckId);
    }
  }

  private sendHeartbeat(): void {
    if (!this.link.connected) return;
    const uptimeS = (performance.now() - this.startedAtMs) / 1000;
    const tagReads = this.options.tagReads?.() ?? null;
    this.publishEvent(heartbeatEvent(this.store, this.now(), this.options.appVersion, uptimeS, tagReads));
  }

  private sendProofOfPlay(): void {
    if (!this.link.connected) return;
    for (const event of proofOfPlayEvents(this.store, this.now(), this.limits.proofOfPlayPeriodsPerTickMax)) {
      // Marked reported once the broker has it; plays are not money, so broker-grade delivery is enough.
      this.publishEvent(event, (delivered) => {
        if (delivered)
          this.guard('maintenance', () => markPlaysReported(this.store, event.periodStart, this.now()));
      });
    }
  }

  private publishEvent(event: ScreenEvent, onDelivered?: (ok: boolean) => void): boolean {
    const checked = ScreenEvent.safeParse(event);
    if (!checked.success) {
      this.logger.error(
        { type: event.type, issues: checked.error.issues.slice(0, 3) },
        'event failed its schema',
      );
      return false;
    }
    if (!this.link.publish('events', JSON.stringify(event), onDelivered)) return false;
    this.counters.eventsPublished++;
    this.emit({ type: 'published', event });
    return true;
  }

  private every(name: string, intervalMs: number, work: () => void): void {
    const schedule = () => {
      this.timers.set(
        name,
        this.startTimer(() => {
          if (this.stopped) return;
          this.guard('maintenance', work);
          schedule();
        }, intervalMs),
      );
    };
    schedule();
  }

  /** Runs one handler; a failure is logged and counted, and the agent carries on. */
  private guard(kind: DownKind | 'maintenance', work: () => void): void {
    try {
      work();
    } catch (error) {
      this.counters.handlerErrors++;
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error({ err: error, kind }, 'sync handler failed');
      if (kind !== 'maintenance') this.emit({ type: 'handler-error', kind, message });
    }
  }

  private emit(event: SyncEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch (error) {
      this.logger.error({ err: error }, 'sync observer failed');
    }
  }
}

function parseJson<T>(bytes: Uint8Array, schema: z.ZodType<T>): T | null {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    return null;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : null;
}
