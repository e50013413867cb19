// One case per rule of the judge (docs/protocol.md §7 steps 5–7): the knowledge, the tap and the
// verdict expected. Exported so every tier runs the same table: the judge's own tests, the cloud
// through real settlement, the kiosk through its engine. Build a case's inputs with caseTap and
// caseKnowledge: each call returns fresh objects, since judging and applying mutate them.
import { ErrorCode } from '../errors.ts';
import { ENVELOPE_INDEX_NONE } from '../wire/envelope-index.ts';
import type { Verdict } from './judge.ts';
import { deckFactsOf, emptyWalletDay, type TapFacts, type TapKnowledge } from './knowledge.ts';
import { cityKey, type NetworkRules } from './network-rules.ts';

/** 2026-12-01 10:00 in Shanghai. */
export const CASE_NOW_S = 1_796_090_400;
const DAY_S = 86_400;

export const caseRules: NetworkRules = {
  capTimezone: 'Asia/Shanghai',
  walletDailyCashCountMax: 30,
  walletDailyCashFenMax: 10_000,
  advertiserWalletDailyCashMax: 10,
  travelWindowS: 600,
  screensPerWalletPerDayMax: 40,
  clockFutureMaxS: 300,
  clockPastSlackS: 300,
  decklessTapAgeMaxS: 2 * DAY_S,
  tapRateWindow: 10,
  tapIntervalMinS: 2,
  counterGapMax: 10_000,
};

/** The world of every case: screen 11 in Shanghai holds deck 100 of campaign 7 (advertiser 3). */
export const caseWorld = {
  screenId: 11,
  city: 'Shanghai',
  otherCity: 'Hangzhou',
  walletId: 9,
  campaignId: 7,
  advertiserId: 3,
  deckId: 100,
  /** The campaign's fallback offer; offer 71 is another offer of the campaign. */
  fallbackOfferId: 70,
  otherOfferId: 71,
  /** Envelope 0 pays 88 fen, 1 pays 2 fen with offer 71, 2 is offer 71 alone; 3 and 4 are the allotment. */
  envelopes: [
    [88, 0],
    [2, 71],
    [0, 71],
    [0, 70],
    [0, 70],
  ] as [number, number][],
  fallbackCount: 2,
} as const;

export function baseTap(): TapFacts {
  return {
    screenId: caseWorld.screenId,
    counter: 5,
    ts: CASE_NOW_S,
    campaignId: caseWorld.campaignId,
    walletId: caseWorld.walletId,
    deckId: caseWorld.deckId,
    envelopeIndex: 0,
    amountFen: 88,
    couponOfferId: 0,
    receivedAt: CASE_NOW_S + 60,
    cityKey: cityKey(caseWorld.city),
    priorCode: null,
  };
}

/** A tap without an envelope carrying the fallback coupon, as an older kiosk makes one. */
export function decklessTap(overrides: Partial<TapFacts> = {}): TapFacts {
  return {
    ...baseTap(),
    deckId: 0,
    envelopeIndex: ENVELOPE_INDEX_NONE,
    amountFen: 0,
    couponOfferId: caseWorld.fallbackOfferId,
    ...overrides,
  };
}

export function baseKnowledge(): TapKnowledge {
  const usedBefore = new Set<number>();
  return {
    walletDay: emptyWalletDay(),
    travel: { lastTap: null },
    campaign: {
      campaignId: caseWorld.campaignId,
      advertiserId: caseWorld.advertiserId,
      status: 'active',
      startsAt: CASE_NOW_S - DAY_S,
      endsAt: CASE_NOW_S + 30 * DAY_S,
      cashPerWalletPerDay: 5,
      couponsPerWalletPerDay: 2,
      fallbackCouponOfferId: caseWorld.fallbackOfferId,
      offers: new Map([
        [caseWorld.fallbackOfferId, { validUntil: CASE_NOW_S + 60 * DAY_S }],
        [caseWorld.otherOfferId, { validUntil: CASE_NOW_S + 60 * DAY_S }],
      ]),
    },
    deck: deckFactsOf({
      deckId: caseWorld.deckId,
      campaignId: caseWorld.campaignId,
      screenId: caseWorld.screenId,
      validFrom: CASE_NOW_S - 3600,
      validUntil: CASE_NOW_S + DAY_S,
      envelopes: caseWorld.envelopes,
      fallbackCount: caseWorld.fallbackCount,
      used: (index) => usedBefore.has(index),
      status: 'open',
      closedUsedCount: null,
      lastCounter: 0,
      lastEnvelopeIndex: -1,
    }),
    targetsScreen: true,
    fallbackPool: { available: 3 },
    credentialIssuedAt: CASE_NOW_S - 10 * DAY_S,
    screen: { counterMax: 4, tsAtCounterMax: CASE_NOW_S - 60, windowCounter: 1, windowTs: CASE_NOW_S - 3600 },
  };
}

export interface RuleCase {
  name: string;
  /** The rule (the code it gives, or what it allows) the case pins. */
  rule: string;
  tap: (tap: TapFacts) => TapFacts;
  knowledge?: (knowledge: TapKnowledge) => void;
  /** Taps judged and applied first, on the same knowledge. */
  earlier?: (tap: TapFacts) => TapFacts[];
  expected: Partial<Verdict>;
}

const same = (tap: TapFacts) => tap;
const envelope = (index: number) => (tap: TapFacts) => {
  const [amountFen, couponOfferId] = caseWorld.envelopes[index] ?? [0, 0];
  return { ...tap, envelopeIndex: index, amountFen, couponOfferId };
};
const credited = (amountFen: number, couponOfferId = 0): Partial<Verdict> => ({
  status: 'credited',
  code: null,
  amountFen,
  couponOfferId,
  certain: true,
});
const rejected = (code: ErrorCode, consumed: boolean): Partial<Verdict> => ({
  status: 'rejected',
  code,
  amountFen: 0,
  couponOfferId: 0,
  consumed,
});
const held = (code: ErrorCode): Partial<Verdict> => ({ status: 'held', code, amountFen: 88, consumed: true });
const setDay = (change: (day: NonNullable<TapKnowledge['walletDay']>) => void) => (k: TapKnowledge) => {
  if (k.walletDay !== null) change(k.walletDay);
};

export const ruleCases: RuleCase[] = [
  {
    name: 'a cash envelope is credited',
    rule: 'credited',
    tap: same,
    expected: { ...credited(88), consumed: true },
  },
  {
    name: 'an envelope with cash and a coupon issues both',
    rule: 'credited',
    tap: envelope(1),
    expected: credited(2, caseWorld.otherOfferId),
  },
  {
    name: "an offer past its validUntil issues no coupon, the envelope's cash is still paid",
    rule: 'offer still live',
    tap: envelope(1),
    knowledge: (k) => k.campaign?.offers.set(caseWorld.otherOfferId, { validUntil: CASE_NOW_S }),
    expected: credited(2, 0),
  },
  {
    name: 'a failed earlier step refuses, and the envelope is still consumed',
    rule: 'prior steps',
    tap: (tap) => ({ ...tap, priorCode: ErrorCode.CREDENTIAL_EXPIRED }),
    expected: rejected(ErrorCode.CREDENTIAL_EXPIRED, true),
  },
  {
    name: 'an unknown deck',
    rule: ErrorCode.DECK_UNKNOWN,
    tap: same,
    knowledge: (k) => (k.deck = null),
    expected: rejected(ErrorCode.DECK_UNKNOWN, false),
  },
  {
    name: "another screen's deck",
    rule: ErrorCode.DECK_WRONG_SCREEN,
    tap: (tap) => ({ ...tap, screenId: 12 }),
    expected: rejected(ErrorCode.DECK_WRONG_SCREEN, false),
  },
  {
    name: 'an index beyond the deck',
    rule: ErrorCode.ENVELOPE_OUT_OF_RANGE,
    tap: (tap) => ({ ...tap, envelopeIndex: 5 }),
    expected: rejected(ErrorCode.ENVELOPE_OUT_OF_RANGE, false),
  },
  {
    name: "an amount other than the envelope's",
    rule: ErrorCode.ENVELOPE_MISMATCH,
    tap: (tap) => ({ ...tap, amountFen: 89 }),
    expected: rejected(ErrorCode.ENVELOPE_MISMATCH, false),
  },
  {
    name: 'an envelope used by an earlier tap',
    rule: ErrorCode.ENVELOPE_REUSED,
    tap: same,
    earlier: (tap) => [{ ...tap, counter: 4 }],
    expected: rejected(ErrorCode.ENVELOPE_REUSED, false),
  },
  {
    name: "a tap after the deck's validUntil",
    rule: ErrorCode.DECK_EXPIRED,
    tap: (tap) => ({ ...tap, ts: CASE_NOW_S + DAY_S + 1, receivedAt: CASE_NOW_S + DAY_S + 2 }),
    expected: rejected(ErrorCode.DECK_EXPIRED, false),
  },
  {
    name: "an envelope at or above a close report's usedCount",
    rule: ErrorCode.DECK_EXPIRED,
    tap: same,
    knowledge: (k) => {
      if (k.deck !== null) k.deck.closedUsedCount = 0;
    },
    expected: rejected(ErrorCode.DECK_EXPIRED, false),
  },
  {
    name: "a close report's usedCount covers the main envelopes: an allotment slot above it still pays",
    rule: 'fallback allotment',
    tap: envelope(3),
    knowledge: (k) => {
      if (k.deck !== null) k.deck.closedUsedCount = 1;
    },
    expected: { ...credited(0, caseWorld.fallbackOfferId), consumed: true, allotment: true },
  },
  {
    name: "an allotment slot issues the campaign's fallback coupon",
    rule: 'fallback allotment',
    tap: envelope(3),
    expected: { ...credited(0, caseWorld.fallbackOfferId), consumed: true, allotment: true },
  },
  {
    name: "an allotment slot that is not the campaign's fallback coupon",
    rule: ErrorCode.FALLBACK_NOT_ALLOTTED,
    tap: envelope(3),
    knowledge: (k) => {
      if (k.campaign !== null) k.campaign.fallbackCouponOfferId = caseWorld.otherOfferId;
    },
    expected: rejected(ErrorCode.FALLBACK_NOT_ALLOTTED, false),
  },
  {
    name: 'a campaign whose claimPaths leave out tap pays no tap; the envelope is consumed and goes back',
    rule: ErrorCode.CLAIM_PATH_NOT_OFFERED,
    tap: same,
    knowledge: (k) => {
      if (k.campaign !== null) k.campaign.claimPaths = ['qr', 'sticker'];
    },
    expected: rejected(ErrorCode.CLAIM_PATH_NOT_OFFERED, true),
  },
  {
    name: 'an allotment slot counts against the coupon cap',
    rule: ErrorCode.CAP_CAMPAIGN_WALLET,
    tap: envelope(3),
    knowledge: setDay((day) => day.couponsByCampaign.set(caseWorld.campaignId, 2)),
    expected: rejected(ErrorCode.CAP_CAMPAIGN_WALLET, true),
  },
  {
    name: 'a coupon-only envelope of the deck is never refused for the coupon cap',
    rule: 'deck coupons uncapped',
    tap: envelope(2),
    knowledge: setDay((day) => day.couponsByCampaign.set(caseWorld.campaignId, 2)),
    expected: credited(0, caseWorld.otherOfferId),
  },
  {
    name: 'an allotment slot taken after a later cash envelope is no envelope-order hold',
    rule: 'allotment outside the order',
    tap: (tap) => ({
      ...tap,
      counter: 7,
      envelopeIndex: 1,
      amountFen: 2,
      couponOfferId: caseWorld.otherOfferId,
    }),
    earlier: (tap) => [envelope(3)({ ...tap, counter: 6 })],
    expected: credited(2, caseWorld.otherOfferId),
  },
  {
    name: 'a deck-less tap naming no known campaign',
    rule: ErrorCode.DECK_UNKNOWN,
    tap: () => decklessTap(),
    knowledge: (k) => (k.campaign = null),
    expected: rejected(ErrorCode.DECK_UNKNOWN, false),
  },
  {
    name: "a deck-less coupon that is none of the campaign's offers",
    rule: ErrorCode.ENVELOPE_MISMATCH,
    tap: () => decklessTap({ couponOfferId: 99 }),
    expected: rejected(ErrorCode.ENVELOPE_MISMATCH, false),
  },
  {
    name: "a deck-less coupon other than the campaign's fallback offer",
    rule: ErrorCode.COUPON_NOT_GRANTED,
    tap: () => decklessTap({ couponOfferId: caseWorld.otherOfferId }),
    expected: rejected(ErrorCode.COUPON_NOT_GRANTED, false),
  },
  {
    name: 'a deck-less fallback coupon of an ended campaign',
    rule: ErrorCode.COUPON_NOT_GRANTED,
    tap: () => decklessTap(),
    knowledge: (k) => {
      if (k.campaign !== null) k.campaign.status = 'ended';
    },
    expected: rejected(ErrorCode.COUPON_NOT_GRANTED, false),
  },
  {
    name: 'a deck-less fallback coupon on a screen the campaign does not target',
    rule: ErrorCode.COUPON_NOT_GRANTED,
    tap: () => decklessTap(),
    knowledge: (k) => (k.targetsScreen = false),
    expected: rejected(ErrorCode.COUPON_NOT_GRANTED, false),
  },
  {
    name: "a deck-less fallback coupon is issued from the pool's stock",
    rule: 'fallback coupon from the pool',
    tap: () => decklessTap(),
    expected: { ...credited(0, caseWorld.fallbackOfferId), poolCoupon: true },
  },
  {
    name: "a deck-less tap once the pool's stock is gone",
    rule: ErrorCode.COUPON_OUT_OF_STOCK,
    tap: () => decklessTap(),
    knowledge: (k) => (k.fallbackPool = { available: 0 }),
    expected: rejected(ErrorCode.COUPON_OUT_OF_STOCK, false),
  },
  {
    name: 'a tap dated ahead of the time it is judged',
    rule: ErrorCode.CLOCK_SKEW,
    tap: (tap) => ({ ...tap, ts: CASE_NOW_S + 400, receivedAt: CASE_NOW_S }),
    expected: rejected(ErrorCode.CLOCK_SKEW, true),
  },
  {
    name: "a tap dated before its deck's validFrom",
    rule: ErrorCode.CLOCK_SKEW,
    tap: (tap) => ({ ...tap, ts: CASE_NOW_S - 3600 - 301 }),
    expected: rejected(ErrorCode.CLOCK_SKEW, true),
  },
  {
    name: 'a deck-less tap dated before its campaign started',
    rule: ErrorCode.TAP_BEFORE_CAMPAIGN,
    tap: () => decklessTap({ ts: CASE_NOW_S - DAY_S - 301 }),
    expected: rejected(ErrorCode.TAP_BEFORE_CAMPAIGN, false),
  },
  {
    name: 'a deck-less tap dated before its credential was issued',
    rule: ErrorCode.TAP_BEFORE_CREDENTIAL,
    tap: () => decklessTap({ ts: CASE_NOW_S - 3600 }),
    knowledge: (k) => (k.credentialIssuedAt = CASE_NOW_S - 600),
    expected: rejected(ErrorCode.TAP_BEFORE_CREDENTIAL, false),
  },
  {
    name: 'a deck-less tap older than decklessTapAgeMaxS when judged',
    rule: ErrorCode.TAP_TOO_OLD,
    tap: () => decklessTap({ receivedAt: CASE_NOW_S + 2 * DAY_S + 1 }),
    expected: rejected(ErrorCode.TAP_TOO_OLD, false),
  },
  {
    name: "the wallet's cash packets of the day",
    rule: ErrorCode.CAP_WALLET_DAILY_COUNT,
    tap: same,
    knowledge: setDay((day) => (day.cashCount = 30)),
    expected: rejected(ErrorCode.CAP_WALLET_DAILY_COUNT, true),
  },
  {
    name: "the wallet's cash fen of the day",
    rule: ErrorCode.CAP_WALLET_DAILY_AMOUNT,
    tap: same,
    knowledge: setDay((day) => (day.cashFen = 10_000 - 87)),
    expected: rejected(ErrorCode.CAP_WALLET_DAILY_AMOUNT, true),
  },
  {
    name: "the campaign's cash packets per wallet per day",
    rule: ErrorCode.CAP_CAMPAIGN_WALLET,
    tap: same,
    knowledge: setDay((day) => day.cashByCampaign.set(caseWorld.campaignId, 5)),
    expected: rejected(ErrorCode.CAP_CAMPAIGN_WALLET, true),
  },
  {
    name: "the advertiser's cash packets per wallet per day",
    rule: ErrorCode.CAP_ADVERTISER_WALLET,
    tap: same,
    knowledge: setDay((day) => day.cashByAdvertiser.set(caseWorld.advertiserId, 10)),
    expected: rejected(ErrorCode.CAP_ADVERTISER_WALLET, true),
  },
  {
    name: "a deck-less fallback coupon past the campaign's coupons per wallet per day",
    rule: ErrorCode.CAP_CAMPAIGN_WALLET,
    tap: () => decklessTap(),
    knowledge: setDay((day) => day.couponsByCampaign.set(caseWorld.campaignId, 2)),
    expected: rejected(ErrorCode.CAP_CAMPAIGN_WALLET, false),
  },
  {
    name: 'cash in another city within the travel window',
    rule: ErrorCode.FRAUD_IMPOSSIBLE_TRAVEL,
    tap: same,
    knowledge: (k) =>
      (k.travel = { lastTap: { ts: CASE_NOW_S - 300, cityKey: cityKey(caseWorld.otherCity), screenId: 12 } }),
    expected: rejected(ErrorCode.FRAUD_IMPOSSIBLE_TRAVEL, true),
  },
  {
    name: 'city names compare trimmed and lower-cased',
    rule: 'travel by city key',
    tap: same,
    knowledge: (k) =>
      (k.travel = { lastTap: { ts: CASE_NOW_S - 300, cityKey: cityKey(' shanghai '), screenId: 12 } }),
    expected: credited(88),
  },
  {
    name: 'cash from one screen too many in a day',
    rule: ErrorCode.FRAUD_TOO_MANY_SCREENS,
    tap: same,
    knowledge: setDay((day) => {
      for (let screenId = 1000; screenId < 1040; screenId++) day.cashScreens.add(screenId);
    }),
    expected: rejected(ErrorCode.FRAUD_TOO_MANY_SCREENS, true),
  },
  {
    name: 'a counter far above the screen’s highest',
    rule: ErrorCode.FRAUD_COUNTER_GAP,
    tap: (tap) => ({ ...tap, counter: 4 + 10_001 }),
    expected: held(ErrorCode.FRAUD_COUNTER_GAP),
  },
  {
    name: 'taps faster than a human',
    rule: ErrorCode.FRAUD_TAP_RATE,
    tap: (tap) => ({ ...tap, counter: 11 }),
    knowledge: (k) => {
      if (k.screen !== null) k.screen.windowTs = CASE_NOW_S - 10;
    },
    expected: held(ErrorCode.FRAUD_TAP_RATE),
  },
  {
    name: 'a later counter with an earlier envelope',
    rule: ErrorCode.FRAUD_ENVELOPE_ORDER,
    tap: same,
    knowledge: (k) => {
      if (k.deck !== null) {
        k.deck.lastCounter = 3;
        k.deck.lastEnvelopeIndex = 1;
      }
    },
    expected: held(ErrorCode.FRAUD_ENVELOPE_ORDER),
  },
  {
    name: "holds are for cash: a coupon-only tap is credited whatever the screen's counters",
    rule: 'holds for cash only',
    tap: (tap) => ({ ...envelope(2)(tap), counter: 4 + 10_001 }),
    expected: credited(0, caseWorld.otherOfferId),
  },
  {
    name: 'without the wallet, the screen or the last tap known, a cash tap is credited but not certain',
    rule: 'certainty',
    tap: same,
    knowledge: (k) => {
      k.walletDay = null;
      k.travel = null;
      k.screen = null;
    },
    expected: { status: 'credited', amountFen: 88, certain: false },
  },
  {
    name: 'a lower bound of the day that already reaches a cap refuses for certain',
    rule: 'certainty',
    tap: same,
    knowledge: (k) => {
      k.walletDay = emptyWalletDay(false);
      k.walletDay.cashByCampaign.set(caseWorld.campaignId, 5);
    },
    expected: { ...rejected(ErrorCode.CAP_CAMPAIGN_WALLET, true), certain: true },
  },
  {
    name: 'a lower bound of the day below every cap is not certain',
    rule: 'certainty',
    tap: same,
    knowledge: (k) => (k.walletDay = emptyWalletDay(false)),
    expected: { status: 'credited', amountFen: 88, certain: false },
  },
];

export function caseTap(ruleCase: RuleCase): TapFacts {
  return ruleCase.tap(baseTap());
}

export function caseKnowledge(ruleCase: RuleCase): TapKnowledge {
  const knowledge = baseKnowledge();
  ruleCase.knowledge?.(knowledge);
  return knowledge;
}
