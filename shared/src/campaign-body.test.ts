import { describe, expect, it } from 'vitest';
import {
  CAMPAIGN_START_PAST_GRACE_S,
  CampaignBody,
  CLAIM_RESERVE_PERCENT_DEFAULT,
  CLAIM_RESERVE_PERCENT_MAX,
  campaignScheduleIssues,
  claimReservePercent,
  offersOnlineClaims,
  offersPath,
} from './campaign-body.ts';
import { FieldCode, fieldIssuesOf } from './field-issues.ts';

const NOW_S = 1_800_000_000;
const DAY_S = 86_400;

const valid = {
  name: 'Noon tea',
  sponsor: 'Tea Co',
  startsAt: NOW_S + 3600,
  endsAt: NOW_S + 30 * DAY_S,
  dayparts: [{ days: [1, 2], startMinute: 660, endMinute: 780 }],
  budgetFen: 1_000,
  prizePlan: { kind: 'tiers', tiers: [{ amountFen: 100, count: 10 }] },
  couponOffers: [
    { title: 'Free upsize', valueFen: 500, stock: 10, validUntil: NOW_S + 60 * DAY_S, validityDays: 30 },
  ],
  rules: { cashPerWalletPerDay: 1, couponsPerWalletPerDay: 1, fallbackCouponOfferIndex: 0 },
  creatives: [{ sha256: 'a'.repeat(64), durationMs: 15_000 }],
};

function issuesOf(body: unknown) {
  const parsed = CampaignBody.safeParse(body);
  return parsed.success ? [] : fieldIssuesOf(parsed.error).map((issue) => [issue.path, issue.code]);
}

describe('the campaign body', () => {
  it('accepts a complete campaign, and refuses one without creatives at `creatives`', () => {
    expect(issuesOf(valid)).toEqual([]);
    const { creatives: _left, ...without } = valid;
    expect(issuesOf(without)).toEqual([['creatives', FieldCode.REQUIRED]]);
    expect(issuesOf({ ...valid, creatives: [] })).toEqual([['creatives', FieldCode.CREATIVE_MISSING]]);
  });

  it.each([
    [
      'a title of 300 characters',
      { couponOffers: [{ ...valid.couponOffers[0], title: 'x'.repeat(300) }] },
      'couponOffers.0.title',
      FieldCode.TOO_LONG,
    ],
    [
      'negative stock, named against 1',
      { couponOffers: [{ ...valid.couponOffers[0], stock: -5 }] },
      'couponOffers.0.stock',
      FieldCode.TOO_SMALL,
    ],
    [
      'a coupon worth nothing',
      { couponOffers: [{ ...valid.couponOffers[0], valueFen: 0 }] },
      'couponOffers.0.valueFen',
      FieldCode.TOO_SMALL,
    ],
    [
      'a daypart without days',
      { dayparts: [{ days: [], startMinute: 0, endMinute: 60 }] },
      'dayparts.0.days',
      FieldCode.DAYPART_NO_DAYS,
    ],
    ['an empty creative list', { creatives: [] }, 'creatives', FieldCode.CREATIVE_MISSING],
    [
      'a stray fallback',
      { rules: { ...valid.rules, fallbackCouponOfferIndex: 4 } },
      'rules.fallbackCouponOfferIndex',
      FieldCode.FALLBACK_NO_OFFER,
    ],
    ['a budget the plan does not total', { budgetFen: 2_000 }, 'budgetFen', FieldCode.PLAN_NOT_BUDGET],
  ])('names %s on its field', (_case, change, path, code) => {
    expect(issuesOf({ ...valid, ...change })).toContainEqual([path, code]);
  });

  it('keeps the bound of a too-small count as its own param', () => {
    const parsed = CampaignBody.safeParse({
      ...valid,
      couponOffers: [{ ...valid.couponOffers[0], stock: 0 }],
    });
    expect(parsed.success ? [] : fieldIssuesOf(parsed.error)).toEqual([
      expect.objectContaining({ path: 'couponOffers.0.stock', params: { minimum: 1 } }),
    ]);
  });

  it('refuses a start beyond the grace in the past, unless it is the stored one sent again', () => {
    const past = { ...valid, startsAt: NOW_S - CAMPAIGN_START_PAST_GRACE_S - 1 };
    expect(campaignScheduleIssues(past, NOW_S).map((issue) => issue.code)).toEqual([
      FieldCode.STARTS_IN_PAST,
    ]);
    expect(campaignScheduleIssues(past, NOW_S, { startsAt: past.startsAt })).toEqual([]);
    expect(campaignScheduleIssues({ ...valid, startsAt: NOW_S - 3600 }, NOW_S)).toEqual([]);
  });

  it('offers every path without claimPaths, and only the named ones with them', () => {
    expect(offersPath({}, 'tap')).toBe(true);
    expect(offersPath({ claimPaths: ['qr'] }, 'tap')).toBe(false);
    expect(offersPath({ claimPaths: ['qr'] }, 'qr')).toBe(true);
    expect(offersOnlineClaims({ claimPaths: ['tap'] })).toBe(false);
    expect(offersOnlineClaims({ claimPaths: ['tap', 'sticker'] })).toBe(true);
  });

  it('reserves the default share for online claims, none without an online path, within bounds', () => {
    expect(claimReservePercent({})).toBe(CLAIM_RESERVE_PERCENT_DEFAULT);
    expect(claimReservePercent({ claimReservePercent: 25 })).toBe(25);
    expect(claimReservePercent({ claimPaths: ['tap'], claimReservePercent: 25 })).toBe(0);
    const rules = (claimReservePercentValue: number) => ({
      ...valid,
      rules: { ...valid.rules, claimReservePercent: claimReservePercentValue },
    });
    expect(issuesOf(rules(0))).toEqual([]);
    expect(issuesOf(rules(CLAIM_RESERVE_PERCENT_MAX))).toEqual([]);
    expect(issuesOf(rules(CLAIM_RESERVE_PERCENT_MAX + 1))).toEqual([
      ['rules.claimReservePercent', FieldCode.TOO_BIG],
    ]);
    expect(issuesOf(rules(-1))).toEqual([['rules.claimReservePercent', FieldCode.TOO_SMALL]]);
  });
});
