// Judge: a group of tokens against its loaded snapshot, synchronously. Each token is judged by the
// shared judge (@redtap/shared rules) and its verdict applied to the snapshot before the next one, in
// (screen, counter) order so the per-screen rules see taps as the kiosk made them. What the verdicts
// change is collected as effects for the applier; nothing here touches the database.
import {
  applyVerdict,
  cityKey,
  ENVELOPE_INDEX_NONE,
  ErrorCode,
  judgeTap,
  type NetworkRules,
  type ScreenTapState,
  type TapFacts,
  type TapKnowledge,
  type TapToken,
  type Verdict,
} from '@redtap/shared';
import { newCouponBody } from '../coupons/coupon-code.ts';
import type { RedemptionStatus } from '../db/schema/redemptions.ts';
import type { RecordableToken } from './prepare.ts';
import type { FirstResult, RedemptionSnapshot } from './snapshot.ts';

export type SettledStatus = 'credited' | 'duplicate' | 'rejected' | 'held';

export interface SettledResult {
  counter: number;
  status: SettledStatus;
  code?: string;
  amountFen?: number;
  couponCode?: string;
}

/** The largest value of a Postgres `int` column (`coupon_offer_id`); the wire field is a u32. */
const INT_COLUMN_MAX = 2 ** 31 - 1;

export interface RedemptionRow {
  screen_id: number;
  counter: number;
  token_hash: string;
  wallet_id: number;
  campaign_id: number;
  advertiser_id: number | null;
  deck_id: number | null;
  envelope_index: number | null;
  amount_fen: number;
  coupon_offer_id: number | null;
  status: RedemptionStatus;
  code: string | null;
  tap_ts: number;
  tap_day: string;
  city: string;
  source: string;
}

export interface CouponRow {
  code: string;
  wallet_id: number;
  coupon_offer_id: number;
  campaign_id: number;
  screen_id: number;
  counter: number;
  tap_day: string;
  valid_until: number;
}

/** A ledger move out of a deck's escrow; the review hold's account is looked up only when one is held. */
export interface EscrowMove {
  debitAccountId: number;
  creditAccountId: number | 'review_hold';
  amountFen: number;
  code: 'redeem' | 'hold' | 'reject_return';
  reference: string;
}

export interface ReturnedEnvelope {
  campaignId: number;
  amountFen: number;
  couponOfferId: number;
}

export interface DayTotalsDelta {
  walletId: number;
  day: string;
  campaignId: number;
  advertiserId: number | null;
  cashCount: number;
  cashFen: number;
  couponCount: number;
  /** When each of the coupon taps was made (Unix s). */
  couponTs: number[];
  /** Of the coupon taps, the fallback coupons. */
  fallbackCount: number;
}

export interface RedemptionEffects {
  rows: RedemptionRow[];
  coupons: CouponRow[];
  moves: EscrowMove[];
  /** Envelopes consumed by a rejected tap: they go back to their campaign (envelope-returns.ts). */
  returned: ReturnedEnvelope[];
  /** Pool envelopes whose coupon a deck-less fallback tap took. */
  stockTaken: number[];
  dayTotals: Map<string, DayTotalsDelta>;
  /** `walletId|day|screenId` → cash packets that screen paid. */
  dayScreens: Map<string, { walletId: number; day: string; screenId: number; cashCount: number }>;
  decksMoved: Set<number>;
  screensMoved: Set<number>;
  walletsMoved: Set<number>;
}

export interface JudgedGroup {
  results: SettledResult[];
  effects: RedemptionEffects;
}

function resultOf(
  token: TapToken,
  status: RedemptionStatus,
  code: string | null,
  amountFen: number,
  couponCode: string | undefined,
): SettledResult {
  if (status === 'credited')
    return couponCode === undefined
      ? { counter: token.counter, status: 'credited', amountFen }
      : { counter: token.counter, status: 'credited', amountFen, couponCode };
  if (status === 'held')
    return { counter: token.counter, status: 'held', code: code ?? ErrorCode.HELD_FOR_REVIEW, amountFen };
  return { counter: token.counter, status: 'rejected', code: code ?? ErrorCode.INTERNAL };
}

function duplicateOf(counter: number, first: Omit<FirstResult, 'hash'>): SettledResult {
  if (first.status === 'credited' || first.status === 'released')
    return { counter, status: 'duplicate', amountFen: first.amountFen };
  if (first.status === 'held')
    return { counter, status: 'duplicate', amountFen: 0, code: ErrorCode.HELD_FOR_REVIEW };
  return { counter, status: 'duplicate', amountFen: 0, code: first.code ?? ErrorCode.INTERNAL };
}

function duplicateOfResult(first: SettledResult): SettledResult {
  if (first.status === 'credited')
    return { counter: first.counter, status: 'duplicate', amountFen: first.amountFen ?? 0 };
  if (first.status === 'held')
    return { counter: first.counter, status: 'duplicate', amountFen: 0, code: ErrorCode.HELD_FOR_REVIEW };
  return {
    counter: first.counter,
    status: 'duplicate',
    amountFen: 0,
    code: first.code ?? ErrorCode.INTERNAL,
  };
}

export function judgeGroup(
  items: readonly RecordableToken[],
  snapshot: RedemptionSnapshot,
  rules: NetworkRules,
): JudgedGroup {
  const effects: RedemptionEffects = {
    rows: [],
    coupons: [],
    moves: [],
    returned: [],
    stockTaken: [],
    dayTotals: new Map(),
    dayScreens: new Map(),
    decksMoved: new Set(),
    screensMoved: new Set(),
    walletsMoved: new Set(),
  };
  const results: SettledResult[] = new Array<SettledResult>(items.length);
  const seenInGroup = new Map<string, number>();
  const cityKeys = new Map<string, number>();
  const order = items.map((_, index) => index);
  order.sort((a, b) => {
    const x = items[a]?.token;
    const y = items[b]?.token;
    if (x === undefined || y === undefined) return 0;
    return x.screenId - y.screenId || x.counter - y.counter;
  });

  for (const index of order) {
    const item = items[index];
    const day = snapshot.days[index];
    if (item === undefined || day === undefined) continue;
    const token = item.token;
    const identity = `${token.screenId}:${token.counter}`;

    // A token identity is judged once, forever: a copy answers the first result (docs/protocol.md §7).
    const first = snapshot.existing.get(identity);
    if (first !== undefined) {
      results[index] =
        first.hash === item.tokenHash
          ? duplicateOf(token.counter, first)
          : { counter: token.counter, status: 'rejected', code: ErrorCode.FRAUD_COUNTER_ROLLBACK };
      continue;
    }
    const earlier = seenInGroup.get(identity);
    const firstInGroup = earlier === undefined ? undefined : results[earlier];
    if (earlier !== undefined && firstInGroup !== undefined) {
      // Judged in counter order, so the first copy in this group is already settled.
      results[index] =
        items[earlier]?.tokenHash === item.tokenHash
          ? duplicateOfResult(firstInGroup)
          : { counter: token.counter, status: 'rejected', code: ErrorCode.FRAUD_COUNTER_ROLLBACK };
      continue;
    }
    seenInGroup.set(identity, index);

    // Checked before anything reads the field: an out-of-range value would fail the whole statement.
    const couponOfferInRange = token.couponOfferId <= INT_COLUMN_MAX;
    let tapCityKey = cityKeys.get(item.city);
    if (tapCityKey === undefined) {
      tapCityKey = cityKey(item.city);
      cityKeys.set(item.city, tapCityKey);
    }
    const tap: TapFacts = {
      screenId: token.screenId,
      counter: token.counter,
      ts: token.ts,
      campaignId: token.campaignId,
      walletId: token.walletId,
      deckId: token.deckId,
      envelopeIndex: token.envelopeIndex,
      amountFen: token.amountFen,
      couponOfferId: token.couponOfferId,
      receivedAt: item.receivedAtS,
      cityKey: tapCityKey,
      priorCode: item.preCode ?? (couponOfferInRange ? null : ErrorCode.TOKEN_FIELD_OUT_OF_RANGE),
    };
    const hasEnvelope = token.envelopeIndex !== ENVELOPE_INDEX_NONE;
    const deck = hasEnvelope ? snapshot.decks.get(token.deckId) : undefined;
    const campaignId = deck?.facts.campaignId ?? token.campaignId;
    const campaign = snapshot.campaigns.get(campaignId);
    const wallet = snapshot.wallets.get(token.walletId);
    const walletDay = snapshot.walletDays.get(`${token.walletId}|${day}`);
    let screen: ScreenTapState | undefined = snapshot.screens.get(token.screenId);
    if (screen === undefined) {
      screen = { counterMax: 0, tsAtCounterMax: 0, windowCounter: 0, windowTs: token.ts };
      snapshot.screens.set(token.screenId, screen);
    }
    const stock = snapshot.fallbackStock.get(`${campaignId}:${token.couponOfferId}`);
    // The cloud knows everything: what the loader did not find does not exist (no stock, no target).
    const knowledge: TapKnowledge = {
      walletDay: walletDay ?? null,
      travel: wallet?.travel ?? null,
      campaign: campaign?.facts ?? null,
      deck: deck?.facts ?? null,
      targetsScreen: snapshot.fallbackTargets.has(`${campaignId}:${token.screenId}`),
      fallbackPool: stock?.pool ?? { available: 0 },
      credentialIssuedAt: item.credentialIssuedAtS,
      screen,
    };

    const verdict = judgeTap(tap, knowledge, rules);
    const counterMaxBefore = screen.counterMax;
    const lastTapBefore = wallet?.travel.lastTap ?? null;
    applyVerdict(knowledge, tap, verdict, rules);
    if (screen.counterMax !== counterMaxBefore) effects.screensMoved.add(token.screenId);
    if (deck !== undefined && deck.facts.lastCounter !== deck.loadedLastCounter)
      effects.decksMoved.add(deck.facts.deckId);
    if (wallet !== undefined && wallet.travel.lastTap !== lastTapBefore) {
      wallet.lastCity = item.city;
      effects.walletsMoved.add(token.walletId);
    }

    const couponCode = record(effects, { item, day, verdict, campaignId, couponOfferInRange, snapshot });
    results[index] = resultOf(token, verdict.status, verdict.code, verdict.amountFen, couponCode);
  }
  return { results, effects };
}

/** Steps 8–9 as effects: the ledger moves, the result row, the coupon, the returned envelope, the counters. */
function record(
  effects: RedemptionEffects,
  input: {
    item: RecordableToken;
    day: string;
    verdict: Verdict;
    campaignId: number;
    couponOfferInRange: boolean;
    snapshot: RedemptionSnapshot;
  },
): string | undefined {
  const { item, day, verdict, campaignId, snapshot } = input;
  const token = item.token;
  const deck = verdict.consumed ? snapshot.decks.get(token.deckId) : undefined;
  const campaign = snapshot.campaigns.get(campaignId);
  const reference = `tap:${token.screenId}:${token.counter}`;
  if (deck !== undefined && campaign !== undefined) {
    // A consumed envelope's money leaves escrow now: to the wallet, the hold, or back to the budget.
    if (token.amountFen > 0 && deck.escrowAccountId !== null) {
      let creditAccountId: number | 'review_hold' = campaign.budgetAccountId;
      if (verdict.status === 'credited' && item.walletAccountId !== null)
        creditAccountId = item.walletAccountId;
      if (verdict.status === 'held') creditAccountId = 'review_hold';
      effects.moves.push({
        debitAccountId: deck.escrowAccountId,
        creditAccountId,
        amountFen: token.amountFen,
        code: verdict.status === 'credited' ? 'redeem' : verdict.status === 'held' ? 'hold' : 'reject_return',
        reference,
      });
    }
    if (verdict.status === 'rejected')
      effects.returned.push({ campaignId, amountFen: token.amountFen, couponOfferId: token.couponOfferId });
  }
  if (verdict.poolCoupon) {
    const position = snapshot.fallbackStock.get(`${campaignId}:${token.couponOfferId}`)?.positions.pop();
    if (position === undefined) throw new Error('a pool coupon was judged without stock');
    effects.stockTaken.push(position);
  }
  let couponCode: string | undefined;
  if (verdict.couponOfferId !== 0 && campaign !== undefined) {
    const offer = campaign.facts.offers.get(verdict.couponOfferId);
    const validityDays = campaign.validityDays.get(verdict.couponOfferId) ?? 0;
    if (offer !== undefined) {
      couponCode = newCouponBody();
      effects.coupons.push({
        code: couponCode,
        wallet_id: token.walletId,
        coupon_offer_id: verdict.couponOfferId,
        campaign_id: campaignId,
        screen_id: token.screenId,
        counter: token.counter,
        tap_day: day,
        valid_until: Math.min(offer.validUntil, token.ts + validityDays * 86_400),
      });
    }
  }
  if (verdict.status !== 'rejected') {
    const cash = verdict.amountFen > 0;
    if (cash || token.couponOfferId !== 0) {
      const key = `${token.walletId}|${day}|${campaignId}`;
      const delta = effects.dayTotals.get(key) ?? {
        walletId: token.walletId,
        day,
        campaignId,
        advertiserId: verdict.advertiserId,
        cashCount: 0,
        cashFen: 0,
        couponCount: 0,
        couponTs: [],
        fallbackCount: 0,
      };
      if (cash) {
        delta.cashCount += 1;
        delta.cashFen += verdict.amountFen;
      } else {
        delta.couponCount += 1;
        delta.couponTs.push(token.ts);
        if (verdict.allotment || verdict.poolCoupon) delta.fallbackCount += 1;
      }
      effects.dayTotals.set(key, delta);
    }
    if (cash) {
      const key = `${token.walletId}|${day}|${token.screenId}`;
      const delta = effects.dayScreens.get(key) ?? {
        walletId: token.walletId,
        day,
        screenId: token.screenId,
        cashCount: 0,
      };
      delta.cashCount += 1;
      effects.dayScreens.set(key, delta);
    }
  }
  effects.rows.push({
    screen_id: token.screenId,
    counter: token.counter,
    token_hash: item.tokenHash,
    wallet_id: token.walletId,
    campaign_id: campaignId,
    advertiser_id: campaign?.facts.advertiserId ?? null,
    deck_id: verdict.consumed ? token.deckId : null,
    envelope_index: verdict.consumed ? token.envelopeIndex : null,
    amount_fen: verdict.amountFen,
    coupon_offer_id: token.couponOfferId === 0 || !input.couponOfferInRange ? null : token.couponOfferId,
    status: verdict.status,
    code: verdict.code,
    tap_ts: token.ts,
    tap_day: day,
    city: item.city,
    source: item.source,
  });
  return couponCode;
}
