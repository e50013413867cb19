// Campaigns: create (with coupon offers), read within the tenant, fund from the advertiser through the
// ledger, and move through the lifecycle draft → submitted → approved → active ⇄ paused → ended.
// Activation draws the whole envelope pool from the prize plan; ending refunds what is unspent.
import {
  rollOutCampaign,
  SCREEN_CAMPAIGNS_MAX,
  screensOverCampaignCap,
  type QueuedRollout,
} from './campaign-screens.ts';
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import {
  assert,
  campaignScheduleIssues,
  COUPON_STOCK_PER_CAMPAIGN_MAX,
  ErrorCode,
  FieldCode,
  formatFen,
  planEnvelopes,
  planTotalFen,
  secureRandomInt,
  shuffleInPlace,
  type ClaimPath,
  type Daypart,
  type PrizePlan,
  type RandomInt,
} from '@redtap/shared';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import { advertisers } from '../db/schema/accounts.ts';
import { storeOffers } from '../db/schema/merchants.ts';
import {
  campaigns,
  contentObjects,
  couponOffers,
  type CampaignCreative,
  type CampaignRules,
  type CampaignStatus,
  type CampaignTargeting,
} from '../db/schema/campaigns.ts';
import { DomainError, fieldsError } from '../errors.ts';
import { createLedgerAccount, getLedgerAccount } from '../ledger/accounts.ts';
import { allocateTransferIds, postTransfers } from '../ledger/post-transfers.ts';
import type { TenantScope } from './accounts.ts';

// The bounds live with the request schema (shared campaign-body.ts), which the wizard checks too.
export { COUPON_OFFERS_PER_CAMPAIGN_MAX, COUPON_STOCK_PER_CAMPAIGN_MAX } from '@redtap/shared';
const POOL_INSERT_CHUNK = 10_000;

export interface CouponOfferInput {
  title: string;
  valueFen: number;
  stock: number;
  validUntil: number;
  validityDays: number;
  terms: string;
}

export interface CampaignInput {
  /** Operators create on behalf of an advertiser; an advertiser's own id is taken from its session. */
  advertiserId?: number | undefined;
  name: string;
  sponsor: string;
  startsAt: number;
  endsAt: number;
  dayparts: Daypart[];
  targeting: CampaignTargeting;
  budgetFen: number;
  prizePlan: PrizePlan;
  couponOffers: CouponOfferInput[];
  rules: {
    cashPerWalletPerDay: number;
    couponsPerWalletPerDay: number;
    fallbackCouponOfferIndex: number | null;
    /** Off unless the advertiser chose it (CampaignRules.fallThrough). */
    fallThrough?: boolean | undefined;
    /** Absent = every path (CampaignRules.claimPaths). */
    claimPaths?: ClaimPath[] | undefined;
    /** Absent = the default share (CampaignRules.claimReservePercent). */
    claimReservePercent?: number | undefined;
  };
  creatives: CampaignCreative[];
}

export interface CouponOfferView extends CouponOfferInput {
  id: number;
}

export interface CampaignView {
  id: number;
  advertiserId: number;
  name: string;
  sponsor: string;
  status: CampaignStatus;
  startsAt: number;
  endsAt: number;
  dayparts: Daypart[];
  targeting: CampaignTargeting;
  budgetFen: number;
  prizePlan: PrizePlan;
  rules: CampaignRules;
  creatives: CampaignCreative[];
  couponOffers: CouponOfferView[];
  budgetAccountId: number;
  /** What the budget account holds now (all of the funding until activation, then the undealt pool). */
  budgetBalanceFen: number;
  money: CampaignMoney;
  createdAt: string;
}

/**
 * The campaign's money as the ledger has it, so that funded = remaining + spent + returned always:
 * funded is every transfer into the budget from the advertiser, remaining what the budget and the
 * campaign's deck escrows hold, returned what went back to the advertiser, and spent the rest (paid to
 * wallets, or held for review).
 */
export interface CampaignMoney {
  fundedFen: number;
  remainingFen: number;
  spentFen: number;
  returnedFen: number;
}

/** Allowed transitions and who may make them. Anything else is CONFLICT. */
export const campaignTransitions: Record<
  string,
  { from: CampaignStatus[]; to: CampaignStatus; roles: string[] }
> = {
  submit: { from: ['draft'], to: 'submitted', roles: ['operator', 'advertiser'] },
  approve: { from: ['submitted'], to: 'approved', roles: ['operator'] },
  reject: { from: ['submitted'], to: 'draft', roles: ['operator'] },
  activate: { from: ['approved'], to: 'active', roles: ['operator', 'advertiser'] },
  pause: { from: ['active'], to: 'paused', roles: ['operator', 'advertiser'] },
  resume: { from: ['paused'], to: 'active', roles: ['operator', 'advertiser'] },
  end: {
    from: ['draft', 'submitted', 'approved', 'active', 'paused'],
    to: 'ended',
    roles: ['operator', 'advertiser'],
  },
};
export type CampaignTransition = keyof typeof campaignTransitions;

/**
 * The campaign's claim paths and claim reserve as stored: each only when the advertiser chose it (absent
 * paths = all, absent reserve = the default share).
 */
function claimPathsOf(rules: {
  claimPaths?: ClaimPath[] | undefined;
  claimReservePercent?: number | undefined;
}): { claimPaths?: ClaimPath[]; claimReservePercent?: number } {
  return {
    ...(rules.claimPaths === undefined ? {} : { claimPaths: [...new Set(rules.claimPaths)] }),
    ...(rules.claimReservePercent === undefined ? {} : { claimReservePercent: rules.claimReservePercent }),
  };
}

function scopeFilter(scope: TenantScope) {
  return scope.kind === 'advertiser' ? eq(campaigns.advertiserId, scope.advertiserId) : undefined;
}

/**
 * The rules the request schema cannot apply: those of the clock (shared campaignScheduleIssues) and, for
 * callers that skip the route (benchmarks), the plan and schedule again.
 */
function validatePlan(input: CampaignInput, nowS: number, stored?: { startsAt: number }): void {
  const schedule = campaignScheduleIssues(input, nowS, stored);
  if (schedule.length > 0) throw fieldsError(schedule);
  const total = planTotalFen(input.prizePlan);
  if (total !== input.budgetFen)
    throw new DomainError(
      ErrorCode.MONEY_INVALID,
      `prize plan totals ${formatFen(total)}, budget is ${formatFen(input.budgetFen)}`,
    );
  const check = planEnvelopes(input.prizePlan, (minInclusive) => minInclusive);
  if (!check.ok) throw new DomainError(check.code, check.message);
  if (input.endsAt <= input.startsAt)
    throw new DomainError(ErrorCode.VALIDATION_FAILED, 'endsAt must follow startsAt');
  const fallback = input.rules.fallbackCouponOfferIndex;
  if (fallback !== null && (fallback < 0 || fallback >= input.couponOffers.length))
    throw new DomainError(ErrorCode.VALIDATION_FAILED, 'fallbackCouponOfferIndex names no offer');
}

async function checkCreativesUploaded(db: Database, creatives: readonly CampaignCreative[]): Promise<void> {
  const hashes = [...new Set(creatives.map((creative) => creative.sha256))];
  if (hashes.length === 0) return;
  const known = await db
    .select({ sha256: contentObjects.sha256 })
    .from(contentObjects)
    .where(inArray(contentObjects.sha256, hashes));
  const knownHashes = new Set(known.map((row) => row.sha256));
  const missing = creatives.findIndex((creative) => !knownHashes.has(creative.sha256));
  if (missing !== -1)
    throw fieldsError([
      {
        path: `creatives.${missing}.sha256`,
        code: FieldCode.CREATIVE_NOT_UPLOADED,
        message: 'a creative was not uploaded to /v1/content',
      },
    ]);
}

export async function createCampaign(
  db: Database,
  scope: TenantScope,
  input: CampaignInput,
  nowS = Math.floor(Date.now() / 1000),
): Promise<CampaignView> {
  const advertiserId = scope.kind === 'advertiser' ? scope.advertiserId : input.advertiserId;
  if (advertiserId === undefined)
    throw new DomainError(ErrorCode.VALIDATION_FAILED, 'operators must name the advertiserId');
  validatePlan(input, nowS);
  const [advertiser] = await db
    .select({ id: advertisers.id })
    .from(advertisers)
    .where(eq(advertisers.id, advertiserId))
    .limit(1);
  if (advertiser === undefined)
    throw new DomainError(ErrorCode.NOT_FOUND, `advertiser ${advertiserId} not found`);
  checkCouponStock(input.couponOffers);
  await checkCreativesUploaded(db, input.creatives);
  const id = await db.transaction(async (tx) => {
    const budgetAccountId = await createLedgerAccount(tx, 'campaign_budget');
    const [row] = await tx
      .insert(campaigns)
      .values({
        advertiserId,
        name: input.name,
        sponsor: input.sponsor,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        dayparts: input.dayparts,
        targeting: input.targeting,
        budgetFen: input.budgetFen,
        prizePlan: input.prizePlan,
        rules: {
          cashPerWalletPerDay: input.rules.cashPerWalletPerDay,
          couponsPerWalletPerDay: input.rules.couponsPerWalletPerDay,
          fallbackCouponOfferId: 0,
          fallThrough: input.rules.fallThrough === true,
          ...claimPathsOf(input.rules),
        },
        creatives: input.creatives,
        budgetAccountId,
      })
      .returning({ id: campaigns.id });
    if (row === undefined) throw new Error('insert returned no row');
    await tx.execute(sql`update ledger_accounts set owner_id = ${row.id} where id = ${budgetAccountId}`);
    const offers =
      input.couponOffers.length === 0
        ? []
        : await tx
            .insert(couponOffers)
            .values(input.couponOffers.map((offer) => ({ ...offer, campaignId: row.id })))
            .returning({ id: couponOffers.id });
    const fallback = input.rules.fallbackCouponOfferIndex;
    const fallbackId = fallback === null ? 0 : (offers[fallback]?.id ?? 0);
    if (fallbackId !== 0) {
      await tx
        .update(campaigns)
        .set({
          rules: {
            cashPerWalletPerDay: input.rules.cashPerWalletPerDay,
            couponsPerWalletPerDay: input.rules.couponsPerWalletPerDay,
            fallbackCouponOfferId: fallbackId,
            fallThrough: input.rules.fallThrough === true,
            ...claimPathsOf(input.rules),
          },
        })
        .where(eq(campaigns.id, row.id));
    }
    return row.id;
  });
  return getCampaign(db, scope, id);
}

/** JSON with object keys sorted: jsonb hands keys back in its own order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/** What a paused campaign keeps: its pool is built and its decks are out, so nothing that spends money moves. */
function lockedWhilePaused(stored: CampaignView, input: CampaignInput): string[] {
  const offerOf = (offer: CouponOfferInput) => [
    offer.title,
    offer.valueFen,
    offer.stock,
    offer.validUntil,
    offer.validityDays,
    offer.terms,
  ];
  const fallbackIndex = stored.couponOffers.findIndex(
    (offer) => offer.id === stored.rules.fallbackCouponOfferId,
  );
  const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);
  return [
    ['startsAt', stored.startsAt === input.startsAt],
    ['endsAt', stored.endsAt === input.endsAt],
    ['targeting', same(stored.targeting, input.targeting)],
    ['budgetFen', stored.budgetFen === input.budgetFen],
    ['prizePlan', same(stored.prizePlan, input.prizePlan)],
    ['couponOffers', same(stored.couponOffers.map(offerOf), input.couponOffers.map(offerOf))],
    [
      'rules.fallbackCouponOfferIndex',
      (fallbackIndex === -1 ? null : fallbackIndex) === input.rules.fallbackCouponOfferIndex,
    ],
  ]
    .filter(([, unchanged]) => unchanged === false)
    .map(([path]) => String(path));
}

/**
 * Edits a campaign (docs/architecture.md, campaign lifecycle): a draft entirely, its coupon offers
 * replaced; a paused campaign only in what spends no money (name, sponsor, dayparts, creatives, per-wallet
 * caps, fall-through): the rest is CONFLICT with the locked fields named. Any other status is CONFLICT.
 */
export async function updateCampaign(
  db: Database,
  scope: TenantScope,
  campaignId: number,
  input: CampaignInput,
  nowS = Math.floor(Date.now() / 1000),
): Promise<CampaignView> {
  const stored = await getCampaign(db, scope, campaignId);
  if (stored.status !== 'draft' && stored.status !== 'paused')
    throw new DomainError(ErrorCode.CONFLICT, `cannot edit a campaign that is ${stored.status}`, {
      params: { status: stored.status },
    });
  if (stored.status === 'draft') {
    validatePlan(input, nowS, stored);
    checkCouponStock(input.couponOffers);
  }
  await checkCreativesUploaded(db, input.creatives);
  await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ status: campaigns.status, budgetAccountId: campaigns.budgetAccountId })
      .from(campaigns)
      .where(eq(campaigns.id, campaignId))
      .for('update');
    if (row === undefined) throw new DomainError(ErrorCode.NOT_FOUND, `campaign ${campaignId} not found`);
    // Checked again under the row lock: a transition in between must not let a draft's edit reach a
    // campaign that has since been submitted or resumed.
    if (row.status !== stored.status)
      throw new DomainError(ErrorCode.CONFLICT, `cannot edit a campaign that is ${row.status}`, {
        params: { status: row.status },
      });
    const rules = {
      cashPerWalletPerDay: input.rules.cashPerWalletPerDay,
      couponsPerWalletPerDay: input.rules.couponsPerWalletPerDay,
      fallbackCouponOfferId: stored.rules.fallbackCouponOfferId,
      fallThrough: input.rules.fallThrough === true,
      ...claimPathsOf(input.rules),
    };
    const common = {
      name: input.name,
      sponsor: input.sponsor,
      dayparts: input.dayparts,
      creatives: input.creatives,
      updatedAt: new Date(nowS * 1000),
    };
    if (row.status === 'paused') {
      const locked = lockedWhilePaused(stored, input);
      if (locked.length > 0)
        throw new DomainError(ErrorCode.CONFLICT, `a paused campaign keeps its ${locked.join(', ')}`, {
          params: { status: row.status },
          fields: locked.map((path) => ({
            path,
            code: FieldCode.LOCKED_WHILE_RUNNING,
            message: 'fixed once the campaign has run',
          })),
        });
      await tx
        .update(campaigns)
        .set({ ...common, rules })
        .where(eq(campaigns.id, campaignId));
      return;
    }
    // A draft may already hold funding: a budget below it would strand the difference.
    const budget = await getLedgerAccount(tx, row.budgetAccountId);
    const balanceFen = budget?.balanceFen ?? 0;
    if (balanceFen > input.budgetFen)
      throw new DomainError(
        ErrorCode.CONFLICT,
        `the campaign already holds ${formatFen(balanceFen)}; the budget cannot go below it`,
        {
          params: { balanceFen },
          fields: [
            {
              path: 'budgetFen',
              code: FieldCode.TOO_SMALL,
              message: 'below the funding the campaign holds',
              params: { minimum: balanceFen },
            },
          ],
        },
      );
    // Offers are edited in place by position, so a store that takes offer 1 keeps taking it; an offer
    // dropped from the draft is dropped from the stores' tills too.
    const offers: { id: number }[] = [];
    for (const [index, offer] of input.couponOffers.entries()) {
      const existing = stored.couponOffers[index];
      if (existing === undefined) {
        const [inserted] = await tx
          .insert(couponOffers)
          .values({ ...offer, campaignId })
          .returning({ id: couponOffers.id });
        if (inserted === undefined) throw new Error('insert returned no row');
        offers.push(inserted);
      } else {
        await tx.update(couponOffers).set(offer).where(eq(couponOffers.id, existing.id));
        offers.push({ id: existing.id });
      }
    }
    const dropped = stored.couponOffers.slice(input.couponOffers.length).map((offer) => offer.id);
    if (dropped.length > 0) {
      await tx.delete(storeOffers).where(inArray(storeOffers.couponOfferId, dropped));
      await tx.delete(couponOffers).where(inArray(couponOffers.id, dropped));
    }
    const fallback = input.rules.fallbackCouponOfferIndex;
    await tx
      .update(campaigns)
      .set({
        ...common,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        targeting: input.targeting,
        budgetFen: input.budgetFen,
        prizePlan: input.prizePlan,
        rules: { ...rules, fallbackCouponOfferId: fallback === null ? 0 : (offers[fallback]?.id ?? 0) },
      })
      .where(eq(campaigns.id, campaignId));
  });
  return getCampaign(db, scope, campaignId);
}

async function toViews(db: Database, rows: (typeof campaigns.$inferSelect)[]): Promise<CampaignView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const offers = await db
    .select()
    .from(couponOffers)
    .where(inArray(couponOffers.campaignId, ids))
    .orderBy(asc(couponOffers.id));
  const moneyOf = await campaignMoney(
    db,
    rows.map((row) => row.id),
  );
  return rows.map((row) => ({
    id: row.id,
    advertiserId: row.advertiserId,
    name: row.name,
    sponsor: row.sponsor,
    status: row.status,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    dayparts: row.dayparts,
    targeting: row.targeting,
    budgetFen: row.budgetFen,
    prizePlan: row.prizePlan,
    rules: row.rules,
    creatives: row.creatives,
    couponOffers: offers
      .filter((offer) => offer.campaignId === row.id)
      .map((offer) => ({
        id: offer.id,
        title: offer.title,
        valueFen: offer.valueFen,
        stock: offer.stock,
        validUntil: offer.validUntil,
        validityDays: offer.validityDays,
        terms: offer.terms,
      })),
    budgetAccountId: row.budgetAccountId,
    budgetBalanceFen: moneyOf.get(row.id)?.budgetBalanceFen ?? 0,
    money: moneyOf.get(row.id)?.money ?? { fundedFen: 0, remainingFen: 0, spentFen: 0, returnedFen: 0 },
    createdAt: row.createdAt.toISOString(),
  }));
}

/** One statement for a page of campaigns: their budget accounts' transfers and their decks' escrows. */
async function campaignMoney(
  db: Database,
  ids: number[],
): Promise<Map<number, { budgetBalanceFen: number; money: CampaignMoney }>> {
  const rows = await queryRows<{
    id: unknown;
    in_budget: unknown;
    in_decks: unknown;
    funded: unknown;
    returned: unknown;
  }>(
    db,
    sql`select c.id, b.credits_posted_fen - b.debits_posted_fen as in_budget,
               (select coalesce(sum(e.credits_posted_fen - e.debits_posted_fen), 0) from decks d
                  join ledger_accounts e on e.id = d.escrow_account_id where d.campaign_id = c.id) as in_decks,
               (select coalesce(sum(t.amount_fen), 0) from ledger_transfers t
                  where t.credit_account_id = c.budget_account_id and t.code = 'fund_campaign') as funded,
               (select coalesce(sum(t.amount_fen), 0) from ledger_transfers t
                  where t.debit_account_id = c.budget_account_id and t.code = 'refund_campaign') as returned
        from campaigns c join ledger_accounts b on b.id = c.budget_account_id
        where c.id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::bigint)`,
  );
  return new Map(
    rows.map((row) => {
      const fundedFen = int(row.funded);
      const returnedFen = int(row.returned);
      const remainingFen = int(row.in_budget) + int(row.in_decks);
      const spentFen = fundedFen - returnedFen - remainingFen;
      // The budget only ever receives from its advertiser, its decks and the review hold, so nothing can
      // leave it that was not funded.
      assert(spentFen >= 0, `campaign ${String(row.id)}: spent ${spentFen} fen`);
      return [
        int(row.id),
        { budgetBalanceFen: int(row.in_budget), money: { fundedFen, remainingFen, spentFen, returnedFen } },
      ];
    }),
  );
}

/** Out-of-tenant campaigns are NOT_FOUND, so a tenant cannot probe ids. */
export async function getCampaign(db: Database, scope: TenantScope, id: number): Promise<CampaignView> {
  const rows = await db
    .select()
    .from(campaigns)
    .where(and(eq(campaigns.id, id), scopeFilter(scope)))
    .limit(1);
  const [view] = await toViews(db, rows);
  if (view === undefined) throw new DomainError(ErrorCode.NOT_FOUND, `campaign ${id} not found`);
  return view;
}

export async function listCampaigns(
  db: Database,
  scope: TenantScope,
  page: { limit: number; after: number; status?: CampaignStatus | undefined },
): Promise<CampaignView[]> {
  const rows = await db
    .select()
    .from(campaigns)
    .where(
      and(
        gt(campaigns.id, page.after),
        scopeFilter(scope),
        page.status === undefined ? undefined : eq(campaigns.status, page.status),
      ),
    )
    .orderBy(asc(campaigns.id))
    .limit(page.limit);
  return toViews(db, rows);
}

/**
 * Moves the advertiser's cash into the campaign budget; `transferId` makes a retry safe. The budget
 * check and the transfer run in one transaction holding the campaign's row lock (the lock activation
 * takes too), so parallel fundings are checked one after another and can never overfill the budget.
 */
export async function fundCampaign(
  db: Database,
  scope: TenantScope,
  input: { campaignId: number; amountFen: number; transferId: number },
): Promise<{ status: 'posted' | 'exists'; budgetBalanceFen: number }> {
  const campaign = await getCampaign(db, scope, input.campaignId);
  const [advertiser] = await db
    .select({ accountId: advertisers.ledgerAccountId })
    .from(advertisers)
    .where(eq(advertisers.id, campaign.advertiserId))
    .limit(1);
  if (advertiser === undefined) throw new DomainError(ErrorCode.NOT_FOUND, 'advertiser not found');
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({
        status: campaigns.status,
        poolBuiltAt: campaigns.poolBuiltAt,
        budgetFen: campaigns.budgetFen,
        budgetAccountId: campaigns.budgetAccountId,
      })
      .from(campaigns)
      .where(eq(campaigns.id, campaign.id))
      .for('update');
    if (row === undefined) throw new DomainError(ErrorCode.NOT_FOUND, 'campaign not found');
    const [known] = await queryRows<{ id: unknown }>(
      tx,
      sql`select id from ledger_transfers where id = ${input.transferId}`,
    );
    // A retry of a posted funding is answered by the ledger (`exists`, or TRANSFER_CONFLICT).
    if (known === undefined) {
      if (row.poolBuiltAt !== null || row.status === 'ended')
        throw new DomainError(
          ErrorCode.CONFLICT,
          'the campaign is already running or ended; its budget is fixed',
        );
      const budget = await getLedgerAccount(tx, row.budgetAccountId);
      const balanceFen = budget?.balanceFen ?? 0;
      if (balanceFen + input.amountFen > row.budgetFen) {
        const params = {
          budgetFen: row.budgetFen,
          balanceFen,
          roomFen: Math.max(0, row.budgetFen - balanceFen),
        };
        throw new DomainError(
          ErrorCode.MONEY_INVALID,
          `the budget is ${formatFen(row.budgetFen)}; that would exceed it`,
          {
            params,
            fields: [
              {
                path: 'amountFen',
                code: FieldCode.BUDGET_EXCEEDED,
                message: 'more than the budget has room for',
                params,
              },
            ],
          },
        );
      }
    }
    const [result] = await postTransfers(tx, [
      {
        id: input.transferId,
        debitAccountId: advertiser.accountId,
        creditAccountId: row.budgetAccountId,
        amountFen: input.amountFen,
        code: 'fund_campaign',
        reference: `campaign:${campaign.id}`,
      },
    ]);
    if (result === undefined) throw new Error('no transfer result');
    if (result.status === 'rejected') throw new DomainError(result.code, `funding rejected: ${result.code}`);
    const account = await getLedgerAccount(tx, row.budgetAccountId);
    return { status: result.status, budgetBalanceFen: account?.balanceFen ?? 0 };
  });
}

/** Refuses coupon stock the envelope pool may not hold (COUPON_STOCK_PER_CAMPAIGN_MAX in all). */
export function checkCouponStock(offers: readonly { stock: number }[]): void {
  const stock = offers.reduce((sum, offer) => sum + offer.stock, 0);
  if (stock > COUPON_STOCK_PER_CAMPAIGN_MAX)
    throw new DomainError(
      ErrorCode.COUPON_STOCK_TOO_LARGE,
      `the offers' stock totals ${stock} coupons; a campaign may hold at most ${COUPON_STOCK_PER_CAMPAIGN_MAX}`,
      { params: { stock, maximum: COUPON_STOCK_PER_CAMPAIGN_MAX } },
    );
}

/** The shuffled pool: the plan's cash envelopes with each offer's stock of coupons mixed in. */
export function buildEnvelopePool(
  plan: PrizePlan,
  offers: { id: number; stock: number }[],
  random: RandomInt = secureRandomInt,
): [number, number][] {
  // Checked again at activation: a campaign created before the bound must not build an unbounded pool.
  checkCouponStock(offers);
  const amounts = planEnvelopes(plan, random);
  if (!amounts.ok) throw new DomainError(amounts.code, amounts.message);
  const pool: [number, number][] = amounts.value.map((amount) => [amount, 0]);
  const free = shuffleInPlace(
    pool.map((_, index) => index),
    random,
  );
  for (const offer of offers) {
    for (let i = 0; i < offer.stock; i++) {
      const slot = free.pop();
      const envelope = slot === undefined ? undefined : pool[slot];
      if (envelope !== undefined) envelope[1] = offer.id;
      else pool.push([0, offer.id]);
    }
  }
  return shuffleInPlace(pool, random);
}

/**
 * Moves a campaign through its lifecycle. Activating, pausing, resuming or ending it also writes, in the
 * same transaction, what its screens must get (campaign-screens.ts rollOutCampaign): the decks an active
 * campaign's screens want and their configs marked stale. `queued` says how much; the dispatchers make it
 * true, never this call.
 */
export async function transitionCampaign(
  db: Database,
  scope: TenantScope,
  input: { campaignId: number; transition: CampaignTransition; role: string; now: Date },
): Promise<CampaignView & { queued?: QueuedRollout }> {
  const rule = campaignTransitions[input.transition];
  if (rule === undefined) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'unknown transition');
  if (!rule.roles.includes(input.role))
    throw new DomainError(ErrorCode.FORBIDDEN, `${input.role} may not ${input.transition} a campaign`);
  await getCampaign(db, scope, input.campaignId);
  const queued = await db.transaction(async (tx) => {
    const [row] = await tx.select().from(campaigns).where(eq(campaigns.id, input.campaignId)).for('update');
    if (row === undefined) throw new DomainError(ErrorCode.NOT_FOUND, 'campaign not found');
    if (!rule.from.includes(row.status))
      throw new DomainError(
        ErrorCode.CONFLICT,
        `cannot ${input.transition} a campaign that is ${row.status}`,
      );
    if (rule.to === 'active' && row.poolBuiltAt === null) {
      const budget = await getLedgerAccount(tx, row.budgetAccountId);
      if ((budget?.balanceFen ?? 0) !== row.budgetFen)
        throw new DomainError(
          ErrorCode.CONFLICT,
          `fund the full budget (${formatFen(row.budgetFen)}) before activating`,
        );
      const offers = await tx
        .select({ id: couponOffers.id, stock: couponOffers.stock })
        .from(couponOffers)
        .where(eq(couponOffers.campaignId, row.id))
        .orderBy(asc(couponOffers.id));
      const pool = buildEnvelopePool(row.prizePlan, offers);
      for (let start = 0; start < pool.length; start += POOL_INSERT_CHUNK) {
        const chunk = pool.slice(start, start + POOL_INSERT_CHUNK).map(([a, c]) => ({ a, c }));
        await tx.execute(
          sql`insert into campaign_envelopes (campaign_id, amount_fen, coupon_offer_id)
              select ${row.id}, a, c from jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) as t(a bigint, c int)`,
        );
      }
      await tx.update(campaigns).set({ poolBuiltAt: input.now }).where(eq(campaigns.id, row.id));
    }
    if (rule.to === 'ended') {
      await tx.execute(sql`delete from campaign_envelopes where campaign_id = ${row.id} and deck_id is null`);
      await refundBudget(tx, row.id);
    }
    await tx
      .update(campaigns)
      .set({ status: rule.to, updatedAt: input.now, ...(rule.to === 'ended' ? { endedAt: input.now } : {}) })
      .where(eq(campaigns.id, row.id));
    if (!['active', 'paused', 'ended'].includes(rule.to)) return undefined;
    const rollout = await rollOutCampaign(tx, row.id);
    const crowded = rule.to === 'active' ? await screensOverCampaignCap(tx, row.id) : 0;
    // Thrown inside the transaction: nothing of the transition stays.
    if (crowded > 0)
      throw new DomainError(
        ErrorCode.SCREEN_CAMPAIGNS_FULL,
        `${crowded} targeted screens would run more than ${SCREEN_CAMPAIGNS_MAX} campaigns`,
      );
    return rollout;
  });
  const campaign = await getCampaign(db, scope, input.campaignId);
  return queued === undefined ? campaign : { ...campaign, queued };
}

/** Everything left in an ended campaign's budget goes back to its advertiser. */
export async function refundBudget(tx: Database, campaignId: number): Promise<number> {
  const [row] = await queryRows<{ budget: unknown; advertiser: unknown; balance: unknown }>(
    tx,
    sql`select c.budget_account_id as budget, a.ledger_account_id as advertiser,
               b.credits_posted_fen - b.debits_posted_fen as balance
        from campaigns c join advertisers a on a.id = c.advertiser_id
        join ledger_accounts b on b.id = c.budget_account_id
        where c.id = ${campaignId}`,
  );
  if (row === undefined || int(row.balance) <= 0) return 0;
  const [id] = await allocateTransferIds(tx, 1);
  if (id === undefined) throw new Error('no transfer id');
  const [result] = await postTransfers(tx, [
    {
      id,
      debitAccountId: int(row.budget),
      creditAccountId: int(row.advertiser),
      amountFen: int(row.balance),
      code: 'refund_campaign',
      reference: `campaign:${campaignId}`,
    },
  ]);
  if (result?.status !== 'posted') throw new Error(`refund refused: ${JSON.stringify(result)}`);
  return int(row.balance);
}
