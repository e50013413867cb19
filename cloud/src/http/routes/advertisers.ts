// Advertisers (tenants): operators create and fund them; an advertiser sees only itself.
import { z } from '@hono/zod-openapi';
import { FEN_MAX } from '@redtap/shared';
import {
  createAdvertiser,
  fundAdvertiser,
  getAdvertiser,
  getAdvertiserBalance,
  listAdvertisers,
  scopeOf,
} from '../../services/accounts.ts';
import type { AppDeps } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { recordFunding } from '../../services/funding-statement.ts';
import { defineRoute, operatorUserIdOf, principalOf } from '../policy.ts';
import { audit } from '../../services/audit.ts';
import { createRouter } from '../router.ts';
import {
  ClientTransferId,
  Email,
  IdParam,
  Name,
  nextAfter,
  PageQuery,
  pageOf,
  Password,
} from '../schemas.ts';

const Advertiser = z
  .strictObject({
    id: z.number().int(),
    name: z.string(),
    ledgerAccountId: z.number().int(),
    createdAt: z.string(),
  })
  .openapi('Advertiser');

export function advertiserRoutes(deps: AppDeps) {
  const app = createRouter();

  app.openapi(
    defineRoute(['operator'], {
      method: 'post',
      path: '/v1/advertisers',
      tags: ['advertisers'],
      summary: 'Create an advertiser and its first user',
      request: {
        body: {
          content: {
            'application/json': { schema: z.object({ name: Name, email: Email, password: Password }) },
          },
        },
      },
      responses: {
        201: { description: 'Created', content: { 'application/json': { schema: Advertiser } } },
        ...errorResponses(400, 401, 403, 409),
      },
    }),
    async (c) => {
      const created = await createAdvertiser(deps.db, c.req.valid('json'), deps.settings.passwordScrypt);
      await audit(deps.db, {
        actor: principalOf(c),
        action: 'advertiser.created',
        subject: `advertiser:${created.advertiser.id}`,
        detail: { name: created.advertiser.name, userId: created.userId },
      });
      return c.json(created.advertiser, 201);
    },
  );

  app.openapi(
    defineRoute(['operator', 'advertiser'], {
      method: 'get',
      path: '/v1/advertisers',
      tags: ['advertisers'],
      summary: 'List advertisers (an advertiser sees only itself)',
      request: { query: PageQuery },
      responses: {
        200: { description: 'Page', content: { 'application/json': { schema: pageOf(Advertiser) } } },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const page = c.req.valid('query');
      const items = await listAdvertisers(deps.db, scopeOf(principalOf(c)), page);
      return c.json({ items, nextAfter: nextAfter(items, page.limit) }, 200);
    },
  );

  app.openapi(
    defineRoute(['operator', 'advertiser'], {
      method: 'get',
      path: '/v1/advertisers/{id}',
      tags: ['advertisers'],
      request: { params: IdParam },
      responses: {
        200: { description: 'Advertiser', content: { 'application/json': { schema: Advertiser } } },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => c.json(await getAdvertiser(deps.db, scopeOf(principalOf(c)), c.req.valid('param').id), 200),
  );

  app.openapi(
    defineRoute(['operator', 'advertiser'], {
      method: 'get',
      path: '/v1/advertisers/{id}/balance',
      tags: ['advertisers'],
      summary: 'Cash not yet committed to campaign budgets, in fen',
      request: { params: IdParam },
      responses: {
        200: {
          description: 'Balance',
          content: { 'application/json': { schema: z.strictObject({ balanceFen: z.number().int() }) } },
        },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      const balanceFen = await getAdvertiserBalance(
        deps.db,
        scopeOf(principalOf(c)),
        c.req.valid('param').id,
      );
      return c.json({ balanceFen }, 200);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'post',
      path: '/v1/advertisers/{id}/funding',
      tags: ['advertisers'],
      summary: 'Credit an advertiser from the external funding source (idempotent per transferId)',
      request: {
        params: IdParam,
        body: {
          content: {
            'application/json': {
              schema: z.object({
                amountFen: z.number().int().min(1).max(FEN_MAX),
                transferId: ClientTransferId,
              }),
            },
          },
        },
      },
      responses: {
        200: {
          description: 'Posted, or an earlier identical post',
          content: {
            'application/json': {
              schema: z.strictObject({ status: z.enum(['posted', 'exists']), balanceFen: z.number().int() }),
            },
          },
        },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const advertiserId = c.req.valid('param').id;
      const fundedBy = operatorUserIdOf(c);
      // One transaction: the statement never lacks who posted a funding the ledger holds.
      const result = await deps.db.transaction(async (tx) => {
        const posted = await fundAdvertiser(tx, { advertiserId, ...body });
        await recordFunding(tx, {
          transferId: body.transferId,
          advertiserId,
          amountFen: body.amountFen,
          fundedBy,
          now: deps.now(),
        });
        if (posted.status === 'posted')
          await audit(tx, {
            actor: principalOf(c),
            action: 'advertiser.funded',
            subject: `advertiser:${advertiserId}`,
            detail: { amountFen: body.amountFen, transferId: body.transferId },
          });
        return posted;
      });
      return c.json(result, 200);
    },
  );
  return app;
}
