// Campaigns: advertisers create, fund and run their own; operators approve, and see every tenant.
import { z } from '@hono/zod-openapi';
import { Daypart, ENVELOPES_PER_PLAN_MAX, FEN_MAX } from '@redtap/shared';
import { scopeOf } from '../../services/accounts.ts';
import {
  campaignTransitions,
  createCampaign,
  fundCampaign,
  getCampaign,
  listCampaigns,
  transitionCampaign,
  type CampaignTransition,
} from '../../services/campaigns.ts';
import { issueCampaignDecks, rollOutCampaign } from '../../services/decks.ts';
import { networkRulesOf } from '../../money-settings.ts';
import type { AppDeps } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { defineRoute, principalOf } from '../policy.ts';
import { createRouter } from '../router.ts';
import { ClientTransferId, Id, IdParam, Name, nextAfter, PageQuery, pageOf } from '../schemas.ts';

const u32 = z.number().int().min(0).max(0xffffffff);
const fen = z.number().int().min(1).max(FEN_MAX);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

const PrizePlan = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('lucky'),
    totalFen: fen,
    count: z.number().int().min(1).max(ENVELOPES_PER_PLAN_MAX),
    minFen: fen,
    maxFen: fen,
  }),
  z.object({
    kind: z.literal('tiers'),
    tiers: z
      .array(z.object({ amountFen: fen, count: z.number().int().min(0).max(ENVELOPES_PER_PLAN_MAX) }))
      .min(1)
      .max(32),
  }),
]);

const CouponOffer = z.object({
  title: Name,
  valueFen: z.number().int().min(0).max(FEN_MAX),
  stock: z.number().int().min(0).max(ENVELOPES_PER_PLAN_MAX),
  validUntil: u32,
  validityDays: z.number().int().min(1).max(3650),
  terms: z.string().max(2000).default(''),
});

const CampaignBody = z.object({
  advertiserId: Id.optional(),
  name: Name,
  sponsor: Name,
  startsAt: u32,
  endsAt: u32,
  dayparts: z.array(Daypart).max(16).default([]),
  targeting: z
    .object({
      cities: z.array(Name).max(100).default([]),
      buildings: z.array(Name).max(1000).default([]),
      screenGroupIds: z.array(Id).max(100).default([]),
    })
    .default({ cities: [], buildings: [], screenGroupIds: [] }),
  budgetFen: fen,
  prizePlan: PrizePlan,
  couponOffers: z.array(CouponOffer).max(64).default([]),
  rules: z
    .object({
      cashPerWalletPerDay: z.number().int().min(0).max(100).default(1),
      couponsPerWalletPerDay: z.number().int().min(0).max(100).default(1),
      fallbackCouponOfferIndex: z.number().int().min(0).max(63).nullable().default(null),
      fallThrough: z.boolean().default(false).openapi({
        description:
          'While this campaign is on screen, may another campaign pay a tap this one cannot (no envelope, wallet capped)?',
      }),
    })
    .default({
      cashPerWalletPerDay: 1,
      couponsPerWalletPerDay: 1,
      fallbackCouponOfferIndex: null,
      fallThrough: false,
    }),
  creatives: z
    .array(z.object({ sha256, durationMs: z.number().int().min(1000).max(600_000) }))
    .max(32)
    .default([]),
});

const Campaign = z
  .object({
    id: z.number().int(),
    advertiserId: z.number().int(),
    name: z.string(),
    sponsor: z.string(),
    status: z.string(),
    startsAt: z.number().int(),
    endsAt: z.number().int(),
    budgetFen: z.number().int(),
    budgetBalanceFen: z.number().int(),
    couponOffers: z.array(
      z.object({ id: z.number().int(), title: z.string(), stock: z.number().int() }).loose(),
    ),
    rules: z.object({
      cashPerWalletPerDay: z.number().int(),
      couponsPerWalletPerDay: z.number().int(),
      fallbackCouponOfferId: z.number().int(),
      fallThrough: z
        .boolean()
        .optional()
        .openapi({ description: "The advertiser's fall-through choice; absent on older campaigns (off)" }),
    }),
  })
  .loose()
  .openapi('Campaign');

const transitionNames = Object.keys(campaignTransitions);

export function campaignRoutes(deps: AppDeps) {
  const app = createRouter();
  const deckDeps = () => ({
    db: deps.db,
    broker: deps.broker,
    logger: deps.logger,
    kek: deps.secrets.issuerKek,
    settings: deps.settings.money,
    now: deps.now,
  });

  app.openapi(
    defineRoute(['operator', 'advertiser'], {
      method: 'post',
      path: '/v1/campaigns',
      tags: ['campaigns'],
      summary: 'Create a draft campaign with its prize plan and coupon offers',
      request: { body: { content: { 'application/json': { schema: CampaignBody } } } },
      responses: {
        201: { description: 'Created', content: { 'application/json': { schema: Campaign } } },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) =>
      c.json(
        await createCampaign(
          deps.db,
          scopeOf(principalOf(c)),
          c.req.valid('json'),
          Math.floor(deps.now().getTime() / 1000),
        ),
        201,
      ),
  );

  app.openapi(
    defineRoute(['operator', 'advertiser'], {
      method: 'get',
      path: '/v1/campaigns',
      tags: ['campaigns'],
      request: { query: PageQuery },
      responses: {
        200: { description: 'Page', content: { 'application/json': { schema: pageOf(Campaign) } } },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const page = c.req.valid('query');
      const items = await listCampaigns(deps.db, scopeOf(principalOf(c)), page);
      return c.json({ items, nextAfter: nextAfter(items, page.limit) }, 200);
    },
  );

  app.openapi(
    defineRoute(['operator', 'advertiser'], {
      method: 'get',
      path: '/v1/campaigns/{id}',
      tags: ['campaigns'],
      request: { params: IdParam },
      responses: {
        200: { description: 'Campaign', content: { 'application/json': { schema: Campaign } } },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => c.json(await getCampaign(deps.db, scopeOf(principalOf(c)), c.req.valid('param').id), 200),
  );

  app.openapi(
    defineRoute(['operator', 'advertiser'], {
      method: 'post',
      path: '/v1/campaigns/{id}/funding',
      tags: ['campaigns'],
      summary: "Move the advertiser's cash into the campaign budget (idempotent per transferId)",
      request: {
        params: IdParam,
        body: {
          content: {
            'application/json': { schema: z.object({ amountFen: fen, transferId: ClientTransferId }) },
          },
        },
      },
      responses: {
        200: {
          description: 'Posted, or an earlier identical post',
          content: {
            'application/json': {
              schema: z.object({ status: z.enum(['posted', 'exists']), budgetBalanceFen: z.number().int() }),
            },
          },
        },
        ...errorResponses(400, 401, 403, 404, 409, 422),
      },
    }),
    async (c) => {
      const result = await fundCampaign(deps.db, scopeOf(principalOf(c)), {
        campaignId: c.req.valid('param').id,
        ...c.req.valid('json'),
      });
      return c.json(result, 200);
    },
  );

  app.openapi(
    defineRoute(['operator', 'advertiser'], {
      method: 'post',
      path: '/v1/campaigns/{id}/transitions',
      tags: ['campaigns'],
      summary:
        'Lifecycle: submit, approve/reject (operator), activate, pause, resume, end. Anything else is CONFLICT',
      request: {
        params: IdParam,
        body: {
          content: {
            'application/json': {
              schema: z.object({
                transition: z.enum(transitionNames as [CampaignTransition, ...CampaignTransition[]]),
              }),
            },
          },
        },
      },
      responses: {
        200: { description: 'Campaign', content: { 'application/json': { schema: Campaign } } },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const principal = principalOf(c);
      const { transition } = c.req.valid('json');
      const now = deps.now();
      const campaign = await transitionCampaign(deps.db, scopeOf(principal), {
        campaignId: c.req.valid('param').id,
        transition,
        role: principal.role,
        now,
      });
      if (['activate', 'pause', 'resume', 'end'].includes(transition))
        await rollOutCampaign(deckDeps(), campaign, networkRulesOf(deps.settings.money));
      return c.json(campaign, 200);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'post',
      path: '/v1/campaigns/{id}/decks',
      tags: ['campaigns'],
      summary: 'Issue and publish a deck to every targeted screen that has room for one',
      request: { params: IdParam },
      responses: {
        200: {
          description: 'Decks issued',
          content: { 'application/json': { schema: z.object({ issued: z.number().int() }) } },
        },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      await getCampaign(deps.db, { kind: 'all' }, c.req.valid('param').id);
      return c.json({ issued: await issueCampaignDecks(deckDeps(), c.req.valid('param').id) }, 200);
    },
  );
  return app;
}
