// The judge's table of cases (@redtap/shared rules/cases.ts), run through the kiosk's side: each case's
// knowledge of the wallet's day is handed to the kiosk as the phone's day state would carry it, and the
// kiosk's judge must rule as the cloud's does on every rule a kiosk can judge. The rules only the cloud
// can judge (its record of used envelopes, close reports, the screen's counters as it received them,
// deck-less taps of older kiosks) are pinned by the cloud's run of the same table.
import { describe, expect, it } from 'vitest';
import {
  baseKnowledge,
  baseTap,
  caseRules,
  caseWorld,
  DayStateFlag,
  emptyWalletDay,
  ErrorCode,
  ruleCases,
  type CampaignConfig,
  type DayState,
  type RuleCase,
  type TapKnowledge,
} from '@redtap/shared';
import { KioskJudge, certaintyOf } from './kiosk-judge.ts';
import { walletDayOf } from './kiosk-knowledge.ts';

/** Rules a kiosk judges on what it holds: its deck, its config and the phone's day state. */
const KIOSK_RULES = new Set<string>([
  'credited',
  ErrorCode.CAP_WALLET_DAILY_COUNT,
  ErrorCode.CAP_WALLET_DAILY_AMOUNT,
  ErrorCode.CAP_CAMPAIGN_WALLET,
  ErrorCode.CAP_ADVERTISER_WALLET,
  ErrorCode.FRAUD_IMPOSSIBLE_TRAVEL,
  ErrorCode.FRAUD_TOO_MANY_SCREENS,
  ErrorCode.FALLBACK_NOT_ALLOTTED,
  ErrorCode.CLAIM_PATH_NOT_OFFERED,
  'travel by city key',
]);

/** An advertiser's packets that no listed campaign accounts for ride on a campaign the kiosk does not know. */
const UNLISTED_CAMPAIGN_ID = 9_999;

/** The day state an honest phone would send for this knowledge of the wallet. */
function dayStateOf(knowledge: TapKnowledge): DayState | null {
  const day = knowledge.walletDay;
  if (day === null) return null;
  const campaigns = [...new Set([...day.cashByCampaign.keys(), ...day.couponsByCampaign.keys()])].map(
    (campaignId): DayState['campaigns'][number] => ({
      campaignId,
      advertiserId: caseWorld.advertiserId,
      cash: day.cashByCampaign.get(campaignId) ?? 0,
      coupons: day.couponsByCampaign.get(campaignId) ?? 0,
    }),
  );
  for (const [advertiserId, cash] of day.cashByAdvertiser) {
    const listed = campaigns
      .filter((entry) => entry.advertiserId === advertiserId)
      .reduce((sum, entry) => sum + entry.cash, 0);
    if (cash > listed)
      campaigns.push({ campaignId: UNLISTED_CAMPAIGN_ID, advertiserId, cash: cash - listed, coupons: 0 });
  }
  const here = day.cashScreens.has(caseWorld.screenId);
  const lastTap = knowledge.travel?.lastTap ?? null;
  return {
    version: 1,
    walletId: caseWorld.walletId,
    dayStart: 0,
    cashCount: day.cashCount,
    cashFen: day.cashFen,
    screensWithCash: day.cashScreens.size + day.cashScreensUnlisted,
    flags: here ? DayStateFlag.thisScreenHasCash : 0,
    lastTapTs: lastTap?.ts ?? 0,
    lastCityKey: lastTap?.cityKey ?? 0,
    campaigns,
    signature: new Uint8Array(64),
  };
}

/** The case's campaign as the screen config carries it. */
function campaignConfigOf(knowledge: TapKnowledge): CampaignConfig {
  const campaign = knowledge.campaign;
  if (campaign === null) throw new Error('every kiosk case has its campaign');
  return {
    campaignId: campaign.campaignId,
    advertiserId: campaign.advertiserId,
    name: 'Case campaign',
    sponsor: 'Case brand',
    cashPerWalletPerDay: campaign.cashPerWalletPerDay,
    couponsPerWalletPerDay: campaign.couponsPerWalletPerDay,
    fallbackCouponOfferId: campaign.fallbackCouponOfferId,
    ...(campaign.claimPaths === undefined ? {} : { claimPaths: [...campaign.claimPaths] }),
    couponOffers: [...campaign.offers].map(([couponOfferId, offer]) => ({
      couponOfferId,
      title: `Offer ${couponOfferId}`,
      valueFen: 100,
      validUntil: offer.validUntil,
    })),
  };
}

function kioskCase(ruleCase: RuleCase): boolean {
  if (!KIOSK_RULES.has(ruleCase.rule) || ruleCase.earlier !== undefined) return false;
  const tap = ruleCase.tap(baseTap());
  return tap.deckId === caseWorld.deckId && tap.priorCode === null;
}

describe('the kiosk judges as the cloud on every rule a kiosk can judge', () => {
  const cases = ruleCases.filter(kioskCase);

  it('covers the caps, travel and the allotment', () => {
    const rules = new Set(cases.map((ruleCase) => ruleCase.rule));
    for (const rule of KIOSK_RULES) expect(rules, rule).toContain(rule);
  });

  for (const ruleCase of cases) {
    it(ruleCase.name, () => {
      const knowledge = baseKnowledge();
      ruleCase.knowledge?.(knowledge);
      const tap = ruleCase.tap(baseTap());
      const campaign = campaignConfigOf(knowledge);
      const deck = knowledge.deck;
      if (deck === null) throw new Error('every kiosk case names the deck');
      const judge = new KioskJudge({
        screenId: tap.screenId,
        cityKey: tap.cityKey,
        rules: caseRules,
        timezone: caseRules.capTimezone,
        walletId: tap.walletId,
        counter: tap.counter,
        ts: tap.ts,
        dayState: dayStateOf(knowledge),
        local: [],
        campaigns: [campaign],
        screen: { counterMax: tap.counter - 1, tsAtCounterMax: tap.ts - 60, windowCounter: 0, windowTs: 0 },
      });
      const verdict = judge.judge(
        {
          campaign,
          deck: {
            deckId: deck.deckId,
            validFrom: deck.validFrom,
            validUntil: deck.validUntil,
            count: deck.envelopeCount,
            fallbackCount: deck.fallbackCount,
          },
          envelopeIndex: tap.envelopeIndex,
          amountFen: tap.amountFen,
          couponOfferId: tap.couponOfferId,
        },
        campaign,
      );
      const { status, code, amountFen, couponOfferId } = ruleCase.expected;
      expect(verdict).toMatchObject({
        ...(status === undefined ? {} : { status }),
        ...(code === undefined ? {} : { code }),
        ...(amountFen === undefined ? {} : { amountFen }),
        ...(couponOfferId === undefined ? {} : { couponOfferId }),
        // With an honest phone's day state the kiosk knows as much as the cloud about these rules.
        certain: true,
      });
      if (verdict.status === 'credited') expect(certaintyOf(verdict)).toBe('firm');
    });
  }
});

describe("the kiosk's knowledge of the wallet's day", () => {
  const state = (overrides: Partial<DayState>): DayState => ({
    version: 1,
    walletId: 9,
    dayStart: 0,
    cashCount: 0,
    cashFen: 0,
    screensWithCash: 0,
    flags: 0,
    lastTapTs: 0,
    lastCityKey: 0,
    campaigns: [],
    signature: new Uint8Array(64),
    ...overrides,
  });
  const advertiserOf = (campaignId: number) => (campaignId === 7 ? 3 : undefined);

  it("without a day state, the screen's own counts are a lower bound", () => {
    const day = walletDayOf({
      dayState: null,
      local: [{ campaignId: 7, cash: 2, coupons: 1 }],
      screenId: 11,
      advertiserOf,
    });
    expect(day).toMatchObject({ complete: false, cashCount: 2 });
    expect(day.cashByAdvertiser.get(3)).toBe(2);
    expect(day.cashScreens.has(11)).toBe(true);
  });

  it('a day state that lists every campaign and every tap here is complete', () => {
    const day = walletDayOf({
      dayState: state({
        cashCount: 3,
        cashFen: 200,
        screensWithCash: 2,
        flags: DayStateFlag.thisScreenHasCash,
        campaigns: [{ campaignId: 7, advertiserId: 3, cash: 3, coupons: 0 }],
      }),
      local: [{ campaignId: 7, cash: 1, coupons: 0 }],
      screenId: 11,
      advertiserOf,
    });
    expect(day).toMatchObject({ complete: true, cashCount: 3, cashFen: 200, cashScreensUnlisted: 1 });
  });

  it('a tap here the phone does not know of makes it incomplete, and counts', () => {
    const day = walletDayOf({
      dayState: state({ cashCount: 1, campaigns: [{ campaignId: 7, advertiserId: 3, cash: 1, coupons: 0 }] }),
      local: [{ campaignId: 7, cash: 2, coupons: 0 }],
      screenId: 11,
      advertiserOf,
    });
    expect(day).toMatchObject({ complete: false, cashCount: 2 });
  });

  it('a truncated campaign list is incomplete', () => {
    const day = walletDayOf({
      dayState: state({ flags: DayStateFlag.campaignsTruncated }),
      local: [],
      screenId: 11,
      advertiserOf,
    });
    expect(day.complete).toBe(false);
    expect(emptyWalletDay(false).complete).toBe(false);
  });
});
