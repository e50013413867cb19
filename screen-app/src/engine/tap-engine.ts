// The kiosk tap engine: checks a phone's credential, asks for the phone's day state and checks it,
// issues the challenge, and on the phone's signature draws the next envelope, signs the tap token and
// commits it durably before any prize is shown (docs/protocol.md §3.2, §3.3, §4). It touches nothing but
// the store, so any tap source can drive it.
import { randomBytes as cryptoRandomBytes, type KeyObject } from 'node:crypto';
import {
  assert,
  credentialExpired,
  DAY_STATE_NONCE_LENGTH,
  decodeHello,
  encodeChallenge,
  encodeDayStateRequest,
  encodeReceiptExtra,
  ENVELOPE_INDEX_NONE,
  ErrorCode,
  FEN_MAX,
  NONCE_LENGTH,
  PublicKeyCache,
  SignatureLabel,
  signTapToken,
  TapFlag,
  HelloFlag,
  localDayStart,
  verify,
  verifyCredentialSignature,
  verifyDayState,
  type DayState,
  type CampaignConfig,
  type Hello,
  type Verdict,
} from '@redtap/shared';
import { pino, type Logger } from 'pino';
import { KioskCode, refuse, type Refusal } from '../codes.ts';
import { loadConfig } from '../store/config-queries.ts';
import { loadIdentity } from '../store/identity-queries.ts';
import { revokedLookup } from '../store/revocation-queries.ts';
import { storeDeck, type DeckReceipt } from '../decks/deck-intake.ts';
import { checkpointStore, type Store } from '../store/open-store.ts';
import { isStoreUnavailable } from '../store/store-errors.ts';
import {
  prepareTapCommitQueries,
  type DrawableDeck,
  type DrawableFallbackSlot,
  type TapCommitQueries,
} from '../store/tap-commit-queries.ts';
import { TapLease, realTimer, type StartTimer } from './tap-lease.ts';
import { buildTrust, issuerKeysOf, liveCoupon, type TrustView } from './trust.ts';
import { certaintyOf, KioskJudge, type Candidate, type Certainty } from './kiosk-judge.ts';
import { screenTapStateOf } from './kiosk-knowledge.ts';
import { chooseCampaign } from './campaign-choice.ts';

export interface TapEngineOptions {
  store: Store;
  /** The screen's P-256 private key (see loadScreenKey); its public half must match the identity. */
  screenKey: KeyObject;
  screenPublicKeyRaw: Uint8Array;
  /** Wall clock, Unix seconds. */
  now?: () => number;
  randomBytes?: (length: number) => Uint8Array;
  startTimer?: StartTimer;
  /** See TapLease. */
  leaseMs?: number;
  leaseWaitMaxMs?: number;
  leaseWaitersMax?: number;
  keyCache?: PublicKeyCache;
  logger?: Logger;
  /** Taps between WAL checkpoints; each runs after the prize is returned, never inside a tap. */
  checkpointEveryTaps?: number;
  /** Runs work after the current tap has been answered (default setImmediate). */
  defer?: (work: () => void) => void;
  /** The campaign of what the screen shows now (see setShowingCampaign). */
  showingCampaignId?: ShowingCampaign;
}

/** The campaign of the playlist item on screen now, or null for default content. */
export type ShowingCampaign = () => number | null;

/**
 * A tap between challenge and commit. Opaque to drivers: pass it back to provideDayState, completeTap or
 * abandonTap.
 */
export interface TapSession {
  readonly id: number;
  /**
   * The 36 bytes to send in SIGN CHALLENGE. With a `dayStateRequest`, the one to send is the challenge of
   * the session provideDayState returns (it chooses the campaign knowing the day state).
   */
  readonly challenge: Uint8Array;
  readonly counter: number;
  readonly campaignId: number;
  readonly walletId: number;
  readonly ts: number;
  /** GET DAY STATE's 32-byte request (docs/protocol.md §4.4), or null when the kiosk cannot ask. */
  readonly dayStateRequest: Uint8Array | null;
  /** The phone's day state once provided and verified; null when absent, refused or not verifying. */
  readonly dayState: DayState | null;
}

interface ActiveSession {
  id: number;
  challenge: Uint8Array;
  counter: number;
  campaignId: number;
  walletId: number;
  ts: number;
  dayStateRequest: Uint8Array | null;
  dayState: DayState | null;
  /** The phone answered GET DAY STATE with 90 00, so it takes the long receipt. */
  dayStateAnswered: boolean;
  grant: number;
  hello: Hello;
  phoneKey: KeyObject;
  nonce: Uint8Array;
}

/** What the engine needs to ask a phone for its day state: the cap day's zone and this screen's city. */
interface DayStateSetup {
  capTimezone: string;
  cityKey: number;
}

/** What the UI shows and the phone receives, returned only after the token is durably committed. */
export interface TapPrize {
  counter: number;
  walletId: number;
  campaignId: number;
  amountFen: number;
  /**
   * The coupon awarded, 0 = none. An expired offer awards none even when the drawn envelope names it;
   * the token then still carries the envelope's couponOfferId, which the cloud checks against the deck.
   */
  couponOfferId: number;
  /** 0 when no envelope was drawn. */
  deckId: number;
  envelopeIndex: number | null;
  flags: number;
  noDeck: boolean;
  localCap: boolean;
  /** The 196-byte signed token: the receipt for PUT RECEIPT. */
  token: Uint8Array;
  ts: number;
  /**
   * 'firm' when the judge, on what this kiosk knows, is sure the cloud gives exactly this prize;
   * 'confirming' when it rests on something only the cloud knows (docs/protocol.md §7).
   */
  certainty: Certainty;
  /**
   * `u32 advertiserId ‖ u32 cityKey` for the long PUT RECEIPT, for a phone that answered GET DAY STATE;
   * null otherwise (docs/protocol.md §4.3).
   */
  receiptExtra: Uint8Array | null;
}

export type BeginTapResult = { ok: true; session: TapSession } | Refusal;
export type CompleteTapResult = { ok: true; prize: TapPrize } | Refusal;
type CommittedPrize = Omit<TapPrize, 'receiptExtra'>;
type CommitResult = { ok: true; prize: CommittedPrize } | Refusal;

export interface BeginTapOptions {
  /** The driver's exchange budget: waiting for the counter lease stops when it aborts. */
  signal?: AbortSignal;
}

/** Thrown inside the commit transaction to roll it back with a typed refusal. */
class CommitRefused extends Error {
  readonly refusal: Refusal;
  constructor(refusal: Refusal) {
    super(refusal.message);
    this.refusal = refusal;
  }
}

const ENVELOPE_BYTES = 8;

/** What the judge lets this kiosk put in a token for one campaign (kiosk-judge.ts). */
type TapDecision =
  | { kind: 'envelope'; deck: DrawableDeck; verdict: Verdict; withheldCode: null }
  | { kind: 'fallback'; slot: DrawableFallbackSlot; verdict: Verdict; withheldCode: ErrorCode | null }
  /** `withheldCode`: why the judge refuses this wallet the campaign's cash, null when it would not. */
  | { kind: 'none'; withheldCode: ErrorCode | null };

function envelopeOf(
  campaign: CampaignConfig,
  deck: DrawableDeck | DrawableFallbackSlot,
  envelopeIndex: number,
): Candidate {
  assert(deck.envelope.length === ENVELOPE_BYTES, 'envelope read past the deck');
  return {
    campaign,
    deck,
    envelopeIndex,
    amountFen: deck.envelope.readUInt32BE(0),
    couponOfferId: deck.envelope.readUInt32BE(4),
  };
}

/**
 * The campaign's next envelope when the judge would not refuse it; else the next slot of its fallback
 * allotment when the judge would issue that coupon; else nothing.
 */
function decideTap(
  judge: KioskJudge,
  campaign: CampaignConfig,
  queries: TapCommitQueries,
  ts: number,
): TapDecision {
  const deck = queries.drawableDeck(campaign.campaignId, ts);
  let withheldCode: ErrorCode | null;
  if (deck !== undefined) {
    const verdict = judge.judge(envelopeOf(campaign, deck, deck.cursor), campaign);
    if (verdict.status !== 'rejected') return { kind: 'envelope', deck, verdict, withheldCode: null };
    withheldCode = verdict.code;
  } else {
    // No envelope to judge: whether the day caps already refuse this wallet any cash of the campaign.
    withheldCode = judge.cashCapped(campaign);
  }
  const slot = queries.drawableFallbackSlot(campaign.campaignId, ts);
  if (slot !== undefined) {
    const verdict = judge.judge(envelopeOf(campaign, slot, slot.envelopeIndex), campaign);
    if (verdict.status === 'credited' && verdict.couponOfferId !== 0)
      return { kind: 'fallback', slot, verdict, withheldCode };
  }
  return { kind: 'none', withheldCode };
}

function sessionView(session: ActiveSession): TapSession {
  return {
    id: session.id,
    challenge: session.challenge,
    counter: session.counter,
    campaignId: session.campaignId,
    walletId: session.walletId,
    ts: session.ts,
    dayStateRequest: session.dayStateRequest,
    dayState: session.dayState,
  };
}

export class TapEngine {
  private readonly store: Store;
  private readonly screenKey: KeyObject;
  private readonly now: () => number;
  private readonly randomBytes: (length: number) => Uint8Array;
  private readonly keyCache: PublicKeyCache;
  private readonly logger: Logger;
  private readonly lease: TapLease;
  private readonly screenPublicKeyRaw: Uint8Array;
  private queries: TapCommitQueries | null = null;
  private trust: TrustView | null = null;
  private revokedInStore: ((credential: string) => boolean) | null = null;
  /** Known once enrolled, even before a config arrives, so decks can be taken in early. */
  private deckTrust: { screenId: number; issuerKeys: ReadonlyMap<number, KeyObject> } | null = null;
  private notReady: Refusal = refuse(KioskCode.NOT_ENROLLED, 'screen is not enrolled');
  private dayStateSetup: DayStateSetup | null = null;
  private active: ActiveSession | null = null;
  private nextSessionId = 1;
  private readonly checkpointEveryTaps: number;
  private readonly defer: (work: () => void) => void;
  private tapsSinceCheckpoint = 0;
  private showingCampaignId: ShowingCampaign;

  constructor(options: TapEngineOptions) {
    this.store = options.store;
    this.screenKey = options.screenKey;
    this.screenPublicKeyRaw = options.screenPublicKeyRaw;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.randomBytes = options.randomBytes ?? ((length) => new Uint8Array(cryptoRandomBytes(length)));
    this.keyCache = options.keyCache ?? new PublicKeyCache(1_000);
    this.logger = options.logger ?? pino({ enabled: false });
    this.checkpointEveryTaps = options.checkpointEveryTaps ?? 100;
    assert(this.checkpointEveryTaps >= 1, 'checkpointEveryTaps must be positive');
    this.defer = options.defer ?? ((work) => setImmediate(work));
    this.showingCampaignId = options.showingCampaignId ?? (() => null);
    this.lease = new TapLease({
      leaseMs: options.leaseMs ?? 1_000,
      waitMaxMs: options.leaseWaitMaxMs ?? 1_000,
      waitersMax: options.leaseWaitersMax ?? 8,
      startTimer: options.startTimer ?? realTimer,
      onExpired: (grant) => {
        if (this.active?.grant === grant) {
          this.logger.warn({ counter: this.active.counter }, 'tap session expired before commit');
          this.active = null;
        }
      },
    });
    this.reload();
  }

  /** Re-reads identity and config from the store; call after enrolment or a new ScreenConfig. */
  reload(): void {
    const identity = loadIdentity(this.store);
    const config = loadConfig(this.store);
    this.trust = null;
    this.deckTrust = null;
    this.dayStateSetup = null;
    if (identity === null) {
      this.notReady = refuse(KioskCode.NOT_ENROLLED, 'screen is not enrolled');
      return;
    }
    if (!Buffer.from(identity.publicKey).equals(this.screenPublicKeyRaw)) {
      throw new Error(`${KioskCode.KEY_MISMATCH}: the screen key does not match the enrolled identity`);
    }
    this.deckTrust = { screenId: identity.screenId, issuerKeys: issuerKeysOf(identity, config, this.logger) };
    if (config === null) {
      this.notReady = refuse(KioskCode.NOT_CONFIGURED, 'no screen config has arrived yet');
      return;
    }
    this.revokedInStore ??= revokedLookup(this.store);
    this.trust = buildTrust(identity, config, this.logger, this.revokedInStore);
    // Cap days are the network's (rules.capTimezone); a config from before the rules counts the screen's.
    this.dayStateSetup = {
      capTimezone: config.rules?.capTimezone ?? config.timezone,
      cityKey: config.cityKey ?? 0,
    };
    this.queries ??= prepareTapCommitQueries(this.store);
  }

  /** Deck intake with this screen's id and issuer keys (docs/protocol.md §3.4). */
  storeDeck(bytes: Uint8Array): DeckReceipt {
    if (this.deckTrust === null)
      return { deckId: null, status: 'rejected', code: KioskCode.NOT_ENROLLED, message: 'not enrolled' };
    return storeDeck({ store: this.store, ...this.deckTrust, now: this.now() }, bytes);
  }

  /**
   * Where to read what the screen shows (the playlist player's current item), for drivers that build
   * the screen after the engine. A tap pays the campaign on screen first (campaign-choice.ts).
   */
  setShowingCampaign(source: ShowingCampaign): void {
    this.showingCampaignId = source;
  }

  /** The trust view in force, or null before enrolment and config. */
  get trustView(): TrustView | null {
    return this.trust;
  }

  /**
   * After HELLO: verifies the credential, takes the counter lease, builds the GET DAY STATE request and
   * the challenge (docs/protocol.md §3.2, §4.4). Records nothing.
   */
  async beginTap(hello: Uint8Array | Hello, options: BeginTapOptions = {}): Promise<BeginTapResult> {
    const trust = this.trust;
    if (trust === null) return this.notReady;
    let decoded: Hello;
    if (hello instanceof Uint8Array) {
      const result = decodeHello(hello);
      if (!result.ok) return refuse(result.code, result.message);
      decoded = result.value;
    } else {
      decoded = hello;
    }
    const credential = decoded.credential;

    // Same order as the cloud's redemption rules (docs/protocol.md §7, step 3).
    const issuerKey = trust.issuerKeys.get(credential.issuerKeyId);
    if (issuerKey === undefined)
      return refuse(
        ErrorCode.CREDENTIAL_ISSUER_UNKNOWN,
        `issuer key ${credential.issuerKeyId} is not pinned`,
      );
    if (!verifyCredentialSignature(decoded.credentialBytes, issuerKey))
      return refuse(ErrorCode.CREDENTIAL_SIGNATURE_INVALID, 'credential issuer signature does not verify');
    if (credentialExpired(credential.expiresAt, this.now()))
      return refuse(ErrorCode.CREDENTIAL_EXPIRED, `credential expired at ${credential.expiresAt}`);
    // The revoked set lives in the store (docs/protocol.md §5.9): a read that can fail like any other.
    let revoked: boolean;
    try {
      revoked = trust.revoked.has(`${credential.walletId}:${credential.credentialSerial}`);
    } catch (error) {
      if (isStoreUnavailable(error)) return this.storeUnavailable(error);
      throw error;
    }
    if (revoked) return refuse(ErrorCode.CREDENTIAL_REVOKED, 'credential is revoked');
    const phoneKey = this.keyCache.get(credential.phonePublicKey);
    if (!phoneKey.ok) return refuse(phoneKey.code, phoneKey.message);
    if (trust.campaigns.length === 0) return refuse(KioskCode.NO_ACTIVE_CAMPAIGN, 'config has no campaign');

    const grant = await this.lease.acquire(options.signal);
    if (grant === null) return refuse(KioskCode.SCREEN_BUSY, 'another tap holds the counter');
    try {
      const queries = this.commitQueries();
      const ts = this.now();
      const lastCommitted = queries.lastCommitted();
      assert(lastCommitted !== undefined, 'counter row missing');
      const counter = lastCommitted + 1;
      assert(counter <= 0xffffffff, 'tap counter exhausted');
      // One draw for both nonces, the challenge's and GET DAY STATE's: each call costs microseconds.
      const random = this.randomBytes(NONCE_LENGTH + DAY_STATE_NONCE_LENGTH);
      assert(random.length === NONCE_LENGTH + DAY_STATE_NONCE_LENGTH, 'nonces must be 16 + 12 bytes');
      const nonce = random.slice(0, NONCE_LENGTH);
      const session: ActiveSession = {
        id: this.nextSessionId++,
        challenge: new Uint8Array(0),
        counter,
        campaignId: 0,
        walletId: credential.walletId,
        ts,
        dayStateRequest: this.dayStateRequest(trust.screenId, ts, random.slice(NONCE_LENGTH)),
        dayState: null,
        dayStateAnswered: false,
        grant,
        hello: decoded,
        phoneKey: phoneKey.value,
        nonce,
      };
      if (!this.chooseChallenge(session)) {
        this.lease.release(grant);
        return refuse(
          ErrorCode.CLAIM_PATH_NOT_OFFERED,
          'no campaign here pays a tap of the app: the one on screen is claimed by its QR code',
        );
      }
      this.active = session;
      return { ok: true, session: sessionView(session) };
    } catch (error) {
      this.lease.release(grant);
      if (isStoreUnavailable(error)) return this.storeUnavailable(error);
      throw error;
    }
  }

  /**
   * The phone's answer to GET DAY STATE (null: it answered none, as a phone from before it does). A day
   * state is kept only when it verifies: label `day-state` by the credential's phone key over this
   * tap's request, this wallet, this cap day; one that does not is ignored and never refuses the tap.
   * Then chooses the campaign again, knowing the day state, and returns the session whose challenge to
   * send (docs/protocol.md §4.4).
   */
  provideDayState(session: TapSession, bytes: Uint8Array | null): BeginTapResult {
    const active = this.active;
    if (active === null || active.id !== session.id || !this.lease.holds(active.grant))
      return refuse(KioskCode.SESSION_STALE, 'tap session is not current (expired, abandoned or completed)');
    if (active.dayStateRequest === null || this.trust === null)
      return { ok: true, session: sessionView(active) };
    active.dayStateAnswered = bytes !== null;
    active.dayState = null;
    if (bytes !== null) {
      const verified = verifyDayState(bytes, {
        request: active.dayStateRequest,
        phoneKey: active.phoneKey,
        walletId: active.walletId,
      });
      if (verified.ok) active.dayState = verified.value;
      else this.logger.info({ code: verified.code, walletId: active.walletId }, 'day state ignored');
    }
    try {
      this.chooseChallenge(active);
    } catch (error) {
      this.abandonTap(active);
      if (isStoreUnavailable(error)) return this.storeUnavailable(error);
      throw error;
    }
    return { ok: true, session: sessionView(active) };
  }

  /** GET DAY STATE's request for a tap at `ts`: this screen, its city, the cap day's first second. */
  private dayStateRequest(screenId: number, ts: number, nonce: Uint8Array): Uint8Array | null {
    const setup = this.dayStateSetup;
    if (setup === null) return null;
    return encodeDayStateRequest({
      screenId,
      cityKey: setup.cityKey,
      dayStart: localDayStart(ts, setup.capTimezone),
      ts,
      nonce,
    });
  }

  /** The shared judge over what this kiosk knows of the session's wallet now (kiosk-judge.ts). */
  private judgeOf(session: ActiveSession, trust: TrustView, queries: TapCommitQueries): KioskJudge {
    const window = trust.rules?.tapRateWindow ?? Number.MAX_SAFE_INTEGER;
    return new KioskJudge({
      screenId: trust.screenId,
      cityKey: trust.cityKey,
      rules: trust.rules,
      timezone: trust.timezone,
      walletId: session.walletId,
      counter: session.counter,
      ts: session.ts,
      dayState: session.dayState,
      local: queries.capCountsOfDay(session.walletId, trust.localDay(session.ts)),
      campaigns: trust.campaigns,
      screen: screenTapStateOf(queries.lastCommitted() ?? 0, window, (counter) => queries.tapTs(counter)),
    });
  }

  /**
   * Which campaign this tap pays, and the challenge that names it; false when none may pay a tap (the
   * campaign on screen is claimed online only, or every campaign of the config is).
   */
  private chooseChallenge(session: ActiveSession): boolean {
    const trust = this.trust;
    assert(trust !== null, 'a tap session exists only with a config');
    const queries = this.commitQueries();
    const { ts, counter } = session;
    const judge = this.judgeOf(session, trust, queries);
    const decisions = new Map<number, TapDecision>();
    const decisionOf = (c: CampaignConfig): TapDecision => {
      let decision = decisions.get(c.campaignId);
      if (decision === undefined) {
        decision = decideTap(judge, c, queries, ts);
        decisions.set(c.campaignId, decision);
      }
      return decision;
    };
    const campaign = chooseCampaign({
      campaigns: trust.campaigns,
      showingCampaignId: this.showingCampaignId(),
      rotation: counter - 1,
      withDeck: queries.campaignsWithUsableDeck(ts),
      capped: (c) => decisionOf(c).kind !== 'envelope',
      givesCoupon: (c) => decisionOf(c).kind === 'fallback',
    });
    if (campaign === undefined) return false;
    session.campaignId = campaign.campaignId;
    session.challenge = encodeChallenge({
      screenId: trust.screenId,
      counter,
      ts,
      nonce: session.nonce,
      campaignId: campaign.campaignId,
    });
    return true;
  }

  /**
   * After the phone's signature: applies local caps, draws the next envelope, signs the token and
   * commits token + counter + deck cursor + cap in one transaction. Only a committed tap returns a
   * prize; every refusal leaves the store untouched.
   */
  completeTap(session: TapSession, phoneSignature: Uint8Array): CompleteTapResult {
    const active = this.active;
    if (active === null || active.id !== session.id || !this.lease.holds(active.grant))
      return refuse(KioskCode.SESSION_STALE, 'tap session is not current (expired, abandoned or completed)');
    this.active = null;
    let committed: CommitResult;
    try {
      committed = this.commit(active, phoneSignature);
    } finally {
      this.lease.release(active.grant);
    }
    if (!committed.ok) return committed;
    return { ok: true, prize: { ...committed.prize, receiptExtra: this.receiptExtra(active) } };
  }

  /** The long receipt's extra bytes, only for a phone that answered GET DAY STATE. */
  private receiptExtra(session: ActiveSession): Uint8Array | null {
    if (!session.dayStateAnswered || this.dayStateSetup === null) return null;
    const campaign = this.trust?.campaignById.get(session.campaignId);
    return encodeReceiptExtra({
      advertiserId: campaign?.advertiserId ?? 0,
      cityKey: this.dayStateSetup.cityKey,
    });
  }

  /** The driver gave up (card removed, timeout): frees the counter for the next tap. */
  abandonTap(session: TapSession): void {
    const active = this.active;
    if (active === null || active.id !== session.id) return;
    this.active = null;
    this.lease.release(active.grant);
  }

  private commit(session: ActiveSession, phoneSignature: Uint8Array): CommitResult {
    if (!verify(SignatureLabel.challenge, session.challenge, phoneSignature, session.phoneKey))
      return refuse(ErrorCode.PHONE_SIGNATURE_INVALID, 'phone signature over the challenge does not verify');
    const trust = this.trust;
    const campaign = trust?.campaignById.get(session.campaignId);
    if (trust === null || campaign === undefined)
      return refuse(KioskCode.NO_ACTIVE_CAMPAIGN, `campaign ${session.campaignId} left the config`);
    const queries = this.commitQueries();
    const credential = session.hello.credential;
    const localDay = trust.localDay(session.ts);
    const phoneOnline = (session.hello.flags & HelloFlag.phoneOnline) !== 0 ? TapFlag.phoneOnline : 0;
    const createdAt = this.now();

    try {
      const prize = queries.transaction((): CommittedPrize => {
        const lastCommitted = queries.lastCommitted();
        if (lastCommitted !== session.counter - 1) {
          throw new CommitRefused(
            refuse(
              KioskCode.COUNTER_OVERTAKEN,
              `challenge counter ${session.counter} but last committed is ${String(lastCommitted)}`,
            ),
          );
        }
        // The shared judge decides what goes in the token (docs/protocol.md §7): cash only when the cloud
        // would credit it on what this kiosk knows, otherwise the fallback coupon from an allotment slot of
        // a deck (§3.4) only when the cloud would issue it, otherwise nothing.
        const decision = decideTap(this.judgeOf(session, trust, queries), campaign, queries, session.ts);
        const deck = decision.kind === 'envelope' ? decision.deck : undefined;
        const slot = decision.kind === 'fallback' ? decision.slot : undefined;
        let deckId = 0;
        let envelopeIndex = ENVELOPE_INDEX_NONE;
        let amountFen = 0;
        let couponOfferId = 0;
        let flags = phoneOnline;
        // The flags say why no cash was drawn: a day cap reached (localCap), or no deck to draw from.
        if (decision.withheldCode?.startsWith('CAP_') === true) flags |= TapFlag.localCap;
        else if (deck === undefined && decision.withheldCode === null) flags |= TapFlag.noDeck;
        if (deck !== undefined) {
          deckId = deck.deckId;
          envelopeIndex = deck.cursor;
          amountFen = deck.envelope.readUInt32BE(0);
          couponOfferId = deck.envelope.readUInt32BE(4);
        } else if (slot !== undefined) {
          assert(slot.envelope.readUInt32BE(0) === 0, 'an allotment slot holds no cash');
          deckId = slot.deckId;
          envelopeIndex = slot.envelopeIndex;
          couponOfferId = slot.envelope.readUInt32BE(4);
        }
        assert(Number.isInteger(amountFen) && amountFen >= 0 && amountFen <= FEN_MAX, 'amount out of range');

        const signed = signTapToken(
          {
            screenId: trust.screenId,
            counter: session.counter,
            ts: session.ts,
            nonce: session.nonce,
            campaignId: campaign.campaignId,
            walletId: credential.walletId,
            credentialSerial: credential.credentialSerial,
            phoneSignature,
            deckId,
            envelopeIndex,
            amountFen,
            couponOfferId,
            flags,
          },
          this.screenKey,
        );
        const hasEnvelope = envelopeIndex !== ENVELOPE_INDEX_NONE;
        queries.insertTap({
          counter: session.counter,
          token: Buffer.from(signed.bytes.buffer, signed.bytes.byteOffset, signed.bytes.byteLength),
          walletId: credential.walletId,
          campaignId: campaign.campaignId,
          amountFen,
          couponOfferId,
          deckId,
          envelopeIndex: hasEnvelope ? envelopeIndex : null,
          flags,
          createdAt,
        });
        assert(
          queries.advanceCounter(session.counter - 1, session.counter),
          'counter moved inside the commit',
        );
        if (slot !== undefined) {
          assert(
            queries.advanceFallback(deckId, slot.fallbackCursor),
            'allotment cursor moved inside the commit',
          );
        } else if (hasEnvelope) {
          assert(queries.advanceDeck(deckId, envelopeIndex), 'deck cursor moved inside the commit');
          if (amountFen > 0) queries.countCash(credential.walletId, campaign.campaignId, localDay);
        }
        // The cloud's coupon tally: every tap with a coupon and no cash, from a deck envelope or not.
        if (amountFen === 0 && couponOfferId !== 0)
          queries.countCoupon(credential.walletId, campaign.campaignId, localDay);
        return {
          counter: session.counter,
          walletId: credential.walletId,
          campaignId: campaign.campaignId,
          amountFen,
          couponOfferId:
            decision.kind === 'fallback'
              ? decision.verdict.couponOfferId
              : liveCoupon(campaign, couponOfferId, session.ts),
          deckId,
          envelopeIndex: hasEnvelope ? envelopeIndex : null,
          flags,
          noDeck: (flags & TapFlag.noDeck) !== 0,
          localCap: (flags & TapFlag.localCap) !== 0,
          token: signed.bytes,
          ts: session.ts,
          certainty: decision.kind === 'none' ? 'firm' : certaintyOf(decision.verdict),
        };
      });
      this.afterCommit();
      return { ok: true, prize };
    } catch (error) {
      if (error instanceof CommitRefused) return error.refusal;
      if (isStoreUnavailable(error)) return this.storeUnavailable(error);
      throw error;
    }
  }

  private afterCommit(): void {
    if (++this.tapsSinceCheckpoint < this.checkpointEveryTaps) return;
    this.tapsSinceCheckpoint = 0;
    this.defer(() => {
      if (!checkpointStore(this.store))
        this.logger.warn('WAL checkpoint failed; SQLite will retry at commit');
    });
  }

  private commitQueries(): TapCommitQueries {
    this.queries ??= prepareTapCommitQueries(this.store);
    return this.queries;
  }

  private storeUnavailable(error: unknown): Refusal {
    this.logger.error({ err: error }, 'kiosk store unavailable; tap refused with no prize');
    return refuse(ErrorCode.STORE_UNAVAILABLE, error instanceof Error ? error.message : 'store unavailable');
  }
}
