// Online claims (docs/protocol.md §7a): a signed-in wallet claims the prize of a screen's claim ticket
// (§3.8) or of a SUN sticker read. The checks run in claim order, then the shared judge decides the prize
// with the same caps, travel and screens rules as a tap, over a one-envelope "deck" drawn from the
// campaign's pool (money no deck holds), and the transfer budget → wallet is posted in the same
// transaction. First claim of an identity wins, forever; the same wallet asking again gets its result.
// Where the judge withholds the cash (past the campaign's cash cap, most often) a claim gets the
// campaign's fallback coupon from pool stock, as a kiosk tap would; cash a multi-account signal trips on
// is held for review (account-signals.ts, reviews.ts).
import { sql } from 'drizzle-orm';
import {
  applyVerdict,
  capDay,
  cityKey,
  decodeTicket,
  deckFactsOf,
  emptyWalletDay,
  ENVELOPE_INDEX_NONE,
  ErrorCode,
  importPublicKeyRaw,
  judgeTap,
  offersPath,
  TicketPath,
  verifyTicketSignature,
  type CampaignFacts,
  type NetworkRules,
  type TapFacts,
  type TapKnowledge,
  type WalletDay,
} from '@redtap/shared';
import type { Database } from '../db/client.ts';
import { int, queryRows, sqlState } from '../db/rows.ts';
import type { CampaignRules, CampaignTargeting } from '../db/schema/campaigns.ts';
import type { ClaimRowPath, ClaimStatus } from '../db/schema/claims.ts';
import { holdDecisions } from '../db/schema/money-actions.ts';
import { newCouponBody } from '../coupons/coupon-code.ts';
import { DomainError } from '../errors.ts';
import { systemLedgerAccount } from '../ledger/accounts.ts';
import { postNewTransfers } from '../ledger/post-transfers.ts';
import type { MoneySettings } from '../money-settings.ts';
import { networkRulesOf } from '../money-settings.ts';
import { campaignFactsOf } from '../redemption/campaign-facts.ts';
import { claimHoldReason, unknownOrigin, type ClaimOrigin } from './account-signals.ts';
import { screensTargeted } from './campaign-screens.ts';
import { takePoolCoupons } from './envelope-returns.ts';
import { returnRefusedCash } from './held-cash.ts';

/** Campaigns considered when the ticket's own cannot pay: the judge's fall-through, bounded. */
const FALLBACK_CAMPAIGNS_MAX = 50;
/** Namespace of the two-key advisory locks that serialise one screen's claims (rate and identity). */
const CLAIM_LOCK_NAMESPACE = 0x52544331;
/** A claim whose transaction lost a race (deadlock, serialisation, a unique key) is run again, bounded. */
const CLAIM_ATTEMPTS_MAX = 3;
const TRANSIENT_STATES = new Set(['40001', '40P01', '23505']);

async function withRetries<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      const state = sqlState(error);
      if (attempt >= CLAIM_ATTEMPTS_MAX || state === undefined || !TRANSIENT_STATES.has(state)) throw error;
    }
  }
}

/** A sticker URL's parameters: `b` (the tag's batch), `p` (PICC data) and `c` (SDMMAC), untrusted. */
export interface SunRead {
  batch: string;
  picc: string;
  cmac: string;
}
/** What the SUN verifier and tag registry answer for a sticker read (cloud/src/services/tags.ts). */
export type SunAcceptance =
  | { ok: true; uid: string; screenId: number; counter: number }
  | { ok: false; code: ErrorCode; message: string };
/** Verifies a read's MAC and advances the tag's counter, inside the claim's transaction. */
export type AcceptSunRead = (db: Database, read: SunRead) => Promise<SunAcceptance>;

export type ClaimRequest = { kind: 'ticket'; bytes: Uint8Array } | ({ kind: 'sun' } & SunRead);

export interface ClaimResult {
  claimId: number;
  status: ClaimStatus;
  /** The refusal reason when rejected; the signal when held. */
  code: string | null;
  amountFen: number;
  /** The fallback coupon's offer and title, when the claim won the campaign's coupon instead of cash. */
  couponOfferId: number | null;
  couponTitle: string | null;
  path: ClaimRowPath;
  screenId: number;
  /** The ticket's sequence; null for a sticker. */
  ticketSeq: number | null;
  campaignId: number | null;
  /** The brand that paid: the campaign's sponsor, else its advertiser's name. */
  brand: string | null;
  claimedAt: string;
  /** True when this wallet had claimed it before and this is its first result again. */
  replayed: boolean;
}

export interface ClaimDeps {
  db: Database;
  settings: MoneySettings;
  now: () => Date;
  /** Names the tag and counter of a read the registry refused as a replay (sticker-reads.ts). */
  identifySunRead?:
    ((db: Database, read: SunRead) => Promise<{ uid: string; counter: number } | null>) | undefined;
  /** The tag registry; without one a sticker claim is refused (VALIDATION_FAILED). */
  acceptSunRead?: AcceptSunRead | undefined;
}

interface ScreenRow {
  id: unknown;
  status: string;
  public_key: string | null;
  city: string;
  clock_skew_s: unknown;
}

interface ClaimRow {
  id: unknown;
  wallet_id: unknown;
  status: ClaimStatus;
  code: string | null;
  amount_fen: unknown;
  path: ClaimRowPath;
  screen_id: unknown;
  ticket_seq: unknown;
  campaign_id: unknown;
  claimed_at: Date | string;
  brand: string | null;
  coupon_offer_id: unknown;
  coupon_title: string | null;
}

interface CampaignRow {
  id: unknown;
  advertiser_id: unknown;
  budget_account_id: unknown;
  status: string;
  starts_at: unknown;
  ends_at: unknown;
  targeting: CampaignTargeting | string;
  rules: CampaignRules | string;
}

const parsed = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);
const refuse = (code: ErrorCode, message: string) => new DomainError(code, message);

/**
 * The screen's clock as its heartbeats last reported it (`screen_health.clock_skew_s`, cloud − kiosk),
 * trusted within ±claimClockSkewMaxS; 0 for a screen never heard from.
 */
export function trustedSkewS(
  reported: number | null,
  settings: Pick<MoneySettings, 'claimClockSkewMaxS'>,
): number {
  if (reported === null) return 0;
  return Math.max(-settings.claimClockSkewMaxS, Math.min(settings.claimClockSkewMaxS, reported));
}

/** Freshness of a ticket dated `ts` on a screen whose clock runs `skewS` behind the cloud's. */
export function ticketFreshness(
  ts: number,
  nowS: number,
  skewS: number,
  settings: Pick<MoneySettings, 'claimTicketAgeMaxS' | 'clockFutureMaxS'>,
): ErrorCode | null {
  const ageS = nowS - (ts + skewS);
  if (ageS > settings.claimTicketAgeMaxS) return ErrorCode.TICKET_EXPIRED;
  if (-ageS > settings.clockFutureMaxS) return ErrorCode.TICKET_FROM_FUTURE;
  return null;
}

async function loadScreen(db: Database, screenId: number): Promise<ScreenRow | undefined> {
  const [row] = await queryRows<ScreenRow>(
    db,
    sql`select s.id, s.status, s.public_key, s.city, h.clock_skew_s
        from screens s left join screen_health h on h.screen_id = s.id where s.id = ${screenId}`,
  );
  return row;
}

/** A ticket's claim key (unique in `claims`, schema/claims.ts): first claim of it wins. */
export function ticketClaimKey(screenId: number, ticketSeq: number): string {
  return `t:${screenId}:${ticketSeq}`;
}

async function findClaim(db: Database, claimKey: string): Promise<ClaimRow | undefined> {
  const [row] = await queryRows<ClaimRow>(
    db,
    sql`select c.id, c.wallet_id, c.status, c.code, c.amount_fen, c.path, c.screen_id, c.ticket_seq,
               c.campaign_id, c.claimed_at, coalesce(nullif(k.sponsor, ''), a.name) as brand,
               c.coupon_offer_id, o.title as coupon_title
        from claims c left join campaigns k on k.id = c.campaign_id
        left join advertisers a on a.id = k.advertiser_id
        left join coupon_offers o on o.id = c.coupon_offer_id
        where c.claim_key = ${claimKey}`,
  );
  return row;
}

function resultOf(row: ClaimRow, replayed: boolean): ClaimResult {
  return {
    claimId: int(row.id),
    status: row.status,
    code: row.code,
    amountFen: int(row.amount_fen),
    couponOfferId: row.coupon_offer_id === null ? null : int(row.coupon_offer_id),
    couponTitle: row.coupon_title,
    path: row.path,
    screenId: int(row.screen_id),
    ticketSeq: row.ticket_seq === null ? null : int(row.ticket_seq),
    campaignId: row.campaign_id === null ? null : int(row.campaign_id),
    brand: row.brand,
    claimedAt: new Date(row.claimed_at).toISOString(),
    replayed,
  };
}

/** What a claim is about once its signature (or SUN MAC) has been checked. */
interface AuthenticClaim {
  claimKey: string;
  screen: ScreenRow;
  screenId: number;
  path: ClaimRowPath;
  ticketSeq: number | null;
  tagUid: string | null;
  sunCounter: number | null;
  /** Screen clock for a ticket; the cloud's for a sticker (a tag has no clock). */
  ts: number;
  skewS: number;
  campaignId: number;
}

/**
 * Claims a ticket or sticker read for `walletId` (docs/protocol.md §7a). Refusals before the judge
 * (forged, revoked, stale, claimed by another wallet, rate) throw a DomainError and record nothing;
 * the judge's result is recorded and answered, refusals included, so the identity is used once. `origin`
 * (the client address and the web wallet's device cookie) feeds the multi-account signals.
 */
export async function claimPrize(
  deps: ClaimDeps,
  walletId: number,
  request: ClaimRequest,
  origin: ClaimOrigin = unknownOrigin,
): Promise<ClaimResult> {
  const now = deps.now();
  const nowS = Math.floor(now.getTime() / 1000);
  if (request.kind === 'ticket') {
    const claim = await authenticTicket(deps, request.bytes);
    // The same wallet asking again gets its first result, however late (idempotent per ticket).
    const first = await findClaim(deps.db, claim.claimKey);
    if (first !== undefined && int(first.wallet_id) === walletId) return resultOf(first, true);
    checkScreenAndClock(claim, nowS, deps.settings);
    return withRetries(() =>
      deps.db.transaction((tx) => settleClaim(tx, deps, walletId, claim, now, origin)),
    );
  }
  const accept = deps.acceptSunRead;
  if (accept === undefined) throw refuse(ErrorCode.VALIDATION_FAILED, 'sticker claims are not taken here');
  return withRetries(() =>
    deps.db.transaction(async (tx) => {
      // The read's MAC and counter (claim order 1): its counter advances with the claim, or not at all.
      const sunRead = { batch: request.batch, picc: request.picc, cmac: request.cmac };
      const read = await accept(tx, sunRead);
      if (!read.ok && read.code === ErrorCode.SUN_COUNTER_REPLAYED) {
        // A read already taken: its claim answers the same wallet again, and refuses any other.
        const known = await deps.identifySunRead?.(tx, sunRead);
        const first =
          known === null || known === undefined
            ? undefined
            : await findClaim(tx, `s:${known.uid.toLowerCase()}:${known.counter}`);
        if (first !== undefined && int(first.wallet_id) === walletId) return resultOf(first, true);
        if (first !== undefined)
          throw refuse(ErrorCode.TICKET_ALREADY_CLAIMED, 'another wallet claimed this read first');
      }
      if (!read.ok) throw refuse(read.code, read.message);
      const screen = await loadScreen(tx, read.screenId);
      if (screen === undefined) throw refuse(ErrorCode.SCREEN_UNKNOWN, 'the sticker names no screen');
      const claim: AuthenticClaim = {
        claimKey: `s:${read.uid.toLowerCase()}:${read.counter}`,
        screen,
        screenId: read.screenId,
        path: 'sticker',
        ticketSeq: null,
        tagUid: read.uid.toLowerCase(),
        sunCounter: read.counter,
        ts: nowS,
        skewS: 0,
        campaignId: 0,
      };
      const first = await findClaim(tx, claim.claimKey);
      if (first !== undefined && int(first.wallet_id) === walletId) return resultOf(first, true);
      checkScreenAndClock(claim, nowS, deps.settings);
      return settleClaim(tx, deps, walletId, claim, now, origin);
    }),
  );
}

/** Claim order 1–2: the ticket's form and its screen's signature. */
async function authenticTicket(deps: ClaimDeps, bytes: Uint8Array): Promise<AuthenticClaim> {
  const decoded = decodeTicket(bytes);
  if (!decoded.ok) throw refuse(decoded.code, decoded.message);
  const ticket = decoded.value;
  const screen = await loadScreen(deps.db, ticket.screenId);
  // An unknown screen or one without a key cannot have signed it: nobody learns which screens exist.
  const keyHex = screen?.public_key ?? null;
  const key = keyHex === null ? null : importPublicKeyRaw(Buffer.from(keyHex, 'hex'));
  if (screen === undefined || key === null || !key.ok || !verifyTicketSignature(bytes, key.value))
    throw refuse(ErrorCode.TICKET_FORGED, "the ticket's screen signature does not verify");
  return {
    claimKey: ticketClaimKey(ticket.screenId, ticket.ticketSeq),
    screen,
    screenId: ticket.screenId,
    path: ticket.path === TicketPath.readerTag ? 'reader_tag' : 'qr',
    ticketSeq: ticket.ticketSeq,
    tagUid: null,
    sunCounter: null,
    ts: ticket.ts,
    skewS: trustedSkewS(screen.clock_skew_s === null ? null : int(screen.clock_skew_s), deps.settings),
    campaignId: ticket.campaignId,
  };
}

/** Claim order 3–4: the screen is not revoked, and the ticket is fresh on the screen's clock. */
function checkScreenAndClock(claim: AuthenticClaim, nowS: number, settings: MoneySettings): void {
  if (claim.screen.status === 'revoked') throw refuse(ErrorCode.SCREEN_REVOKED, 'the screen is revoked');
  if (claim.screen.status !== 'active') throw refuse(ErrorCode.SCREEN_UNKNOWN, 'the screen is not active');
  const stale = ticketFreshness(claim.ts, nowS, claim.skewS, settings);
  if (stale === ErrorCode.TICKET_EXPIRED)
    throw refuse(stale, `tickets can be claimed for ${settings.claimTicketAgeMaxS} s`);
  if (stale !== null) throw refuse(stale, "the ticket is dated ahead of the screen's clock");
}

/** A campaign the claim may be paid by, loaded with what the judge reads. */
interface Candidate {
  row: CampaignRow;
  rules: CampaignRules;
  facts: CampaignFacts;
}

function candidateOf(row: CampaignRow): Candidate {
  const rules = parsed(row.rules);
  return {
    row,
    rules,
    // Claims pay cash only: no coupon is issued, so the judge reads no offer.
    facts: campaignFactsOf(row, rules, 'claim'),
  };
}

/**
 * The campaigns that may pay, in order: the ticket's own when it targets the screen, runs at `ts` and
 * offers the path; then, when it names none or chose fall-through, the others that do. Also the refusal
 * to give when none can: the path not offered by the ticket's campaign, else nothing to pay with.
 */
async function candidatesFor(
  tx: Database,
  claim: AuthenticClaim,
): Promise<{ candidates: Candidate[]; refusal: ErrorCode }> {
  const payable = async (candidate: Candidate): Promise<boolean> =>
    candidate.row.status === 'active' &&
    candidate.facts.startsAt <= claim.ts + claim.skewS &&
    claim.ts + claim.skewS < candidate.facts.endsAt &&
    (await screensTargeted(tx, int(candidate.row.id), [claim.screenId])).has(claim.screenId);
  let refusal: ErrorCode = ErrorCode.CAMPAIGN_EXHAUSTED;
  const candidates: Candidate[] = [];
  let fallThrough = true;
  if (claim.campaignId !== 0) {
    const [row] = await queryRows<CampaignRow>(
      tx,
      sql`select id, advertiser_id, budget_account_id, status, starts_at, ends_at, targeting, rules
          from campaigns where id = ${claim.campaignId}`,
    );
    if (row !== undefined) {
      const own = candidateOf(row);
      fallThrough = own.rules.fallThrough === true;
      if (await payable(own)) {
        if (offersPath(own.rules, claim.path)) candidates.push(own);
        else refusal = ErrorCode.CLAIM_PATH_NOT_OFFERED;
      }
    }
  }
  if (!fallThrough) return { candidates, refusal };
  const others = await queryRows<CampaignRow>(
    tx,
    sql`select id, advertiser_id, budget_account_id, status, starts_at, ends_at, targeting, rules
        from campaigns where status = 'active' and id <> ${claim.campaignId}
          and starts_at <= ${claim.ts + claim.skewS} and ends_at > ${claim.ts + claim.skewS}
        order by id limit ${FALLBACK_CAMPAIGNS_MAX}`,
  );
  for (const row of others) {
    const other = candidateOf(row);
    if (offersPath(other.rules, claim.path) && (await payable(other))) candidates.push(other);
  }
  return { candidates, refusal };
}

/** The wallet's counts for the claim's cap day, as redemption keeps them (wallet_day_totals). */
async function loadWalletDay(tx: Database, walletId: number, day: string): Promise<WalletDay> {
  const walletDay: WalletDay = {
    ...emptyWalletDay(),
    couponTimesByCampaign: new Map(),
    fallbacksByCampaign: new Map(),
  };
  const totals = await queryRows<{
    campaign_id: unknown;
    advertiser_id: unknown;
    cash_count: unknown;
    cash_fen: unknown;
    coupon_count: unknown;
    fallback_count: unknown;
  }>(
    tx,
    sql`select campaign_id, advertiser_id, cash_count, cash_fen, coupon_count, fallback_count
        from wallet_day_totals where wallet_id = ${walletId} and tap_day = ${day}::date`,
  );
  const bump = (map: Map<number, number>, key: number, by: number) => map.set(key, (map.get(key) ?? 0) + by);
  for (const row of totals) {
    const cashCount = int(row.cash_count);
    walletDay.cashCount += cashCount;
    walletDay.cashFen += int(row.cash_fen);
    bump(walletDay.cashByCampaign, int(row.campaign_id), cashCount);
    bump(walletDay.couponsByCampaign, int(row.campaign_id), int(row.coupon_count));
    if (walletDay.fallbacksByCampaign !== undefined)
      bump(walletDay.fallbacksByCampaign, int(row.campaign_id), int(row.fallback_count));
    if (row.advertiser_id !== null) bump(walletDay.cashByAdvertiser, int(row.advertiser_id), cashCount);
  }
  const screens = await queryRows<{ screen_id: unknown }>(
    tx,
    sql`select screen_id from wallet_day_screens
        where wallet_id = ${walletId} and tap_day = ${day}::date and cash_count > 0`,
  );
  for (const row of screens) walletDay.cashScreens.add(int(row.screen_id));
  return walletDay;
}

interface Decision {
  status: ClaimStatus;
  code: string | null;
  amountFen: number;
  campaignId: number | null;
  advertiserId: number | null;
  /** The fallback coupon to issue once the claim has its id (its coupon's key, see issueClaimCoupon). */
  coupon: { offerId: number; validUntil: number } | null;
}

/** Claim order 5–8 under the screen's claim lock and the wallet's lock; records the result. */
async function settleClaim(
  tx: Database,
  deps: ClaimDeps,
  walletId: number,
  claim: AuthenticClaim,
  now: Date,
  origin: ClaimOrigin,
): Promise<ClaimResult> {
  const settings = deps.settings;
  const rules = networkRulesOf(settings);
  const nowS = Math.floor(now.getTime() / 1000);
  // One screen's claims in turn (identity and rate), then the wallet's lock shared with redemption
  // (redeem-group.ts: key walletId·2+1), so a claim and a tap batch never judge one wallet's caps at once.
  await tx.execute(
    sql`select pg_advisory_xact_lock(${CLAIM_LOCK_NAMESPACE}::int, hashtext(${`screen:${claim.screenId}`}))`,
  );
  await tx.execute(sql`select pg_advisory_xact_lock(${walletId * 2 + 1}::bigint)`);

  const first = await findClaim(tx, claim.claimKey);
  if (first !== undefined) {
    if (int(first.wallet_id) === walletId) return resultOf(first, true);
    throw refuse(ErrorCode.TICKET_ALREADY_CLAIMED, 'another wallet claimed this first');
  }
  const [recent] = await queryRows<{ n: unknown }>(
    tx,
    sql`select count(*) as n from claims
        where screen_id = ${claim.screenId} and claimed_at > ${new Date(now.getTime() - 60_000).toISOString()}::timestamptz`,
  );
  if (int(recent?.n ?? 0) >= settings.claimsPerScreenPerMinuteMax)
    throw refuse(ErrorCode.CLAIM_RATE_LIMITED, 'the screen has had its claims for this minute');

  const day = capDay(claim.ts, rules);
  const decision = await judgeClaim(tx, walletId, claim, day, rules, now, settings, origin);
  const [row] = await queryRows<{ id: unknown }>(
    tx,
    sql`insert into claims (claim_key, screen_id, ticket_seq, tag_uid, sun_counter, wallet_id, campaign_id,
          advertiser_id, path, status, code, amount_fen, coupon_offer_id, tap_ts, tap_day, city, claimed_at,
          client_ip, device_id)
        values (${claim.claimKey}, ${claim.screenId}, ${claim.ticketSeq}, ${claim.tagUid}, ${claim.sunCounter},
          ${walletId}, ${decision.campaignId}, ${decision.advertiserId}, ${claim.path}, ${decision.status},
          ${decision.code}, ${decision.amountFen}, ${decision.coupon?.offerId ?? null}, ${claim.ts}, ${day}::date,
          ${claim.screen.city}, ${now.toISOString()}::timestamptz, ${origin.clientIp}, ${origin.deviceId})
        returning id`,
  );
  if (row === undefined) throw new Error('claim insert returned no row');
  if (decision.coupon !== null && decision.campaignId !== null)
    await issueClaimCoupon(tx, {
      claimId: int(row.id),
      walletId,
      campaignId: decision.campaignId,
      screenId: claim.screenId,
      day,
      now,
      ...decision.coupon,
    });
  // The kiosk turns its QR over at once; published after commit by the dispatcher (claim-notices.ts).
  if (claim.ticketSeq !== null)
    await tx.execute(
      sql`insert into claim_notices (screen_id, payload, created_at)
          values (${claim.screenId}, ${JSON.stringify({ ticketSeq: claim.ticketSeq, claimedAt: nowS })}::jsonb,
            ${now.toISOString()}::timestamptz)`,
    );
  const recorded = await findClaim(tx, claim.claimKey);
  if (recorded === undefined) throw new Error('the claim just recorded is missing');
  return resultOf(recorded, false);
}

/**
 * The prize: for each campaign that may pay, one cash envelope of its pool (skip locked, so a deck being
 * cut or another claim never waits on it) judged by the shared judge as a one-envelope deck. A credited
 * verdict takes the envelope's cash out of the pool and pays it budget → wallet; a refusal leaves the pool
 * as it was. Caps and fraud state are updated as redemption updates them.
 */
async function judgeClaim(
  tx: Database,
  walletId: number,
  claim: AuthenticClaim,
  day: string,
  rules: NetworkRules,
  now: Date,
  settings: MoneySettings,
  origin: ClaimOrigin,
): Promise<Decision> {
  const nowS = Math.floor(now.getTime() / 1000);
  const { candidates, refusal } = await candidatesFor(tx, claim);
  const walletDay = await loadWalletDay(tx, walletId, day);
  const [travelRow] = await queryRows<{ last_ts: unknown; last_city: string; last_screen_id: unknown }>(
    tx,
    sql`select last_ts, last_city, last_screen_id from wallet_tap_state where wallet_id = ${walletId}`,
  );
  const travel = {
    lastTap:
      travelRow === undefined
        ? null
        : {
            ts: int(travelRow.last_ts),
            cityKey: cityKey(travelRow.last_city),
            screenId: int(travelRow.last_screen_id),
          },
  };
  // The multi-account signals decide whether cash is paid or held for review (account-signals.ts).
  const holdReason = await claimHoldReason(tx, { walletId, origin, now }, settings);
  const holdAccountId = holdReason === null ? null : await systemLedgerAccount(tx, 'review_hold');
  const tapCityKey = cityKey(claim.screen.city);
  let lastRefusal: Decision = {
    status: 'rejected',
    code: refusal,
    amountFen: 0,
    campaignId: claim.campaignId === 0 ? null : claim.campaignId,
    advertiserId: null,
    coupon: null,
  };
  for (const candidate of candidates) {
    const campaignId = candidate.facts.campaignId;
    // Held while the claim pays: the campaign cannot end (refunding its budget) or cut a deck meanwhile.
    const [still] = await queryRows<{ status: string }>(
      tx,
      sql`select status from campaigns where id = ${campaignId} for share`,
    );
    if (still?.status !== 'active') continue;
    // The budget, the wallet's cash account and (when held) the review hold in id order, as every posting
    // takes them, before the envelope: that one is taken skip locked, so a claim never waits while it
    // holds a pool row.
    const walletAccountId = await walletCashAccount(tx, walletId);
    const accounts = [
      int(candidate.row.budget_account_id),
      walletAccountId,
      holdAccountId ?? walletAccountId,
    ];
    await tx.execute(
      sql`select id from ledger_accounts
          where id in (${accounts[0]}, ${accounts[1]}, ${accounts[2]}) order by id for update`,
    );
    const [envelope] = await queryRows<{ position: unknown; amount_fen: unknown; coupon_offer_id: unknown }>(
      tx,
      sql`select position, amount_fen, coupon_offer_id from campaign_envelopes
          where campaign_id = ${campaignId} and deck_id is null and amount_fen > 0
          order by position limit 1 for update skip locked`,
    );
    const refusedHere = (code: string): Decision => ({
      status: 'rejected',
      code,
      amountFen: 0,
      campaignId,
      advertiserId: candidate.facts.advertiserId,
      coupon: null,
    });
    const tap: TapFacts = {
      screenId: claim.screenId,
      counter: claim.ticketSeq ?? claim.sunCounter ?? 0,
      ts: claim.ts,
      campaignId,
      walletId,
      deckId: 0,
      envelopeIndex: 0,
      amountFen: envelope === undefined ? 0 : int(envelope.amount_fen),
      couponOfferId: 0,
      // Judged on the screen's clock, as a kiosk judges its own taps.
      receivedAt: nowS - claim.skewS,
      cityKey: tapCityKey,
      priorCode: null,
    };
    const knowledge: TapKnowledge = {
      walletDay,
      travel,
      campaign: candidate.facts,
      // The envelope is the campaign's, valid while it runs; it was never in a deck, so no order rule.
      deck: deckFactsOf({
        deckId: 0,
        campaignId,
        screenId: claim.screenId,
        validFrom: candidate.facts.startsAt,
        validUntil: candidate.facts.endsAt,
        envelopes: [[tap.amountFen, 0]],
        fallbackCount: 0,
        used: () => false,
        status: 'open',
        closedUsedCount: null,
        lastCounter: 0,
        lastEnvelopeIndex: 0,
      }),
      targetsScreen: true,
      fallbackPool: { available: 0 },
      credentialIssuedAt: null,
      // The screen's tap counter rules do not apply to tickets: the per-screen claim rate bounds them.
      screen: { counterMax: tap.counter, tsAtCounterMax: claim.ts, windowCounter: 0, windowTs: claim.ts },
    };
    if (envelope === undefined) {
      lastRefusal = refusedHere(ErrorCode.CAMPAIGN_EXHAUSTED);
      continue;
    }
    const amountFen = tap.amountFen;
    const verdict = judgeTap(tap, knowledge, rules);
    if (verdict.status !== 'credited') {
      // A hold needs a deck's counters, which a claim never has; were one to come, it is a refusal.
      lastRefusal = refusedHere(verdict.code ?? ErrorCode.INTERNAL);
      // Where the judge withholds the cash (a cash cap, most often the campaign's), a kiosk gives the
      // campaign's fallback coupon when the judge would issue it (tap-engine decideTap, §5.5); so does a
      // claim.
      const coupon = await fallbackCoupon(tx, { candidate, tap, knowledge, rules, day });
      if (coupon !== null) return coupon;
      // The wallet's caps are its own: another campaign is judged by the same ones, so go on only when
      // this refusal is the campaign's (its own cap).
      if (verdict.code !== ErrorCode.CAP_CAMPAIGN_WALLET) break;
      continue;
    }
    applyVerdict(knowledge, tap, verdict, rules);
    await payEnvelope(tx, {
      walletId,
      campaignId,
      advertiserId: candidate.facts.advertiserId,
      budgetAccountId: int(candidate.row.budget_account_id),
      creditAccountId: holdAccountId ?? walletAccountId,
      held: holdAccountId !== null,
      position: int(envelope.position),
      keepsCoupon: int(envelope.coupon_offer_id) !== 0,
      amountFen,
      claim,
      day,
    });
    return {
      status: holdReason === null ? 'credited' : 'held',
      code: holdReason,
      amountFen,
      campaignId,
      advertiserId: candidate.facts.advertiserId,
      coupon: null,
    };
  }
  return lastRefusal;
}

/**
 * The campaign's fallback coupon for a claim whose cash the judge refused, judged by the shared judge as
 * the deck-less coupon tap a kiosk would send (§7: the coupon cap, the offer, the pool's stock). The coupon
 * is taken off one pool envelope of the offer (money and coupons no deck holds, skip locked), so decks,
 * taps and claims together never issue more than the stock. Null when none can be given.
 */
async function fallbackCoupon(
  tx: Database,
  input: { candidate: Candidate; tap: TapFacts; knowledge: TapKnowledge; rules: NetworkRules; day: string },
): Promise<Decision | null> {
  const { candidate, tap, knowledge, rules, day } = input;
  const offerId = candidate.facts.fallbackCouponOfferId;
  const campaignId = candidate.facts.campaignId;
  if (offerId === 0) return null;
  const [offer] = await queryRows<{ valid_until: unknown; validity_days: unknown }>(
    tx,
    sql`select valid_until, validity_days from coupon_offers where id = ${offerId} and campaign_id = ${campaignId}`,
  );
  if (offer === undefined) return null;
  const [stock] = await queryRows<{ position: unknown }>(
    tx,
    sql`select position from campaign_envelopes
        where campaign_id = ${campaignId} and coupon_offer_id = ${offerId} and deck_id is null
        order by position desc limit 1 for update skip locked`,
  );
  const couponTap: TapFacts = {
    ...tap,
    envelopeIndex: ENVELOPE_INDEX_NONE,
    amountFen: 0,
    couponOfferId: offerId,
  };
  const verdict = judgeTap(
    couponTap,
    {
      ...knowledge,
      campaign: { ...candidate.facts, offers: new Map([[offerId, { validUntil: int(offer.valid_until) }]]) },
      deck: null,
      fallbackPool: { available: stock === undefined ? 0 : 1 },
    },
    rules,
  );
  // An offer past its validUntil issues nothing (the judge's issuedOffer): no stock is taken for it.
  if (verdict.status !== 'credited' || verdict.couponOfferId === 0 || stock === undefined) return null;
  await takePoolCoupons(tx, [int(stock.position)]);
  await tx.execute(
    sql`insert into wallet_day_totals (wallet_id, tap_day, campaign_id, advertiser_id, cash_count, cash_fen,
          coupon_count, coupon_tap_ts, fallback_count)
        values (${tap.walletId}, ${day}::date, ${campaignId}, ${candidate.facts.advertiserId}, 0, 0, 1,
          ${`{${tap.ts}}`}::bigint[], 1)
        on conflict (wallet_id, tap_day, campaign_id) do update set
          coupon_count = wallet_day_totals.coupon_count + 1,
          coupon_tap_ts = wallet_day_totals.coupon_tap_ts || excluded.coupon_tap_ts,
          fallback_count = wallet_day_totals.fallback_count + 1,
          advertiser_id = coalesce(wallet_day_totals.advertiser_id, excluded.advertiser_id)`,
  );
  return {
    status: 'credited',
    code: null,
    amountFen: 0,
    campaignId,
    advertiserId: candidate.facts.advertiserId,
    coupon: {
      offerId,
      validUntil: Math.min(int(offer.valid_until), tap.ts + int(offer.validity_days) * 86_400),
    },
  };
}

/**
 * Issues a claim's fallback coupon. Its (screen, counter) key is minus the claim's id: tap counters are
 * u32, so it never takes a tap's key, and the claim's identity makes it unique.
 */
async function issueClaimCoupon(
  tx: Database,
  input: {
    claimId: number;
    walletId: number;
    campaignId: number;
    screenId: number;
    day: string;
    now: Date;
    offerId: number;
    validUntil: number;
  },
): Promise<void> {
  await tx.execute(
    sql`insert into coupons (code, wallet_id, coupon_offer_id, campaign_id, screen_id, counter, tap_day, issued_at, valid_until)
        values (${newCouponBody()}, ${input.walletId}, ${input.offerId}, ${input.campaignId}, ${input.screenId},
          ${-input.claimId}, ${input.day}::date, ${input.now.toISOString()}::timestamptz, ${input.validUntil})`,
  );
}

async function walletCashAccount(tx: Database, walletId: number): Promise<number> {
  const [wallet] = await queryRows<{ ledger_account_id: unknown }>(
    tx,
    sql`select ledger_account_id from wallets where id = ${walletId}`,
  );
  if (wallet === undefined) throw refuse(ErrorCode.NOT_FOUND, 'no such wallet');
  return int(wallet.ledger_account_id);
}

/**
 * Moves the envelope's cash out of the pool to the wallet (or, held, to the review hold) and counts it as
 * redemption counts a tap: a held tap counts against the day's caps until it is refused.
 */
async function payEnvelope(
  tx: Database,
  input: {
    walletId: number;
    campaignId: number;
    advertiserId: number;
    budgetAccountId: number;
    /** The wallet's cash account, or the review hold when a signal held the claim. */
    creditAccountId: number;
    held: boolean;
    position: number;
    keepsCoupon: boolean;
    amountFen: number;
    claim: AuthenticClaim;
    day: string;
  },
): Promise<void> {
  const { walletId, claim, day } = input;
  // The pool's cash equals the budget's balance (checkLedger): the envelope's cash leaves both. A coupon
  // it carried stays in the pool for a deck, as a coupon-only envelope.
  if (input.keepsCoupon)
    await tx.execute(sql`update campaign_envelopes set amount_fen = 0 where position = ${input.position}`);
  else await tx.execute(sql`delete from campaign_envelopes where position = ${input.position}`);
  const posted = await postNewTransfers(tx, [
    {
      debitAccountId: input.budgetAccountId,
      creditAccountId: input.creditAccountId,
      amountFen: input.amountFen,
      code: input.held ? 'claim_hold' : 'claim',
      reference: `claim:${claim.claimKey}`,
    },
  ]);
  // The budget holds every pooled envelope's cash, so a refusal is a broken invariant.
  if (!posted.ok) throw new Error(`claim transfer refused: ${JSON.stringify(posted)}`);
  await tx.execute(
    sql`insert into wallet_day_totals (wallet_id, tap_day, campaign_id, advertiser_id, cash_count, cash_fen,
          coupon_count, coupon_tap_ts, fallback_count)
        values (${walletId}, ${day}::date, ${input.campaignId}, ${input.advertiserId}, 1, ${input.amountFen}, 0,
          '{}'::bigint[], 0)
        on conflict (wallet_id, tap_day, campaign_id) do update set
          cash_count = wallet_day_totals.cash_count + 1,
          cash_fen = wallet_day_totals.cash_fen + excluded.cash_fen,
          advertiser_id = coalesce(wallet_day_totals.advertiser_id, excluded.advertiser_id)`,
  );
  await tx.execute(
    sql`insert into wallet_day_screens (wallet_id, tap_day, screen_id, cash_count)
        values (${walletId}, ${day}::date, ${claim.screenId}, 1)
        on conflict (wallet_id, tap_day, screen_id) do update set
          cash_count = wallet_day_screens.cash_count + 1`,
  );
  // Travel follows the latest cash by its own time (judge.ts applyVerdict).
  await tx.execute(
    sql`insert into wallet_tap_state (wallet_id, last_ts, last_city, last_screen_id)
        values (${walletId}, ${claim.ts}, ${claim.screen.city}, ${claim.screenId})
        on conflict (wallet_id) do update set last_ts = excluded.last_ts, last_city = excluded.last_city,
          last_screen_id = excluded.last_screen_id
        where wallet_tap_state.last_ts <= excluded.last_ts`,
  );
}

/**
 * An operator's decision on a claim a multi-account signal held (reviews.ts calls it for a held claim's
 * id, which shares the redemptions' sequence): release pays the review hold to the wallet, once; refuse
 * returns it to the campaign (the pool and budget, or the advertiser once the campaign ended) and takes
 * the claim back out of the wallet's day counts. Runs in the caller's transaction.
 */
export async function reviewHeldClaim(
  tx: Database,
  input: { claimId: number; decision: 'release' | 'refuse'; now: Date; decidedBy?: number | null },
): Promise<{ id: number; status: 'released' | 'refused'; amountFen: number } | null> {
  const [row] = await queryRows<{
    status: string;
    amount_fen: unknown;
    wallet_id: unknown;
    campaign_id: unknown;
    screen_id: unknown;
    tap_day: string;
    wallet_account: unknown;
    budget_account: unknown;
    wallet_revoked: boolean | null;
  }>(
    tx,
    sql`select c.status, c.amount_fen, c.wallet_id, c.campaign_id, c.screen_id, c.tap_day::text as tap_day,
               w.ledger_account_id as wallet_account, k.budget_account_id as budget_account,
               w.revoked_at is not null as wallet_revoked
        from claims c left join campaigns k on k.id = c.campaign_id
        left join wallets w on w.id = c.wallet_id
        where c.id = ${input.claimId} for update of c`,
  );
  if (row === undefined) return null;
  if (row.status !== 'held')
    throw new DomainError(ErrorCode.CONFLICT, `the claim is ${row.status}, not held`);
  const release = input.decision === 'release';
  // A revoked wallet is a cloned or stolen phone: nothing moves money to it any more (wallets.ts).
  if (release && row.wallet_revoked === true)
    throw new DomainError(ErrorCode.WALLET_REVOKED, 'the wallet was revoked; refuse the hold instead');
  const amountFen = int(row.amount_fen);
  const credit = release ? row.wallet_account : row.budget_account;
  if (credit === null) throw new DomainError(ErrorCode.CONFLICT, 'the wallet or campaign no longer exists');
  if (amountFen > 0) {
    const hold = await systemLedgerAccount(tx, 'review_hold');
    const posted = await postNewTransfers(tx, [
      {
        debitAccountId: hold,
        creditAccountId: int(credit),
        amountFen,
        code: release ? 'release_hold' : 'refuse_hold',
        reference: `claim:${input.claimId}`,
      },
    ]);
    if (!posted.ok) throw new Error(`hold transfer refused: ${JSON.stringify(posted)}`);
  }
  // Refused cash goes back as a refused tap's does.
  if (!release && amountFen > 0)
    await returnRefusedCash(tx, {
      campaignId: int(row.campaign_id),
      walletId: int(row.wallet_id),
      screenId: int(row.screen_id),
      tapDay: row.tap_day,
      amountFen,
    });
  const status = release ? 'released' : 'refused';
  await tx.execute(
    sql`update claims set status = ${status}, reviewed_at = ${input.now.toISOString()}::timestamptz,
          amount_fen = ${release ? amountFen : 0}
        where id = ${input.claimId}`,
  );
  // Claims share the redemptions' ids, so one decisions table keys both.
  await tx.insert(holdDecisions).values({
    redemptionId: input.claimId,
    decision: input.decision,
    amountFen,
    decidedBy: input.decidedBy ?? null,
    decidedAt: input.now,
  });
  return { id: input.claimId, status, amountFen };
}
