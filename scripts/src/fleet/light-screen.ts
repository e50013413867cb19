// A lightweight screen for the control-plane fleet simulation (docs/benchmarks.md, "Fleet"): the kiosk's
// enrolment (its own P-256 key, the one-time code signed with the shared enrolment message) and the
// kiosk's own MQTT link (screen-app's ScreenLink: credentials from enrolment, presence and will, its down
// topics), without SQLite, a reader or a renderer. It keeps in memory what a kiosk keeps in its store for
// the control plane: the newest retained config, the decks it verified (shared's decodeDeck and
// verifyDeckSignature against the pinned issuer keys), and answers like a kiosk does: a deck-receipt
// per deck, deck-low for a config campaign it holds too few envelopes of (screen-app's RefillWatch rule),
// and heartbeats with its deck levels (docs/protocol.md §5.3). The deck-low rule (refillNeeds, RefillWatch),
// the deck levels (toDeckLevel) and the heartbeat (heartbeatOf) are the kiosk's own, over decks held in
// memory instead of SQLite.
import type { KeyObject } from 'node:crypto';
import {
  decodeDeck,
  enrolmentMessage,
  ErrorCode,
  fromHex,
  generateKeyPair,
  importPublicKeyRaw,
  offersPath,
  ScreenConfig,
  sign,
  SignatureLabel,
  toHex,
  verifyDeckSignature,
  type ScreenEvent,
} from '@redtap/shared';
import {
  deckReceiptEvent,
  defaultScreenSyncLimits,
  heartbeatOf,
  KioskCode,
  realTimer,
  RefillWatch,
  ScreenLink,
  toDeckLevel,
  type DeckReceipt,
  type DeckState,
  type DownKind,
} from '@redtap/screen-app';
import type { Logger } from 'pino';

export const FLEET_APP_VERSION = 'fleet-sim/1';
const ENROL_TIMEOUT_MS = 60_000;

/** A deck as the screen holds it: the kiosk's deck state (nothing drawn: no taps here) and its bytes. */
interface HeldDeck extends DeckState {
  bytes: Uint8Array;
}

/** What the config says that the control plane needs; the whole config is parsed and checked. */
interface HeldConfig {
  version: number;
  revocationVersion: number;
  /** Campaigns that take taps: only those get decks (docs/protocol.md §5.5). */
  tapCampaignIds: number[];
  deckRefillThreshold: number;
}

export type EnrolOutcome = { ok: true } | { ok: false; code: string; message: string };

export interface LightScreenOptions {
  screenId: number;
  code: string;
  cloudUrl: string;
  /** Overrides the broker URL from enrolment. */
  mqttUrl?: string;
  /** Adds the screen's own client address (X-Forwarded-For), as a screen in its own building has. */
  clientAddress: string;
  logger: Logger;
  /** Issuer keys by hex, shared by the screens of a process: one KeyObject per key, not per screen. */
  issuerKeyCache: Map<string, KeyObject>;
  nowS?: () => number;
  onChange?: () => void;
}

export class LightScreen {
  readonly screenId: number;
  private readonly options: LightScreenOptions;
  private readonly nowS: () => number;
  private link: ScreenLink | null = null;
  private issuerKeys = new Map<number, KeyObject>();
  private config: HeldConfig | null = null;
  private readonly decks = new Map<number, HeldDeck>();
  private readonly refill: RefillWatch;
  private readonly startedAtMs = performance.now();
  enrolled = false;
  /** Connected at least once (and so heard from: it sends a heartbeat on every connect). */
  everConnected = false;
  stopped = false;
  configCleared = false;
  decksRejected = 0;
  configsInvalid = 0;
  eventsPublished = 0;
  deckLowSent = 0;
  /** Wall clock (ms) when the first deck was stored; null before. */
  firstDeckAtMs: number | null = null;

  constructor(options: LightScreenOptions) {
    this.options = options;
    this.screenId = options.screenId;
    this.nowS = options.nowS ?? (() => Math.floor(Date.now() / 1000));
    this.refill = new RefillWatch({
      openDecks: (now) => this.openDecks(now),
      // Nothing is tapped here.
      recentTaps: () => 0,
      now: this.nowS,
      repeatAfterS: defaultScreenSyncLimits.refillRepeatAfterS,
      tapRateWindowS: defaultScreenSyncLimits.tapRateWindowS,
    });
  }

  get connected(): boolean {
    return this.link?.connected === true;
  }

  get configVersion(): number {
    return this.config?.version ?? 0;
  }

  /** The revocation list version of the newest config; -1 before any config. */
  get revocationVersion(): number {
    return this.config?.revocationVersion ?? -1;
  }

  get decksHeld(): number {
    return this.decks.size;
  }

  /** Main envelopes left over the usable decks. */
  envelopesHeld(): number {
    const now = this.nowS();
    let sum = 0;
    for (const deck of this.openDecks(now)) if (deck.validFrom <= now) sum += deck.count - deck.fallbackCount;
    return sum;
  }

  /** The unexpired decks, as the kiosk's openDeckStates; expired ones are dropped (no close report: none drawn). */
  private openDecks(now: number): HeldDeck[] {
    const open: HeldDeck[] = [];
    for (const deck of this.decks.values()) {
      if (deck.validUntil < now) this.decks.delete(deck.deckId);
      else open.push(deck);
    }
    return open;
  }

  /**
   * The kiosk's enrolment (docs/protocol.md §3.7, screen-app's enroll): a fresh P-256 key, the code
   * signed with it, POST /v1/enrol. The private key is not kept: a screen that taps nothing signs nothing.
   */
  async enrol(): Promise<
    EnrolOutcome & { mqtt?: { url: string; username: string; password: string; topicRoot: string } }
  > {
    const code = this.options.code.trim().toUpperCase();
    const key = generateKeyPair();
    const signature = sign(SignatureLabel.enroll, enrolmentMessage(code, key.publicKeyRaw), key.privateKey);
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.options.cloudUrl.replace(/\/+$/, '')}/v1/enrol`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': this.options.clientAddress },
        body: JSON.stringify({ code, publicKey: toHex(key.publicKeyRaw), signature: toHex(signature) }),
        signal: AbortSignal.timeout(ENROL_TIMEOUT_MS),
      });
      text = await response.text();
    } catch (error) {
      return { ok: false, code: 'UNREACHABLE', message: error instanceof Error ? error.message : 'failed' };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { ok: false, code: 'REPLY_INVALID', message: `HTTP ${response.status}: not JSON` };
    }
    if (response.status !== 201) {
      const error = (json as { error?: { code?: string; message?: string } }).error;
      return { ok: false, code: error?.code ?? `HTTP_${response.status}`, message: error?.message ?? '' };
    }
    const reply = json as {
      screenId: number;
      mqtt: { url: string; username: string; password: string; topicRoot: string };
      issuerKeys: { keyId: number; publicKey: string }[];
    };
    if (reply.screenId !== this.screenId)
      return { ok: false, code: 'REPLY_INVALID', message: `enrolled as screen ${reply.screenId}` };
    this.pinIssuerKeys(reply.issuerKeys);
    this.enrolled = true;
    return { ok: true, mqtt: reply.mqtt };
  }

  /** Connects with the enrolment's credentials through the kiosk's own link. */
  start(mqtt: { url: string; username: string; password: string; topicRoot: string }): void {
    this.link = new ScreenLink({
      url: this.options.mqttUrl ?? mqtt.url,
      username: mqtt.username,
      password: mqtt.password,
      screenId: this.screenId,
      topicRoot: mqtt.topicRoot,
      startTimer: realTimer,
      logger: this.options.logger,
      onConnect: () => {
        this.everConnected = true;
        // As the kiosk: after a (re)connect the last refill requests may have been lost.
        this.refill.forget();
        this.sendHeartbeat();
        this.maintain();
        this.options.onChange?.();
      },
      onDisconnect: () => this.options.onChange?.(),
      onMessage: (kind, payload) => this.received(kind, payload),
    });
    this.link.start();
  }

  /** A clean stop, as a kiosk shutting down: `offline` presence, then DISCONNECT. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.link?.stop();
    this.options.onChange?.();
  }

  /** Heartbeat (docs/protocol.md §5.3): nothing tapped, the deck levels it holds. */
  sendHeartbeat(): void {
    if (!this.connected) return;
    const now = this.nowS();
    const event = heartbeatOf({
      now,
      appVersion: FLEET_APP_VERSION,
      counter: 0,
      backlog: 0,
      decks: this.openDecks(now).map(toDeckLevel),
      uptimeS: (performance.now() - this.startedAtMs) / 1000,
      // A lightweight screen keeps no revocation entries: it counts itself current to its config's number.
      ...(this.config === null ? {} : { revocations: this.config.revocationVersion }),
    });
    this.publish(event);
  }

  /** Refill requests due now, by the kiosk's own rule and repeat policy (screen-app's RefillWatch). */
  maintain(): void {
    const config = this.config;
    if (config === null || !this.connected) return;
    for (const event of this.refill.due(config.tapCampaignIds, config.deckRefillThreshold))
      if (this.publish(event)) this.deckLowSent++;
  }

  private pinIssuerKeys(keys: readonly { keyId: number; publicKey: string }[]): void {
    const pinned = new Map<number, KeyObject>();
    for (const { keyId, publicKey } of keys) {
      let key = this.options.issuerKeyCache.get(publicKey);
      if (key === undefined) {
        const imported = importPublicKeyRaw(fromHex(publicKey) ?? new Uint8Array(0));
        if (!imported.ok) continue;
        key = imported.value;
        this.options.issuerKeyCache.set(publicKey, key);
      }
      pinned.set(keyId, key);
    }
    this.issuerKeys = pinned;
  }

  private received(kind: DownKind, payload: Buffer): void {
    const bytes = new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
    if (kind === 'config') this.receiveConfig(bytes);
    else if (kind === 'decks') this.receiveDeck(Uint8Array.from(bytes));
    // Acks (no taps here) and claimed notices (no tickets) need nothing.
  }

  private receiveConfig(bytes: Uint8Array): void {
    if (bytes.length === 0) {
      this.configCleared = true;
      this.options.onChange?.();
      return;
    }
    let parsed: ReturnType<typeof ScreenConfig.safeParse> | null;
    try {
      parsed = ScreenConfig.safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
    } catch {
      parsed = null;
    }
    if (parsed?.success !== true) {
      this.configsInvalid++;
      return;
    }
    const config = parsed.data;
    // As the kiosk's saveConfig: only a higher version replaces the one held.
    if (this.config !== null && config.version <= this.config.version) return;
    const revocationsBefore = this.config?.revocationVersion ?? -1;
    this.config = {
      version: config.version,
      revocationVersion: config.revocation.version,
      tapCampaignIds: config.campaigns
        .filter((campaign) => offersPath(campaign, 'tap'))
        .map((campaign) => campaign.campaignId),
      deckRefillThreshold: config.deckRefillThreshold,
    };
    this.pinIssuerKeys(config.issuerKeys);
    // As the kiosk: current to a newer revocation number, it says so at once.
    if (config.revocation.version > revocationsBefore) this.sendHeartbeat();
    this.maintain();
    this.options.onChange?.();
  }

  private receiveDeck(bytes: Uint8Array): void {
    const receipt = this.verifyDeck(bytes);
    const event = deckReceiptEvent(receipt);
    if (event !== null) this.publish(event);
    if (receipt.status === 'stored') {
      this.firstDeckAtMs ??= Date.now();
      this.maintain();
      this.options.onChange?.();
    } else this.decksRejected++;
  }

  /** The kiosk's deck intake checks (screen-app's storeDeck), into memory. */
  private verifyDeck(bytes: Uint8Array): DeckReceipt {
    const decoded = decodeDeck(bytes);
    if (!decoded.ok) return { deckId: null, status: 'rejected', code: decoded.code };
    const deck = decoded.value;
    const issuerKey = this.issuerKeys.get(deck.issuerKeyId);
    if (issuerKey === undefined)
      return { deckId: deck.deckId, status: 'rejected', code: KioskCode.DECK_ISSUER_UNKNOWN };
    if (!verifyDeckSignature(bytes, issuerKey))
      return { deckId: deck.deckId, status: 'rejected', code: KioskCode.DECK_SIGNATURE_INVALID };
    if (deck.screenId !== this.screenId)
      return { deckId: deck.deckId, status: 'rejected', code: ErrorCode.DECK_WRONG_SCREEN };
    if (deck.validUntil < this.nowS())
      return { deckId: deck.deckId, status: 'rejected', code: ErrorCode.DECK_EXPIRED };
    const held = this.decks.get(deck.deckId);
    if (held !== undefined && Buffer.compare(held.bytes, bytes) !== 0)
      return { deckId: deck.deckId, status: 'rejected', code: KioskCode.DECK_CONFLICT };
    this.decks.set(deck.deckId, {
      deckId: deck.deckId,
      campaignId: deck.campaignId,
      validFrom: deck.validFrom,
      validUntil: deck.validUntil,
      count: deck.envelopes.length,
      fallbackCount: deck.fallbackCount,
      cursor: 0,
      fallbackCursor: 0,
      closedAt: null,
      bytes,
    });
    return { deckId: deck.deckId, status: 'stored' };
  }

  private publish(event: ScreenEvent): boolean {
    if (this.link === null || !this.link.publish('events', JSON.stringify(event))) return false;
    this.eventsPublished++;
    return true;
  }
}
