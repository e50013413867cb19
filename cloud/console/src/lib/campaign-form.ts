// The campaign wizard's form: what a person typed (numbers stay as typed, never clamped, rounded or
// defaulted), the request body built from it, and what is wrong with it by the cloud's own schema
// (@redtap/shared/campaign) with the same field paths and codes the API replies. Drafts of a new campaign
// are kept in localStorage per signed-in account, so a reload loses nothing.
import {
  CampaignBody,
  CLAIM_RESERVE_PERCENT_DEFAULT,
  campaignScheduleIssues,
  claimPaths,
  offersOnlineClaims,
  type ClaimPath,
} from '@redtap/shared/campaign';
import { fieldIssuesOf, type FieldIssue } from '@redtap/shared/field-issues';
import type { Campaign, CampaignInput, StoredContent } from '../api/types.ts';
import { fromLocalInput, toLocalInput } from './format.ts';

/** A number box's value: a number, or '' while it is empty or half-typed ("-"). */
export type NumberField = number | '';

export interface CreativeDraft extends StoredContent {
  durationS: NumberField;
}

export interface DaypartDraft {
  key: number;
  days: number[];
  startMinute: number;
  endMinute: number;
}

export interface TierDraft {
  key: number;
  amountFen: number | null;
  count: NumberField;
}

export interface CouponDraft {
  key: number;
  title: string;
  /** Null while the money box holds no valid amount (the box says why). */
  valueFen: number | null;
  stock: NumberField;
  /** `YYYY-MM-DD`, local time; the coupon is valid to the end of that day. */
  validUntil: string;
  validityDays: NumberField;
  terms: string;
}

export interface CampaignForm {
  name: string;
  sponsor: string;
  advertiserId: string | null;
  creatives: CreativeDraft[];
  startsAt: string;
  endsAt: string;
  dayparts: DaypartDraft[];
  cities: string[];
  /** (city, building) pairs as JSON: one building name may stand in several cities. */
  buildingKeys: string[];
  groupIds: string[];
  planKind: 'lucky' | 'tiers';
  lucky: { count: NumberField; totalFen: number | null; minFen: number | null; maxFen: number | null };
  tiers: TierDraft[];
  coupons: CouponDraft[];
  rules: {
    cashPerWalletPerDay: NumberField;
    couponsPerWalletPerDay: NumberField;
    /** The fallback offer's index as text (a Select value), or null for none. */
    fallback: string | null;
    fallThrough: boolean;
    /** Where its prizes may be won, in claimPaths order; every path is sent as none (absent = all). */
    claimPaths: ClaimPath[];
    /** The share of what is left that decks leave for online claims; only sent with an online path. */
    claimReservePercent: NumberField;
  };
}

export const WIZARD_STEPS = ['basics', 'schedule', 'targeting', 'budget', 'coupons', 'review'] as const;
const DAY_S = 86_400;
const HOUR_S = 3600;

let keySequence = 1;
export function nextKey(): number {
  return keySequence++;
}

/** A new campaign: starting at the next full hour, for 30 days. */
export function emptyForm(nowS = Math.floor(Date.now() / 1000)): CampaignForm {
  const start = nowS - (nowS % HOUR_S) + HOUR_S;
  return {
    name: '',
    sponsor: '',
    advertiserId: null,
    creatives: [],
    startsAt: toLocalInput(start),
    endsAt: toLocalInput(start + 30 * DAY_S),
    dayparts: [],
    cities: [],
    buildingKeys: [],
    groupIds: [],
    planKind: 'lucky',
    lucky: { count: 100, totalFen: 10_000, minFen: 1, maxFen: 1_000 },
    tiers: [
      { key: nextKey(), amountFen: 888, count: 10 },
      { key: nextKey(), amountFen: 88, count: 100 },
    ],
    coupons: [],
    rules: emptyRules(),
  };
}

function emptyRules(): CampaignForm['rules'] {
  return {
    cashPerWalletPerDay: 1,
    couponsPerWalletPerDay: 1,
    fallback: null,
    fallThrough: false,
    claimPaths: [...claimPaths],
    claimReservePercent: CLAIM_RESERVE_PERCENT_DEFAULT,
  };
}

/**
 * The claim paths and reserve as the body sends them: every path is left out (the campaign then offers
 * whatever paths come later too), none is sent empty so the schema names it, and the reserve goes only
 * with an online path, an empty box meaning the default.
 */
export function claimRulesOf(rules: CampaignForm['rules']): {
  claimPaths?: ClaimPath[];
  claimReservePercent?: number;
} {
  const chosen = claimPaths.filter((path) => rules.claimPaths.includes(path));
  const paths = chosen.length === claimPaths.length ? {} : { claimPaths: chosen };
  const reserve =
    offersOnlineClaims(paths) && rules.claimReservePercent !== ''
      ? { claimReservePercent: rules.claimReservePercent }
      : {};
  return { ...paths, ...reserve };
}

export function buildingKey(city: string, building: string): string {
  return JSON.stringify([city, building]);
}

function partOfKey(key: string, index: 0 | 1): string | null {
  try {
    const parsed: unknown = JSON.parse(key);
    if (!Array.isArray(parsed)) return null;
    const part: unknown = parsed[index];
    return typeof part === 'string' ? part : null;
  } catch {
    return null;
  }
}

export const cityOfKey = (key: string) => partOfKey(key, 0);
export const buildingOfKey = (key: string) => partOfKey(key, 1);

/** Unix seconds of the end of a coupon's last valid day (local time), or null for an empty date. */
export function couponValidUntilS(date: string): number | null {
  return date === '' ? null : fromLocalInput(`${date}T23:59`);
}

const orUndefined = <T>(value: T | null | ''): T | undefined =>
  value === null || value === '' ? undefined : value;

/** The plan's total when every amount is a number, else undefined (the boxes say what is missing). */
export function planTotalOf(form: CampaignForm): number | undefined {
  if (form.planKind === 'lucky') return orUndefined(form.lucky.totalFen);
  let total = 0;
  for (const tier of form.tiers) {
    if (tier.amountFen === null || tier.count === '') return undefined;
    total += tier.amountFen * tier.count;
  }
  return total;
}

/**
 * The request body as typed: an empty box is left out (the schema says it is required), and a negative
 * or huge number is sent as it is, so the schema names its bound instead of the form bending it.
 */
export function bodyOf(form: CampaignForm, operator: boolean): Record<string, unknown> {
  const fallback = form.rules.fallback;
  return {
    ...(operator && form.advertiserId !== null ? { advertiserId: Number(form.advertiserId) } : {}),
    name: form.name,
    sponsor: form.sponsor,
    startsAt: orUndefined(fromLocalInput(form.startsAt)),
    endsAt: orUndefined(fromLocalInput(form.endsAt)),
    dayparts: form.dayparts.map(({ days, startMinute, endMinute }) => ({ days, startMinute, endMinute })),
    targeting: {
      cities: form.cities,
      buildings: [...new Set(form.buildingKeys.map(buildingOfKey).filter((building) => building !== null))],
      screenGroupIds: form.groupIds.map(Number).filter((id) => Number.isSafeInteger(id) && id > 0),
    },
    budgetFen: planTotalOf(form),
    prizePlan:
      form.planKind === 'lucky'
        ? {
            kind: 'lucky',
            count: orUndefined(form.lucky.count),
            totalFen: orUndefined(form.lucky.totalFen),
            minFen: orUndefined(form.lucky.minFen),
            maxFen: orUndefined(form.lucky.maxFen),
          }
        : {
            kind: 'tiers',
            tiers: form.tiers.map((tier) => ({
              amountFen: orUndefined(tier.amountFen),
              count: orUndefined(tier.count),
            })),
          },
    couponOffers: form.coupons.map((coupon) => ({
      title: coupon.title,
      valueFen: orUndefined(coupon.valueFen),
      stock: orUndefined(coupon.stock),
      validUntil: orUndefined(couponValidUntilS(coupon.validUntil)),
      validityDays: orUndefined(coupon.validityDays),
      terms: coupon.terms,
    })),
    rules: {
      cashPerWalletPerDay: orUndefined(form.rules.cashPerWalletPerDay),
      couponsPerWalletPerDay: orUndefined(form.rules.couponsPerWalletPerDay),
      fallbackCouponOfferIndex: fallback === null ? null : Number(fallback),
      fallThrough: form.rules.fallThrough,
      ...claimRulesOf(form.rules),
    },
    creatives: form.creatives.map((creative) => ({
      sha256: creative.sha256,
      durationMs: creative.durationS === '' ? undefined : creative.durationS * 1000,
    })),
  };
}

export interface FormCheck {
  /** The body the API takes (as its OpenAPI document declares it), once nothing is wrong. */
  body: CampaignInput | null;
  issues: FieldIssue[];
}

/**
 * What the cloud would refuse: its schema, then its clock rules with this browser's clock. `stored` is
 * the campaign being edited, whose unchanged start may lie in the past.
 */
export function checkForm(
  form: CampaignForm,
  options: {
    operator: boolean;
    nowS: number;
    stored?: { startsAt: number; endsAt: number; couponOffers: readonly { validUntil: number }[] };
  },
): FormCheck {
  const body = keepStoredInstants(bodyOf(form, options.operator), form, options.stored);
  const parsed = CampaignBody.safeParse(body);
  const issues = parsed.success ? [] : fieldIssuesOf(parsed.error);
  const startsAt = body.startsAt;
  const endsAt = body.endsAt;
  if (typeof startsAt === 'number' && typeof endsAt === 'number') {
    const couponOffers = form.coupons.map((coupon) => ({
      validUntil: couponValidUntilS(coupon.validUntil) ?? Number.POSITIVE_INFINITY,
    }));
    for (const issue of campaignScheduleIssues(
      { startsAt, endsAt, couponOffers },
      options.nowS,
      options.stored,
    ))
      if (!issues.some((known) => known.path === issue.path && known.code === issue.code)) issues.push(issue);
  }
  if (options.operator && form.advertiserId === null)
    issues.push({ path: 'advertiserId', code: 'REQUIRED', message: 'choose the advertiser' });
  return { body: issues.length === 0 && parsed.success ? (body as CampaignInput) : null, issues };
}

/**
 * The form shows instants to the minute (dates to the day): an untouched box sends the stored instant
 * back, not the minute it shows, so an edit changes only what was edited.
 */
function keepStoredInstants(
  body: Record<string, unknown>,
  form: CampaignForm,
  stored?: { startsAt: number; endsAt: number; couponOffers: readonly { validUntil: number }[] },
): Record<string, unknown> {
  if (stored === undefined) return body;
  const offers = Array.isArray(body.couponOffers) ? (body.couponOffers as Record<string, unknown>[]) : [];
  return {
    ...body,
    ...(form.startsAt === toLocalInput(stored.startsAt) ? { startsAt: stored.startsAt } : {}),
    ...(form.endsAt === toLocalInput(stored.endsAt) ? { endsAt: stored.endsAt } : {}),
    couponOffers: offers.map((offer, index) => {
      const storedOffer = stored.couponOffers[index];
      const shown = form.coupons[index]?.validUntil;
      return storedOffer !== undefined && shown === localDate(storedOffer.validUntil)
        ? { ...offer, validUntil: storedOffer.validUntil }
        : offer;
    }),
  };
}

/** The wizard step a field path is on. */
export function stepOfPath(path: string): number {
  const head = path.split('.')[0] ?? '';
  if (['name', 'sponsor', 'advertiserId', 'creatives'].includes(head)) return 0;
  if (['startsAt', 'endsAt', 'dayparts'].includes(head)) return 1;
  if (head === 'targeting') return 2;
  if (['budgetFen', 'prizePlan'].includes(head)) return 3;
  if (['couponOffers', 'rules'].includes(head)) return 4;
  return 5;
}

function localDate(unixS: number): string {
  return toLocalInput(unixS).slice(0, 10);
}

/**
 * A stored campaign as a form: to edit it, or as the start of a copy (new name, and dates that start at
 * the next full hour when its own have passed).
 */
export function formFromCampaign(
  campaign: Campaign,
  mode: 'edit' | 'duplicate',
  copyName: (name: string) => string,
  nowS = Math.floor(Date.now() / 1000),
): CampaignForm {
  const plan = campaign.prizePlan;
  const offers = campaign.couponOffers;
  const fallbackIndex = offers.findIndex((offer) => offer.id === campaign.rules.fallbackCouponOfferId);
  const fresh = emptyForm(nowS);
  const keepDates = mode === 'edit' || campaign.startsAt >= nowS;
  const tiers =
    plan.kind === 'tiers'
      ? plan.tiers.map((tier) => ({ key: nextKey(), amountFen: tier.amountFen, count: tier.count }))
      : fresh.tiers;
  return {
    name: mode === 'edit' ? campaign.name : copyName(campaign.name),
    sponsor: campaign.sponsor,
    advertiserId: String(campaign.advertiserId),
    creatives: campaign.creatives.map((creative) => ({
      sha256: creative.sha256,
      mime: '',
      bytes: 0,
      url: `/v1/content/${creative.sha256}`,
      durationS: creative.durationMs / 1000,
    })),
    startsAt: keepDates ? toLocalInput(campaign.startsAt) : fresh.startsAt,
    endsAt: keepDates ? toLocalInput(campaign.endsAt) : fresh.endsAt,
    dayparts: campaign.dayparts.map((daypart) => ({ key: nextKey(), ...daypart })),
    cities: campaign.targeting.cities,
    // A stored campaign names buildings without their city: pair each with every targeted city, or none.
    buildingKeys: campaign.targeting.buildings.map((building) =>
      buildingKey(campaign.targeting.cities[0] ?? '', building),
    ),
    groupIds: campaign.targeting.screenGroupIds.map(String),
    planKind: plan.kind,
    lucky:
      plan.kind === 'lucky'
        ? { count: plan.count, totalFen: plan.totalFen, minFen: plan.minFen, maxFen: plan.maxFen }
        : fresh.lucky,
    tiers,
    coupons: offers.map((offer) => ({
      key: nextKey(),
      title: offer.title,
      valueFen: offer.valueFen,
      stock: offer.stock,
      validUntil:
        keepDates || offer.validUntil > nowS ? localDate(offer.validUntil) : fresh.endsAt.slice(0, 10),
      validityDays: offer.validityDays,
      terms: offer.terms,
    })),
    rules: {
      cashPerWalletPerDay: campaign.rules.cashPerWalletPerDay,
      couponsPerWalletPerDay: campaign.rules.couponsPerWalletPerDay,
      fallback: fallbackIndex === -1 ? null : String(fallbackIndex),
      fallThrough: campaign.rules.fallThrough === true,
      claimPaths: campaign.rules.claimPaths ?? [...claimPaths],
      claimReservePercent: campaign.rules.claimReservePercent ?? CLAIM_RESERVE_PERCENT_DEFAULT,
    },
  };
}

const DRAFT_KEY_PREFIX = 'redtap.campaignDraft.';

/** What drafts need of the browser's localStorage, typed here so the form's tests check without the DOM. */
interface DraftStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}
const storage = (): DraftStorage => (globalThis as unknown as { localStorage: DraftStorage }).localStorage;

export interface StoredDraft {
  form: CampaignForm;
  step: number;
}

function draftKey(account: string): string {
  return `${DRAFT_KEY_PREFIX}${account}`;
}

/** The signed-in account's unsaved new campaign, or null; anything unreadable is dropped. */
export function loadDraft(account: string): StoredDraft | null {
  const text = storage().getItem(draftKey(account));
  if (text === null) return null;
  try {
    const parsed = JSON.parse(text) as Partial<StoredDraft>;
    if (
      parsed.form === undefined ||
      typeof parsed.form.name !== 'string' ||
      !Array.isArray(parsed.form.coupons)
    )
      throw new Error('not a draft');
    const form = parsed.form;
    // Keys restart with the page: renumber so new rows never collide with restored ones.
    const rekey = <T extends { key: number }>(rows: T[]) => rows.map((row) => ({ ...row, key: nextKey() }));
    return {
      form: {
        ...form,
        // A draft from before a rule existed gets its default.
        rules: { ...emptyRules(), ...form.rules },
        dayparts: rekey(form.dayparts),
        tiers: rekey(form.tiers),
        coupons: rekey(form.coupons),
      },
      step: typeof parsed.step === 'number' ? Math.min(Math.max(0, parsed.step), WIZARD_STEPS.length - 1) : 0,
    };
  } catch {
    storage().removeItem(draftKey(account));
    return null;
  }
}

export function saveDraft(account: string, draft: StoredDraft): void {
  try {
    storage().setItem(draftKey(account), JSON.stringify(draft));
  } catch {
    // A full or disabled storage only costs the draft's survival of a reload.
  }
}

export function clearDraft(account: string): void {
  storage().removeItem(draftKey(account));
}
