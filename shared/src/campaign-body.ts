// The campaign create/update body: one zod schema that the cloud's route validates requests with and the
// console's wizard checks its form against before it sends, so both refuse the same things with the same
// field paths and codes (field-issues.ts). Rules that depend on the clock are in campaignScheduleIssues,
// which both apply with their own "now". Browser-safe: zod and the shared money rules only.
import { z } from 'zod';
import { FieldCode, type FieldIssue } from './field-issues.ts';
import { ENVELOPES_PER_PLAN_MAX, FEN_MAX, formatFen, luckyPlanProblem, planTotalFen } from './money.ts';

/** The ways a campaign's prize can be won (CampaignRules.claimPaths). */
export const claimPaths = ['tap', 'qr', 'reader_tag', 'sticker'] as const;
export type ClaimPath = (typeof claimPaths)[number];
/** The paths claimed online, by a phone without the wallet app (docs/protocol.md §7a). */
export const onlineClaimPaths = ['qr', 'reader_tag', 'sticker'] as const satisfies readonly ClaimPath[];

/**
 * A campaign offers a claim path unless its rules name paths without it (absent = all). The one rule for
 * every tier: the kiosk awards an app tap, the cloud settles a tap token or a claim, and the cloud cuts
 * decks, only for a campaign that offers the path (docs/protocol.md §3.4, §7, §7a).
 */
export function offersPath(
  rules: { claimPaths?: readonly ClaimPath[] | undefined },
  path: ClaimPath,
): boolean {
  return rules.claimPaths === undefined || rules.claimPaths.includes(path);
}

/** True when the campaign's prizes may be claimed online (a QR ticket, a reader-tag ticket, a sticker). */
export function offersOnlineClaims(rules: { claimPaths?: readonly ClaimPath[] | undefined }): boolean {
  return onlineClaimPaths.some((path) => offersPath(rules, path));
}

/**
 * The share of a campaign's envelopes (in percent of what it has left) that decks leave in the pool for
 * online claims, when it offers any (docs/protocol.md §3.4): absent in its rules, the default.
 */
export const CLAIM_RESERVE_PERCENT_DEFAULT = 10;
export const CLAIM_RESERVE_PERCENT_MAX = 50;

/** The claim reserve a campaign's rules ask for: 0 without online paths, else its percent or the default. */
export function claimReservePercent(rules: {
  claimPaths?: readonly ClaimPath[] | undefined;
  claimReservePercent?: number | undefined;
}): number {
  if (!offersOnlineClaims(rules)) return 0;
  return rules.claimReservePercent ?? CLAIM_RESERVE_PERCENT_DEFAULT;
}

/** Characters of a campaign's name, sponsor, coupon title or target name. */
export const CAMPAIGN_TEXT_MAX = 200;
export const COUPON_TERMS_MAX = 2000;
export const COUPON_OFFERS_PER_CAMPAIGN_MAX = 64;
/**
 * Coupons of all offers of one campaign. Coupons ride the plan's cash envelopes and the rest come alone,
 * so the pool holds at most max(envelopes, stock) rows: with this bound never more than a plan's own
 * envelope limit (64 offers of 65,535 each would otherwise materialise millions of rows).
 */
export const COUPON_STOCK_PER_CAMPAIGN_MAX = ENVELOPES_PER_PLAN_MAX;
export const COUPON_VALIDITY_DAYS_MAX = 3650;
export const CREATIVES_PER_CAMPAIGN_MAX = 32;
export const CREATIVE_DURATION_MS_MIN = 1000;
export const CREATIVE_DURATION_MS_MAX = 600_000;
export const DAYPARTS_PER_CAMPAIGN_MAX = 16;
export const PRIZE_TIERS_MAX = 32;
/**
 * How far back a new start may lie: a promotion saved a little after it began still starts "now", while
 * an older start (a typo such as 2020) is refused. A stored start that is sent again unchanged (an edit)
 * is never refused for lying in the past.
 */
export const CAMPAIGN_START_PAST_GRACE_S = 2 * 86_400;

const u32 = z.number().int().min(0).max(0xffffffff);
const id = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const text = z.string().trim().min(1).max(CAMPAIGN_TEXT_MAX);
const positiveFen = z.number().int().min(1).max(FEN_MAX);
const envelopeCount = z.number().int().min(0).max(ENVELOPES_PER_PLAN_MAX);
// Not envelopeCount.min(1): a number below both bounds would be reported against 0 first.
const positiveCount = z.number().int().min(1).max(ENVELOPES_PER_PLAN_MAX);

function custom(code: FieldCode, message: string, params: Record<string, string | number> = {}) {
  return { code: 'custom' as const, message, params: { code, ...params } };
}

export const CampaignDaypart = z
  .object({
    /** ISO weekdays 1 (Monday) … 7; at least one. */
    days: z
      .array(z.number().int().min(1).max(7))
      .max(7)
      .refine((days) => days.length > 0, {
        message: 'pick at least one day',
        params: { code: FieldCode.DAYPART_NO_DAYS },
      }),
    startMinute: z.number().int().min(0).max(1439),
    endMinute: z.number().int().min(1).max(1440),
  })
  .superRefine((daypart, ctx) => {
    if (daypart.endMinute <= daypart.startMinute)
      ctx.addIssue({
        ...custom(FieldCode.DAYPART_ENDS_BEFORE_START, 'endMinute must follow startMinute'),
        path: ['endMinute'],
      });
  });
export type CampaignDaypart = z.infer<typeof CampaignDaypart>;

const LUCKY_PROBLEM_FIELD = {
  INTEGERS: 'count',
  COUNT: 'count',
  MIN: 'minFen',
  MAX_BELOW_MIN: 'maxFen',
  MAX_TOO_LARGE: 'maxFen',
  TOTAL_LOW: 'totalFen',
  TOTAL_HIGH: 'totalFen',
} as const;

export const CampaignPrizePlan = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('lucky'),
      totalFen: positiveFen,
      count: positiveCount,
      minFen: positiveFen,
      maxFen: positiveFen,
    })
    .superRefine((plan, ctx) => {
      const problem = luckyPlanProblem(plan);
      if (problem !== null)
        ctx.addIssue({
          ...custom(FieldCode.PLAN_INFEASIBLE, `the lucky plan is infeasible: ${problem}`, {
            problem,
            minFen: plan.minFen,
            maxFen: plan.maxFen,
            count: plan.count,
          }),
          path: [LUCKY_PROBLEM_FIELD[problem]],
        });
    }),
  z.object({
    kind: z.literal('tiers'),
    tiers: z
      .array(z.object({ amountFen: positiveFen, count: envelopeCount }))
      .min(1)
      .max(PRIZE_TIERS_MAX)
      .superRefine((tiers, ctx) => {
        const count = tiers.reduce((sum, tier) => sum + tier.count, 0);
        if (count < 1)
          ctx.addIssue(custom(FieldCode.ENVELOPES_NONE, 'the tiers hold no envelope', { count }));
        else if (count > ENVELOPES_PER_PLAN_MAX)
          ctx.addIssue(
            custom(FieldCode.ENVELOPES_TOO_MANY, `the tiers hold ${count} envelopes`, {
              count,
              maximum: ENVELOPES_PER_PLAN_MAX,
            }),
          );
      }),
  }),
]);
export type CampaignPrizePlan = z.infer<typeof CampaignPrizePlan>;

export const CampaignCouponOffer = z.object({
  title: text,
  /** What the coupon is worth at the till: a coupon worth nothing is not an offer. */
  valueFen: positiveFen,
  /** Coupons of this offer in the pool: at least one. */
  stock: positiveCount,
  validUntil: u32,
  validityDays: z.number().int().min(1).max(COUPON_VALIDITY_DAYS_MAX),
  terms: z.string().max(COUPON_TERMS_MAX).default(''),
});
export type CampaignCouponOffer = z.infer<typeof CampaignCouponOffer>;

export const CampaignCreativeInput = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  durationMs: z.number().int().min(CREATIVE_DURATION_MS_MIN).max(CREATIVE_DURATION_MS_MAX),
});

export const CampaignBody = z
  .object({
    /** Operators create on behalf of an advertiser; an advertiser's own id is taken from its session. */
    advertiserId: id.optional(),
    name: text,
    sponsor: text,
    startsAt: u32,
    endsAt: u32,
    dayparts: z.array(CampaignDaypart).max(DAYPARTS_PER_CAMPAIGN_MAX).default([]),
    targeting: z
      .object({
        cities: z.array(text).max(100).default([]),
        buildings: z.array(text).max(1000).default([]),
        screenGroupIds: z.array(id).max(100).default([]),
      })
      .default({ cities: [], buildings: [], screenGroupIds: [] }),
    budgetFen: positiveFen,
    prizePlan: CampaignPrizePlan,
    couponOffers: z
      .array(CampaignCouponOffer)
      .max(COUPON_OFFERS_PER_CAMPAIGN_MAX)
      .default([])
      .superRefine((offers, ctx) => {
        const stock = offers.reduce((sum, offer) => sum + offer.stock, 0);
        if (stock > COUPON_STOCK_PER_CAMPAIGN_MAX)
          ctx.addIssue(
            custom(FieldCode.COUPON_STOCK_TOO_LARGE, `the offers' stock totals ${stock} coupons`, {
              stock,
              maximum: COUPON_STOCK_PER_CAMPAIGN_MAX,
            }),
          );
      }),
    rules: z
      .object({
        cashPerWalletPerDay: z.number().int().min(0).max(100).default(1),
        couponsPerWalletPerDay: z.number().int().min(0).max(100).default(1),
        fallbackCouponOfferIndex: z
          .number()
          .int()
          .min(0)
          .max(COUPON_OFFERS_PER_CAMPAIGN_MAX - 1)
          .nullable()
          .default(null),
        /** While this campaign is on screen, may another campaign pay a tap this one cannot? */
        fallThrough: z.boolean().default(false),
        /**
         * Where the campaign's red packets may be won: a tap of the wallet app, or an online claim of a
         * screen's QR ticket, reader-tag ticket or bezel sticker (docs/protocol.md §7a). Absent: all.
         */
        claimPaths: z.array(z.enum(claimPaths)).min(1).max(claimPaths.length).optional(),
        /**
         * Percent of the envelopes the campaign has left that its decks leave in the pool for online
         * claims, when it offers any (docs/protocol.md §3.4). Absent: CLAIM_RESERVE_PERCENT_DEFAULT.
         */
        claimReservePercent: z.number().int().min(0).max(CLAIM_RESERVE_PERCENT_MAX).optional(),
      })
      .default({
        cashPerWalletPerDay: 1,
        couponsPerWalletPerDay: 1,
        fallbackCouponOfferIndex: null,
        fallThrough: false,
      }),
    /**
     * What the screens play: at least one creative, already uploaded. Left out, the body is refused at
     * `creatives` (REQUIRED); sent empty, at `creatives` too (CREATIVE_MISSING).
     */
    creatives: z
      .array(CampaignCreativeInput)
      .max(CREATIVES_PER_CAMPAIGN_MAX)
      .refine((creatives) => creatives.length > 0, {
        message: 'add at least one creative',
        params: { code: FieldCode.CREATIVE_MISSING },
      }),
  })
  .superRefine((body, ctx) => {
    if (body.endsAt <= body.startsAt)
      ctx.addIssue({
        ...custom(FieldCode.ENDS_BEFORE_START, 'endsAt must follow startsAt'),
        path: ['endsAt'],
      });
    const planFen = planTotalFen(body.prizePlan);
    if (planFen !== body.budgetFen)
      ctx.addIssue({
        ...custom(
          FieldCode.PLAN_NOT_BUDGET,
          `prize plan totals ${formatFen(planFen)}, budget is ${formatFen(body.budgetFen)}`,
          {
            planFen,
            budgetFen: body.budgetFen,
          },
        ),
        path: ['budgetFen'],
      });
    const fallback = body.rules.fallbackCouponOfferIndex;
    if (fallback !== null && fallback >= body.couponOffers.length)
      ctx.addIssue({
        ...custom(FieldCode.FALLBACK_NO_OFFER, 'fallbackCouponOfferIndex names no offer'),
        path: ['rules', 'fallbackCouponOfferIndex'],
      });
  });
export type CampaignBodyInput = z.input<typeof CampaignBody>;
export type CampaignBody = z.output<typeof CampaignBody>;

/**
 * The rules of a campaign body that depend on the clock: a start more than the grace in the past, an end
 * already past (or before the start), and coupon offers that would hand out coupons expired at once. `stored` is the campaign
 * being edited: its start sent again unchanged is not refused for lying in the past.
 */
export function campaignScheduleIssues(
  body: {
    startsAt: number;
    endsAt: number;
    couponOffers: readonly { validUntil: number }[];
  },
  nowS: number,
  stored?: { startsAt: number },
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (body.startsAt !== stored?.startsAt && body.startsAt < nowS - CAMPAIGN_START_PAST_GRACE_S)
    issues.push({
      path: 'startsAt',
      code: FieldCode.STARTS_IN_PAST,
      message: 'startsAt lies in the past',
      params: { graceS: CAMPAIGN_START_PAST_GRACE_S },
    });
  if (body.endsAt <= nowS)
    issues.push({ path: 'endsAt', code: FieldCode.ENDS_IN_PAST, message: 'endsAt lies in the past' });
  // Also a schema rule; repeated here so a form sees it before its other fields are complete.
  else if (body.endsAt <= body.startsAt)
    issues.push({
      path: 'endsAt',
      code: FieldCode.ENDS_BEFORE_START,
      message: 'endsAt must follow startsAt',
    });
  // A coupon is handed out at a tap between startsAt and endsAt and is valid until
  // min(validUntil, tap + validityDays): a validUntil before now or before the start is a coupon that
  // is expired the moment it is issued.
  body.couponOffers.forEach((offer, index) => {
    if (offer.validUntil <= Math.max(nowS, body.startsAt))
      issues.push({
        path: `couponOffers.${index}.validUntil`,
        code: FieldCode.COUPON_VALID_UNTIL_PAST,
        message: `coupon offer ${index} ends before the campaign starts or before now; pick a later validUntil`,
      });
  });
  return issues;
}
