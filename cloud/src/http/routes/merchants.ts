// Merchants, stores and till keys for advertisers (the operator acts for any of them), and the coupon
// report: redemption rate and time to redeem by campaign, offer, store or city.
import { z } from '@hono/zod-openapi';
import { scopeOf } from '../../services/accounts.ts';
import { couponReport, couponReportCsv } from '../../services/coupon-reports.ts';
import {
  createMerchant,
  createStore,
  issueTillKey,
  listMerchants,
  listStores,
  listTillKeys,
  revokeTillKey,
  setStoreOffers,
  STORE_OFFERS_MAX,
} from '../../services/merchants.ts';
import type { AppDeps } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { defineRoute, principalOf } from '../policy.ts';
import { audit } from '../../services/audit.ts';
import { createRouter } from '../router.ts';
import {
  DayRange,
  fromNotAfterTo,
  Id,
  IdParam,
  Name,
  nextAfter,
  PAGE_SIZE_DEFAULT,
  PAGE_SIZE_MAX,
  PageQuery,
  pageOf,
} from '../schemas.ts';

const Merchant = z
  .strictObject({
    id: z.number().int(),
    advertiserId: z.number().int(),
    name: z.string(),
    createdAt: z.string(),
  })
  .openapi('Merchant');
const Store = z
  .strictObject({
    id: z.number().int(),
    merchantId: z.number().int(),
    advertiserId: z.number().int(),
    name: z.string(),
    city: z.string(),
    address: z.string(),
    acceptedOfferIds: z.array(z.number().int()),
    activeTillKeys: z.number().int(),
    createdAt: z.string(),
  })
  .openapi('Store');
const TillKey = z
  .strictObject({
    id: z.number().int(),
    storeId: z.number().int(),
    hint: z.string().openapi({ description: 'The first characters of the key' }),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi('TillKey');
const CouponReportRow = z
  .strictObject({
    key: z.string(),
    label: z.string(),
    issued: z.number().int(),
    redeemed: z.number().int(),
    expired: z.number().int(),
    redemptionRate: z.number().nullable(),
    redeemMedianS: z.number().int().nullable(),
    redeemP90S: z.number().int().nullable(),
  })
  .openapi('CouponReportRow');
const Text = z.string().trim().min(1).max(300);
const TillKeyQuery = z.object({
  limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(PAGE_SIZE_DEFAULT),
  /** Keyset cursor, newest first: the smallest id of the previous page. */
  before: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
});
const business = ['operator', 'advertiser'] as const;

export function merchantRoutes(deps: AppDeps) {
  const app = createRouter();
  app.openAPIRegistry.register('CouponReportRow', CouponReportRow);

  app.openapi(
    defineRoute(business, {
      method: 'post',
      path: '/v1/merchants',
      tags: ['merchants'],
      summary: 'Register a merchant (the operator names the advertiser; an advertiser registers its own)',
      request: {
        body: {
          content: { 'application/json': { schema: z.object({ name: Name, advertiserId: Id.optional() }) } },
        },
      },
      responses: {
        201: { description: 'Created', content: { 'application/json': { schema: Merchant } } },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => c.json(await createMerchant(deps.db, scopeOf(principalOf(c)), c.req.valid('json')), 201),
  );

  app.openapi(
    defineRoute(business, {
      method: 'get',
      path: '/v1/merchants',
      tags: ['merchants'],
      summary: 'A page of merchants by id. Page on with `after` = `nextAfter`',
      request: { query: PageQuery },
      responses: {
        200: {
          description: 'Merchants',
          content: { 'application/json': { schema: pageOf(Merchant) } },
        },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const page = c.req.valid('query');
      const items = await listMerchants(deps.db, scopeOf(principalOf(c)), page);
      return c.json({ items, nextAfter: nextAfter(items, page.limit) }, 200);
    },
  );

  app.openapi(
    defineRoute(business, {
      method: 'post',
      path: '/v1/merchants/{id}/stores',
      tags: ['merchants'],
      summary: 'Register a store of a merchant',
      request: {
        params: IdParam,
        body: {
          content: {
            'application/json': { schema: z.object({ name: Name, city: Name, address: Text }) },
          },
        },
      },
      responses: {
        201: { description: 'Created', content: { 'application/json': { schema: Store } } },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) =>
      c.json(
        await createStore(deps.db, scopeOf(principalOf(c)), {
          merchantId: c.req.valid('param').id,
          ...c.req.valid('json'),
        }),
        201,
      ),
  );

  app.openapi(
    defineRoute(business, {
      method: 'get',
      path: '/v1/stores',
      tags: ['merchants'],
      summary: 'A page of stores by id, of one merchant if asked. Page on with `after` = `nextAfter`',
      request: { query: PageQuery.extend({ merchantId: Id.optional() }) },
      responses: {
        200: {
          description: 'Stores',
          content: { 'application/json': { schema: pageOf(Store) } },
        },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const page = c.req.valid('query');
      const items = await listStores(deps.db, scopeOf(principalOf(c)), page);
      return c.json({ items, nextAfter: nextAfter(items, page.limit) }, 200);
    },
  );

  app.openapi(
    defineRoute(business, {
      method: 'put',
      path: '/v1/stores/{id}/offers',
      tags: ['merchants'],
      summary: "Set which of the brand's coupon offers this store accepts (replaces the list)",
      request: {
        params: IdParam,
        body: {
          content: {
            'application/json': {
              schema: z.object({ couponOfferIds: z.array(Id).max(STORE_OFFERS_MAX) }),
            },
          },
        },
      },
      responses: {
        200: { description: 'Store', content: { 'application/json': { schema: Store } } },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) =>
      c.json(
        await setStoreOffers(deps.db, scopeOf(principalOf(c)), {
          storeId: c.req.valid('param').id,
          couponOfferIds: c.req.valid('json').couponOfferIds,
        }),
        200,
      ),
  );

  app.openapi(
    defineRoute(business, {
      method: 'post',
      path: '/v1/stores/{id}/till-keys',
      tags: ['merchants'],
      summary:
        'Issue a till key for the store; the key is in this reply only. `revokeOthers: true` rotates (revokes the live ones)',
      request: {
        params: IdParam,
        body: {
          content: { 'application/json': { schema: z.object({ revokeOthers: z.boolean().default(false) }) } },
        },
      },
      responses: {
        201: {
          description: 'Issued',
          content: { 'application/json': { schema: TillKey.extend({ key: z.string() }) } },
        },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const principal = principalOf(c);
      const issued = await issueTillKey(deps.db, scopeOf(principal), {
        storeId: c.req.valid('param').id,
        revokeOthers: c.req.valid('json').revokeOthers,
        now: deps.now(),
        issuedByUserId: 'userId' in principal ? principal.userId : undefined,
      });
      await audit(deps.db, {
        actor: principal,
        action: 'till_key.issued',
        subject: `till_key:${issued.id}`,
        detail: { storeId: issued.storeId, revokeOthers: c.req.valid('json').revokeOthers },
      });
      return c.json(issued, 201);
    },
  );

  app.openapi(
    defineRoute(business, {
      method: 'get',
      path: '/v1/stores/{id}/till-keys',
      tags: ['merchants'],
      summary:
        'The store’s till keys, newest first (never the keys themselves). Page on with `before` = `nextBefore`',
      request: { params: IdParam, query: TillKeyQuery },
      responses: {
        200: {
          description: 'Keys',
          content: {
            'application/json': {
              schema: z.strictObject({ items: z.array(TillKey), nextBefore: z.number().int().nullable() }),
            },
          },
        },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const page = c.req.valid('query');
      const items = await listTillKeys(deps.db, scopeOf(principalOf(c)), {
        storeId: c.req.valid('param').id,
        ...page,
      });
      const nextBefore = items.length < page.limit ? null : (items.at(-1)?.id ?? null);
      return c.json({ items, nextBefore }, 200);
    },
  );

  app.openapi(
    defineRoute(business, {
      method: 'post',
      path: '/v1/till-keys/{id}/revoke',
      tags: ['merchants'],
      summary: 'Revoke a till key at once',
      request: { params: IdParam },
      responses: {
        200: { description: 'Revoked', content: { 'application/json': { schema: TillKey } } },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      const principal = principalOf(c);
      const revoked = await revokeTillKey(deps.db, scopeOf(principal), {
        tillKeyId: c.req.valid('param').id,
        now: deps.now(),
      });
      await audit(deps.db, {
        actor: principal,
        action: 'till_key.revoked',
        subject: `till_key:${revoked.id}`,
        detail: { storeId: revoked.storeId },
      });
      return c.json(revoked, 200);
    },
  );

  app.openapi(
    defineRoute(business, {
      method: 'get',
      path: '/v1/reports/coupons',
      tags: ['reports'],
      summary:
        'Coupons issued and redeemed, redemption rate and time to redeem (median, p90) by campaign, offer, store or city (JSON or CSV)',
      request: {
        query: z
          .object({
            ...DayRange,
            by: z.enum(['campaign', 'offer', 'store', 'city']).default('campaign'),
            campaignId: Id.optional(),
            format: z.enum(['json', 'csv']).default('json'),
          })
          .refine(...fromNotAfterTo),
      },
      responses: {
        200: {
          description: 'The report, or CSV with format=csv',
          content: {
            'application/json': { schema: z.strictObject({ items: z.array(CouponReportRow) }) },
            'text/csv': { schema: z.string() },
          },
        },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const rows = await couponReport(deps.db, scopeOf(principalOf(c)), { ...query, now: deps.now() });
      if (query.format === 'csv') {
        c.header('Content-Type', 'text/csv; charset=utf-8');
        return c.body(couponReportCsv(query.by, rows), 200);
      }
      return c.body(JSON.stringify({ items: rows }), 200, { 'Content-Type': 'application/json' });
    },
  );
  return app;
}
