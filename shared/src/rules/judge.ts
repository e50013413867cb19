// The one judge of a tap (docs/protocol.md §7 steps 5–7): pure and synchronous, made of one small step
// per rule group, over knowledge a tier loaded before (rules/knowledge.ts). The cloud judges with full
// knowledge and its verdict is final; the kiosk judges the same way with what it knows, and a verdict
// that rests on something it does not know is not `certain`. Steps 1–4 (format, signatures, the
// credential) come before, as `priorCode`; recording and moving money come after, from the verdict.
import { offersPath } from '../campaign-body.ts';
import { assert, ErrorCode } from '../errors.ts';
import { ENVELOPE_INDEX_NONE } from '../wire/envelope-index.ts';
import type { CampaignFacts, DeckFacts, TapFacts, TapKnowledge, WalletDay } from './knowledge.ts';
import type { NetworkRules } from './network-rules.ts';

export type StepResult =
  | { kind: 'pass' }
  | { kind: 'refuse'; code: ErrorCode }
  | { kind: 'hold'; code: ErrorCode }
  /** The step could not rule: what it lacked. The judge goes on as if it passed. */
  | { kind: 'unknown'; missing: string };

export interface Verdict {
  status: 'credited' | 'held' | 'rejected';
  /** The refusal or hold reason; null when credited. */
  code: ErrorCode | null;
  /** Cash that leaves escrow for the wallet (credited) or the review hold (held); 0 when rejected. */
  amountFen: number;
  /** The coupon offer issued now (0 = none): a held tap's coupon waits for its release. */
  couponOfferId: number;
  /** The envelope passed the deck step and leaves escrow, whatever the result. */
  consumed: boolean;
  /** The envelope is one of the deck's fallback-coupon allotment slots. */
  allotment: boolean;
  /** A deck-less tap whose fallback coupon is taken from the campaign's pool stock. */
  poolCoupon: boolean;
  /** The campaign the tap counts for (the deck's, when it names an envelope). */
  campaignId: number;
  advertiserId: number | null;
  /**
   * False when a step that could change the outcome (status, cash, coupon) could not rule. A certain
   * refusal's code may still be another rule's on fuller knowledge: two caps can both be reached.
   */
  certain: boolean;
  /** What those steps lacked. */
  unknown: string[];
}

const pass: StepResult = { kind: 'pass' };
const refuse = (code: ErrorCode): StepResult => ({ kind: 'refuse', code });
const hold = (code: ErrorCode): StepResult => ({ kind: 'hold', code });
const unknown = (missing: string): StepResult => ({ kind: 'unknown', missing });

/** Campaign states in which a fallback coupon may still be issued for a tap made while it ran. */
const FALLBACK_CAMPAIGN_STATUSES = new Set(['active', 'paused']);

export function hasEnvelope(tap: Pick<TapFacts, 'envelopeIndex'>): boolean {
  return tap.envelopeIndex !== ENVELOPE_INDEX_NONE;
}

/** Envelopes [count − fallbackCount, count) of a deck are its fallback-coupon allotment (§3.4). */
export function isAllotmentSlot(
  deck: Pick<DeckFacts, 'envelopeCount' | 'fallbackCount'>,
  index: number,
): boolean {
  return index >= deck.envelopeCount - deck.fallbackCount && index < deck.envelopeCount;
}

/** Step 5, the deck: for a tap with an envelope, whether it may be consumed; without, what it may carry. */
export function deckStep(tap: TapFacts, knowledge: TapKnowledge): StepResult {
  const { deck, campaign } = knowledge;
  if (hasEnvelope(tap)) {
    if (deck === null) return refuse(ErrorCode.DECK_UNKNOWN);
    assert(deck.deckId === tap.deckId, 'deckStep: knowledge of another deck');
    if (deck.screenId !== tap.screenId) return refuse(ErrorCode.DECK_WRONG_SCREEN);
    const envelope = deck.envelope(tap.envelopeIndex);
    if (envelope === undefined) return refuse(ErrorCode.ENVELOPE_OUT_OF_RANGE);
    if (
      envelope[0] !== tap.amountFen ||
      envelope[1] !== tap.couponOfferId ||
      deck.campaignId !== tap.campaignId
    )
      return refuse(ErrorCode.ENVELOPE_MISMATCH);
    if (deck.used(tap.envelopeIndex) || deck.usedNow.has(tap.envelopeIndex))
      return refuse(ErrorCode.ENVELOPE_REUSED);
    if (
      tap.ts > deck.validUntil ||
      deck.status !== 'open' ||
      // A close report's count covers the main envelopes; the allotment returns at settlement (§3.6).
      (deck.closedUsedCount !== null &&
        tap.envelopeIndex >= deck.closedUsedCount &&
        !isAllotmentSlot(deck, tap.envelopeIndex))
    )
      return refuse(ErrorCode.DECK_EXPIRED);
    // An allotment slot holds the campaign's fallback coupon and nothing else (§3.4).
    if (
      isAllotmentSlot(deck, tap.envelopeIndex) &&
      (envelope[0] !== 0 || envelope[1] === 0 || campaign?.fallbackCouponOfferId !== envelope[1])
    )
      return refuse(ErrorCode.FALLBACK_NOT_ALLOTTED);
    return pass;
  }
  // Without an envelope a tap may carry a coupon only as its campaign's fallback offer, while the
  // campaign runs and targets the screen: anything else would let a screen key mint coupons.
  if (campaign === null) return refuse(ErrorCode.DECK_UNKNOWN);
  assert(campaign.campaignId === tap.campaignId, 'deckStep: knowledge of another campaign');
  if (tap.couponOfferId === 0) return pass;
  if (!campaign.offers.has(tap.couponOfferId)) return refuse(ErrorCode.ENVELOPE_MISMATCH);
  if (
    campaign.fallbackCouponOfferId !== tap.couponOfferId ||
    !FALLBACK_CAMPAIGN_STATUSES.has(campaign.status) ||
    knowledge.targetsScreen === false
  )
    return refuse(ErrorCode.COUPON_NOT_GRANTED);
  if (knowledge.targetsScreen === null) return unknown('targeting');
  return pass;
}

/**
 * Step 5a, the path: a campaign whose rules' claimPaths leave out `tap` pays no tap of the wallet app
 * (its prizes are claimed online, docs/protocol.md §7a). An envelope that passed the deck step is
 * consumed all the same, so a deck such a campaign held before returns its cash to the pool.
 */
export function pathStep(knowledge: TapKnowledge): StepResult {
  const campaign = knowledge.campaign;
  if (campaign !== null && !offersPath(campaign, 'tap')) return refuse(ErrorCode.CLAIM_PATH_NOT_OFFERED);
  return pass;
}

/**
 * Step 6, the clock. Every tap: not ahead of the time it is judged at, not before its deck. A tap
 * without an envelope has no deck to date it, so it is bounded by what it claims to belong to: not
 * before its campaign started nor its credential was issued, and not older than `decklessTapAgeMaxS`.
 * Both lower bounds allow the clock slack a deck's validFrom allows, for a kiosk clock a little behind.
 */
export function clockStep(tap: TapFacts, knowledge: TapKnowledge, rules: NetworkRules): StepResult {
  if (tap.ts > tap.receivedAt + rules.clockFutureMaxS) return refuse(ErrorCode.CLOCK_SKEW);
  if (hasEnvelope(tap)) {
    assert(knowledge.deck !== null, 'clockStep: a consumed envelope without its deck');
    if (tap.ts + rules.clockPastSlackS < knowledge.deck.validFrom) return refuse(ErrorCode.CLOCK_SKEW);
    return pass;
  }
  assert(knowledge.campaign !== null, 'clockStep: a deck-less tap without its campaign');
  if (tap.ts + rules.clockPastSlackS < knowledge.campaign.startsAt)
    return refuse(ErrorCode.TAP_BEFORE_CAMPAIGN);
  if (knowledge.credentialIssuedAt !== null && tap.ts + rules.clockPastSlackS < knowledge.credentialIssuedAt)
    return refuse(ErrorCode.TAP_BEFORE_CREDENTIAL);
  if (tap.receivedAt - tap.ts > rules.decklessTapAgeMaxS) return refuse(ErrorCode.TAP_TOO_OLD);
  if (knowledge.credentialIssuedAt === null) return unknown('credential issue time');
  return pass;
}

/** A cap's count reached: certain on complete counts or when a lower bound already reaches it. */
function capReached(day: WalletDay, reached: boolean, code: ErrorCode, what: string): StepResult {
  if (reached) return refuse(code);
  return day.complete ? pass : unknown(what);
}

/**
 * Step 7a, the day caps, counted on the tap's cap day. Cash: the wallet's packets and fen, the
 * campaign's packets and the advertiser's packets per wallet. A tap with a coupon and no cash counts
 * against the campaign's coupon cap when it is a fallback coupon (deck-less or an allotment slot); a
 * coupon in an ordinary deck envelope is never refused for it.
 */
export function capsStep(
  tap: TapFacts,
  knowledge: TapKnowledge,
  rules: NetworkRules,
  shape: { cashFen: number; allotment: boolean; consumed: boolean },
): StepResult {
  const { walletDay: day, campaign } = knowledge;
  if (shape.cashFen > 0) {
    if (day === null) return unknown('wallet day');
    const checks: [boolean, ErrorCode, string][] = [
      [
        day.cashCount + 1 > rules.walletDailyCashCountMax,
        ErrorCode.CAP_WALLET_DAILY_COUNT,
        'wallet cash count',
      ],
      [
        day.cashFen + shape.cashFen > rules.walletDailyCashFenMax,
        ErrorCode.CAP_WALLET_DAILY_AMOUNT,
        'wallet cash fen',
      ],
    ];
    if (campaign !== null) {
      checks.push(
        [
          (day.cashByCampaign.get(campaign.campaignId) ?? 0) + 1 > campaign.cashPerWalletPerDay,
          ErrorCode.CAP_CAMPAIGN_WALLET,
          'campaign cash',
        ],
        [
          (day.cashByAdvertiser.get(campaign.advertiserId) ?? 0) + 1 > rules.advertiserWalletDailyCashMax,
          ErrorCode.CAP_ADVERTISER_WALLET,
          'advertiser cash',
        ],
      );
    }
    let result = pass;
    for (const [reached, code, what] of checks) {
      const step = capReached(day, reached, code, what);
      if (step.kind === 'refuse') return step;
      if (step.kind === 'unknown' && result.kind === 'pass') result = step;
    }
    if (campaign === null) return unknown('campaign');
    return result;
  }
  const fallbackCoupon = tap.couponOfferId !== 0 && (!shape.consumed || shape.allotment);
  if (!fallbackCoupon || campaign === null) return pass;
  if (day === null) return unknown('wallet day');
  const cap = campaign.couponsPerWalletPerDay;
  return capReached(
    day,
    couponsBefore(day, campaign.campaignId, tap.ts) + 1 > cap ||
      (day.fallbacksByCampaign?.get(campaign.campaignId) ?? 0) + 1 > cap,
    ErrorCode.CAP_CAMPAIGN_WALLET,
    'campaign coupons',
  );
}

/**
 * The wallet's coupon taps of the campaign that day made no later than `ts`: all of them where the
 * times are not known (a kiosk counts in tap order anyway), else those tapped before, plus any counted
 * without a time.
 */
export function couponsBefore(day: WalletDay, campaignId: number, ts: number): number {
  const count = day.couponsByCampaign.get(campaignId) ?? 0;
  const times = day.couponTimesByCampaign?.get(campaignId);
  if (times === undefined) return count;
  return count - times.length + times.filter((time) => time <= ts).length;
}

/**
 * Step 7b, the pool's fallback coupon: a deck-less tap (from a kiosk that holds no allotment) takes its
 * coupon off one pool envelope of the offer, so deck and fallback coupons never exceed the stock.
 * Last of the refusals a coupon can get, so stock is only taken by a coupon that is issued.
 */
export function fallbackCouponStep(tap: TapFacts, knowledge: TapKnowledge): StepResult {
  if (hasEnvelope(tap) || tap.couponOfferId === 0) return pass;
  if (knowledge.fallbackPool === null) return unknown('fallback stock');
  return knowledge.fallbackPool.available > 0 ? pass : refuse(ErrorCode.COUPON_OUT_OF_STOCK);
}

/**
 * Step 7c, fraud rules, for cash only (a coupon is not money): impossible travel and too many
 * screens refuse; a counter gap, an inhuman tap rate or envelopes out of order hold for review.
 */
export function fraudStep(
  tap: TapFacts,
  knowledge: TapKnowledge,
  rules: NetworkRules,
  shape: { cashFen: number; allotment: boolean },
): StepResult {
  if (shape.cashFen === 0) return pass;
  let missing: StepResult = pass;
  const { travel, walletDay: day, screen, deck } = knowledge;
  if (travel === null) missing = unknown('last tap');
  else if (
    travel.lastTap !== null &&
    travel.lastTap.cityKey !== tap.cityKey &&
    Math.abs(tap.ts - travel.lastTap.ts) < rules.travelWindowS
  )
    return refuse(ErrorCode.FRAUD_IMPOSSIBLE_TRAVEL);
  if (day === null) missing = unknown('wallet day');
  else {
    const screens = day.cashScreens.size + day.cashScreensUnlisted;
    const reached = !day.cashScreens.has(tap.screenId) && screens + 1 > rules.screensPerWalletPerDayMax;
    const step = capReached(day, reached, ErrorCode.FRAUD_TOO_MANY_SCREENS, 'wallet screens');
    if (step.kind === 'refuse') return step;
    if (step.kind === 'unknown' && missing.kind === 'pass') missing = step;
  }
  if (screen === null) return missing.kind === 'pass' ? unknown('screen state') : missing;
  if (tap.counter > screen.counterMax + rules.counterGapMax) return hold(ErrorCode.FRAUD_COUNTER_GAP);
  if (
    // Window counter 0 is no window yet: the screen's first tap seen (whatever its counter, e.g. one a
    // phone redeemed while its screen was offline) only opens one.
    screen.windowCounter !== 0 &&
    tap.counter > screen.counterMax &&
    tap.counter - screen.windowCounter >= rules.tapRateWindow &&
    tap.ts - screen.windowTs < (tap.counter - screen.windowCounter) * rules.tapIntervalMinS
  )
    return hold(ErrorCode.FRAUD_TAP_RATE);
  // The allotment has its own cursor (§3.4), so its slots are outside the cash envelopes' order.
  if (
    deck !== null &&
    !shape.allotment &&
    ((tap.counter > deck.lastCounter && tap.envelopeIndex < deck.lastEnvelopeIndex) ||
      (tap.counter < deck.lastCounter && tap.envelopeIndex > deck.lastEnvelopeIndex))
  )
    return hold(ErrorCode.FRAUD_ENVELOPE_ORDER);
  return missing;
}

function issuedOffer(campaign: CampaignFacts | null, tap: TapFacts): number {
  if (tap.couponOfferId === 0 || campaign === null) return 0;
  const offer = campaign.offers.get(tap.couponOfferId);
  // The kiosk awards no coupon at or after the offer's validUntil (§5.5); an envelope naming a dead
  // offer still pays its cash, but no coupon is issued either.
  return offer !== undefined && tap.ts < offer.validUntil ? tap.couponOfferId : 0;
}

/**
 * Judges one tap. The first refusal gives the code (protocol order); a hold applies only when nothing
 * refuses. The deck step runs even after a prior refusal: an envelope that passes it is consumed
 * whatever the result, so its cash leaves escrow (to the wallet, the hold, or back to the budget).
 */
export function judgeTap(tap: TapFacts, knowledge: TapKnowledge, rules: NetworkRules): Verdict {
  const missing: string[] = [];
  const found: { code: ErrorCode | null; hold: ErrorCode | null } = { code: tap.priorCode, hold: null };
  const take = (step: StepResult): void => {
    if (step.kind === 'refuse') found.code ??= step.code;
    else if (step.kind === 'hold') found.hold ??= step.code;
    else if (step.kind === 'unknown') missing.push(step.missing);
  };

  const deckResult = deckStep(tap, knowledge);
  const consumed = hasEnvelope(tap) && deckResult.kind === 'pass';
  take(deckResult);
  const deck = knowledge.deck;
  const allotment = consumed && deck !== null && isAllotmentSlot(deck, tap.envelopeIndex);
  const shape = { cashFen: consumed ? tap.amountFen : 0, allotment, consumed };

  const steps = [
    () => pathStep(knowledge),
    () => clockStep(tap, knowledge, rules),
    () => capsStep(tap, knowledge, rules, shape),
    () => fallbackCouponStep(tap, knowledge),
    () => fraudStep(tap, knowledge, rules, shape),
  ];
  for (const step of steps) {
    if (found.code !== null) break;
    take(step());
  }

  const status = found.code !== null ? 'rejected' : found.hold !== null ? 'held' : 'credited';
  const campaign = knowledge.campaign;
  return {
    status,
    code: found.code ?? found.hold,
    amountFen: status === 'rejected' ? 0 : shape.cashFen,
    couponOfferId: status === 'credited' ? issuedOffer(campaign, tap) : 0,
    consumed,
    allotment,
    poolCoupon: status === 'credited' && !hasEnvelope(tap) && tap.couponOfferId !== 0,
    campaignId: consumed && deck !== null ? deck.campaignId : (campaign?.campaignId ?? tap.campaignId),
    advertiserId: campaign?.advertiserId ?? null,
    certain: missing.length === 0,
    unknown: missing,
  };
}

/**
 * The verdict's effect on the knowledge, in memory, so the next tap of the same wallet, screen or deck
 * is judged on it: the cloud between the tokens of one group, the kiosk between taps.
 */
export function applyVerdict(
  knowledge: TapKnowledge,
  tap: TapFacts,
  verdict: Verdict,
  rules: Pick<NetworkRules, 'tapRateWindow'>,
): void {
  // Fraud state follows every authentic tap, whatever its result.
  const screen = knowledge.screen;
  if (screen !== null && tap.counter > screen.counterMax) {
    if (screen.windowCounter === 0 || tap.counter - screen.windowCounter >= rules.tapRateWindow) {
      screen.windowCounter = tap.counter;
      screen.windowTs = tap.ts;
    }
    screen.counterMax = tap.counter;
    screen.tsAtCounterMax = tap.ts;
  }
  const deck = knowledge.deck;
  if (verdict.consumed && deck !== null) {
    deck.usedNow.add(tap.envelopeIndex);
    if (!verdict.allotment && tap.counter > deck.lastCounter) {
      deck.lastCounter = tap.counter;
      deck.lastEnvelopeIndex = tap.envelopeIndex;
    }
  }
  if (verdict.poolCoupon && knowledge.fallbackPool !== null) knowledge.fallbackPool.available -= 1;
  if (verdict.status === 'rejected') return;
  const day = knowledge.walletDay;
  if (day !== null) {
    const bump = (map: Map<number, number>, key: number) => map.set(key, (map.get(key) ?? 0) + 1);
    if (verdict.amountFen > 0) {
      day.cashCount += 1;
      day.cashFen += verdict.amountFen;
      bump(day.cashByCampaign, verdict.campaignId);
      if (verdict.advertiserId !== null) bump(day.cashByAdvertiser, verdict.advertiserId);
      day.cashScreens.add(tap.screenId);
    } else if (tap.couponOfferId !== 0) {
      bump(day.couponsByCampaign, verdict.campaignId);
      const times = day.couponTimesByCampaign;
      if (times !== undefined)
        times.set(verdict.campaignId, [...(times.get(verdict.campaignId) ?? []), tap.ts]);
      if (day.fallbacksByCampaign !== undefined && (verdict.allotment || verdict.poolCoupon))
        bump(day.fallbacksByCampaign, verdict.campaignId);
    }
  }
  // Travel follows the taps that paid cash (knowledge.ts, LastTap), latest by the tap's own time.
  const travel = knowledge.travel;
  if (travel !== null && verdict.amountFen > 0 && (travel.lastTap === null || tap.ts >= travel.lastTap.ts))
    travel.lastTap = { ts: tap.ts, cityKey: tap.cityKey, screenId: tap.screenId };
}
