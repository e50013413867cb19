// Campaigns: advertisers create, fund and run their own; operators approve, and see every tenant.
import { z } from '@hono/zod-openapi';
import { CampaignBody, claimPaths, FEN_MAX } from '@redtap/shared';
import { campaignStatuses } from '../../db/schema/campaigns.ts';
import { scopeOf } from '../../services/accounts.ts';
import {
  campaignTransitions,
  createCampaign,
  fundCampaign,
  getCampaign,
  listCampaigns,
  transitionCampaign,
  updateCampaign,
  type CampaignTransition,
} from '../../services/campaigns.ts';
import { campaignRollout, rollOutCampaign } from '../../services/campaign-screens.ts';
import type { AppDeps } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { defineRoute, principalOf } from '../policy.ts';
import { audit } from '../../services/audit.ts';
import { createRouter } from '../router.ts';
import { ClientTransferId, IdParam, nextAfter, PageQuery, pageOf } from '../schemas.ts';

const fen = z.number().int().min(1).max(FEN_MAX);

const int = z.number().int();

const CampaignPrizePlanReply = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('lucky'), totalFen: int, count: int, minFen: int, maxFen: int }),
    z.strictObject({
      kind: z.literal('tiers'),
      tiers: z.array(z.strictObject({ amountFen: int, count: int })),
    }),
  ])
  .openapi('PrizePlan');

const CampaignListQuery = PageQuery.extend({
  status: z.enum(campaignStatuses).optional().openapi({ description: 'Only campaigns in this status' }),
});

const Campaign = z
  .strictObject({
    id: int,
    advertiserId: int,
    name: z.string(),
    sponsor: z.string(),
    status: z.enum(campaignStatuses),
    startsAt: int,
    endsAt: int,
    dayparts: z.array(z.strictObject({ days: z.array(int), startMinute: int, endMinute: int })),
    targeting: z.strictObject({
      cities: z.array(z.string()),
      buildings: z.array(z.string()),
      screenGroupIds: z.array(int),
    }),
    budgetFen: int,
    prizePlan: CampaignPrizePlanReply,
    rules: z.strictObject({
      cashPerWalletPerDay: int,
      couponsPerWalletPerDay: int,
      fallbackCouponOfferId: int.openapi({
        description: 'the offer given when the cash cap withholds cash; 0: a thank-you',
      }),
      fallThrough: z
        .boolean()
        .optional()
        .openapi({ description: "The advertiser's fall-through choice; absent on older campaigns (off)" }),
      claimPaths: z
        .array(z.enum(claimPaths))
        .optional()
        .openapi({ description: 'Where its prizes may be won (tap, qr, reader_tag, sticker); absent: all' }),
      claimReservePercent: int.optional().openapi({
        description:
          'Percent of what is left that decks leave in the pool for online claims; absent: the default (10)',
      }),
    }),
    creatives: z.array(z.strictObject({ sha256: z.string(), durationMs: int })),
    couponOffers: z.array(
      z.strictObject({
        id: int,
        title: z.string(),
        valueFen: int,
        stock: int,
        validUntil: int.openapi({ description: 'Unix seconds' }),
        validityDays: int,
        terms: z.string(),
      }),
    ),
    budgetAccountId: int,
    budgetBalanceFen: int.openapi({
      description:
        'what the budget account holds now (all of the funding until activation, then the undealt pool)',
    }),
    money: z
      .strictObject({
        fundedFen: int,
        remainingFen: int,
        spentFen: int,
        returnedFen: int,
      })
      .openapi({
        description:
          'From the ledger: funded (every transfer into the budget) = remaining (budget and deck escrows) + spent (paid to wallets or held for review) + returned (refunded to the advertiser)',
      }),
    createdAt: z.string(),
  })
  .openapi('Campaign');

const transitionNames = Object.keys(campaignTransitions);

const QueuedRollout = z
  .strictObject({
    screens: int.openapi({ description: 'Active screens the campaign targets' }),
    decks: int.openapi({
      description: 'Screens that wait for a deck from it (the deck dispatcher issues them)',
    }),
    configs: int.openapi({
      description: 'Screens whose config was marked stale (the config dispatcher publishes them)',
    }),
    generation: int.openapi({ description: 'The config generation of the stale marks' }),
  })
  .openapi('QueuedRollout');

const CampaignTransitionReply = Campaign.extend({
  queued: QueuedRollout.optional().openapi({
    description:
      'After activate, pause, resume or end: what its screens were queued to get; progress at GET /v1/campaigns/{id}/rollout',
  }),
}).openapi('CampaignTransitionReply');

const CampaignRollout = z
  .strictObject({
    campaignId: int,
    status: z.enum(campaignStatuses),
    screens: int.openapi({ description: 'Active screens the campaign targets' }),
    withDeck: int.openapi({ description: 'Of them, those holding an open deck of the campaign' }),
    decksPending: int.openapi({ description: 'Decks wanted and not yet published' }),
    decksRetrying: int.openapi({ description: 'Of them, those waiting out a backoff after a failure' }),
    configsStale: int.openapi({ description: 'Targeted screens whose config is yet to be published' }),
    configsRetrying: int.openapi({ description: 'Of them, those whose last publish failed' }),
  })
  .openapi('CampaignRollout');

export function campaignRoutes(deps: AppDeps) {
  const app = createRouter();

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
      method: 'put',
      path: '/v1/campaigns/{id}',
      tags: ['campaigns'],
      summary:
        'Edit a campaign: all of a draft; of a paused one only what spends no money (name, sponsor, end, dayparts, creatives, per-wallet caps, fall-through)',
      request: {
        params: IdParam,
        body: { content: { 'application/json': { schema: CampaignBody } } },
      },
      responses: {
        200: { description: 'Campaign', content: { 'application/json': { schema: Campaign } } },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await updateCampaign(
          deps.db,
          scopeOf(principalOf(c)),
          c.req.valid('param').id,
          c.req.valid('json'),
          Math.floor(deps.now().getTime() / 1000),
        ),
        200,
      ),
  );

  app.openapi(
    defineRoute(['operator', 'advertiser'], {
      method: 'get',
      path: '/v1/campaigns',
      tags: ['campaigns'],
      summary:
        'A page of campaigns, optionally only those in one status (the approvals queue asks for submitted)',
      request: { query: CampaignListQuery },
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
              schema: z.strictObject({
                status: z.enum(['posted', 'exists']),
                budgetBalanceFen: z.number().int(),
              }),
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
      if (result.status === 'posted')
        await audit(deps.db, {
          actor: principalOf(c),
          action: 'campaign.funded',
          subject: `campaign:${c.req.valid('param').id}`,
          detail: { ...c.req.valid('json') },
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
        200: {
          description: 'Campaign, with what its screens were queued to get',
          content: { 'application/json': { schema: CampaignTransitionReply } },
        },
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
      await audit(deps.db, {
        actor: principal,
        action: `campaign.${transition}`,
        subject: `campaign:${campaign.id}`,
        detail: { status: campaign.status },
      });
      if (campaign.queued !== undefined) deps.dispatchers?.poke();
      return c.json(campaign, 200);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'post',
      path: '/v1/campaigns/{id}/decks',
      tags: ['campaigns'],
      summary:
        "Resolve an active campaign's screens again and queue a deck for every one (those holding their demand get their held decks again)",
      request: { params: IdParam },
      responses: {
        200: {
          description: 'Queued; the deck dispatcher issues and publishes them',
          content: {
            'application/json': {
              schema: z.strictObject({
                issued: int.openapi({
                  description: 'Always 0: decks are issued by the dispatcher, see queued',
                }),
                queued: QueuedRollout,
              }),
            },
          },
        },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      await getCampaign(deps.db, { kind: 'all' }, id);
      const queued = await deps.db.transaction((tx) => rollOutCampaign(tx, id));
      deps.dispatchers?.poke();
      return c.json({ issued: 0, queued }, 200);
    },
  );

  app.openapi(
    defineRoute(['operator', 'advertiser'], {
      method: 'get',
      path: '/v1/campaigns/{id}/rollout',
      tags: ['campaigns'],
      summary: "How far the campaign's decks and configs have reached its targeted screens (aggregates)",
      request: { params: IdParam },
      responses: {
        200: { description: 'Rollout', content: { 'application/json': { schema: CampaignRollout } } },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      const campaign = await getCampaign(deps.db, scopeOf(principalOf(c)), id);
      return c.json({ ...(await campaignRollout(deps.db, id, deps.now())), status: campaign.status }, 200);
    },
  );
  return app;
}
