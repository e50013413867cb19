// The till API (role `till`, a store's key as the bearer token or, in a browser, in an HttpOnly cookie):
// the store itself, looking a coupon code up without burning it, and redeeming it once. Guessing is
// rate-limited per key (in the database, shared by every process) and per address (in memory); each
// request reserves a failed lookup's cost before it runs, and a lookup that finds a coupon costs 1.
import { z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { ErrorCode } from '@redtap/shared';
import { COUPON_INPUT_LENGTH_MAX, parseCouponCode } from '../../coupons/coupon-code.ts';
import { CouponErrorCode } from '../../coupons/coupon-errors.ts';
import { GuessLimiter } from '../../coupons/guess-limiter.ts';
import { DomainError } from '../../errors.ts';
import { authenticateTillKey, TILL_KEY_PREFIX } from '../../services/merchants.ts';
import { refundTillGuess, reserveTillGuess } from '../../services/till-guess-budget.ts';
import { checkCouponAtTill, redeemCouponAtTill, refuse, tillStore } from '../../services/till.ts';
import { clientIp } from '../client-ip.ts';
import { assertSignInNotCrossSite, clearTillCookie, setTillCookie, TILL_COOKIE } from '../cookies.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { defineRoute, tillOf } from '../policy.ts';
import { createRouter } from '../router.ts';

/** Addresses tracked in memory; a flood of new ones forgets old addresses, never a till key's budget. */
const TRACKED_CLIENTS_MAX = 10_000;
const TILL_SIGN_IN_PATH = '/v1/till/session';
/** Answers that mean "that guess was wrong": a bad key, a malformed or unknown code, another brand's code. */
const FAILED_STATUSES = new Set([400, 401, 404, 422]);

const CodeParam = z.object({
  code: z
    .string()
    .max(COUPON_INPUT_LENGTH_MAX)
    .openapi({
      param: { name: 'code', in: 'path' },
      example: '7K3M-9QXD-A2BC-E4FG-K',
      description: 'As printed or scanned; case, spaces and dashes do not matter',
    }),
});
const Offer = z.strictObject({
  id: z.number().int(),
  title: z.string(),
  valueFen: z.number().int(),
  terms: z.string(),
});
const TillCoupon = z
  .strictObject({
    code: z.string(),
    status: z.enum(['issued', 'redeemed', 'expired']),
    offer: Offer,
    campaignId: z.number().int(),
    issuedAt: z.string(),
    validUntil: z.number().int().openapi({ description: 'Unix seconds' }),
    redeemedAt: z.string().nullable(),
    acceptedHere: z.boolean(),
    refusal: z
      .enum(Object.values(CouponErrorCode) as [CouponErrorCode, ...CouponErrorCode[]])
      .nullable()
      .openapi({
        description: 'The code a redemption here would be refused with now; null if it would succeed',
      }),
  })
  .openapi('TillCoupon');
const TillStore = z
  .strictObject({
    storeId: z.number().int(),
    name: z.string(),
    city: z.string(),
    address: z.string(),
    merchant: z.string(),
    acceptedOffers: z.array(
      z.strictObject({ id: z.number().int(), title: z.string(), valueFen: z.number().int() }),
    ),
  })
  .openapi('TillStore');

function couponBody(code: string): string {
  const parsed = parseCouponCode(code);
  if (!parsed.ok) throw refuse(CouponErrorCode.COUPON_CODE_INVALID);
  return parsed.body;
}

export function tillRoutes(deps: AppDeps) {
  const app = createRouter();
  const setting = deps.settings.tillRateLimit;
  const limiter = new GuessLimiter({
    pointsMax: setting.pointsMax,
    windowMs: setting.windowMs,
    failureCost: setting.failureCost,
    keysMax: TRACKED_CLIENTS_MAX,
    now: () => deps.now().getTime(),
  });
  const refuse = (c: Context<AppEnv>): never => {
    c.header('Retry-After', String(Math.ceil(setting.windowMs / 1000)));
    throw new DomainError(ErrorCode.RATE_LIMITED, 'too many attempts; try again later');
  };
  const guard: MiddlewareHandler<AppEnv> = async (c, next) => {
    const principal = c.get('principal');
    // Only till traffic counts: an operator's session probing this route is refused by policy anyway.
    const tillTraffic =
      principal?.role === 'till' ||
      (c.req.method === 'POST' && c.req.path === TILL_SIGN_IN_PATH) ||
      (c.req.header('authorization') ?? '').startsWith(`Bearer ${TILL_KEY_PREFIX}`) ||
      getCookie(c, TILL_COOKIE) !== undefined;
    if (!tillTraffic) return next();
    // Reserve before the work, in one step each (synchronous here, one upsert in the database): parallel
    // requests cannot all pass a check made before any of them is charged.
    const address = limiter.reserve(`ip:${clientIp(c, deps.settings.trustProxy)}`);
    if (address === null) return refuse(c);
    const key =
      principal?.role === 'till'
        ? await reserveTillGuess(deps.db, principal.tillKeyId, setting, deps.now())
        : undefined;
    if (key === null) {
      limiter.refund(address, address.cost);
      return refuse(c);
    }
    await next();
    if (FAILED_STATUSES.has(c.res.status)) return;
    // Found: the lookup costs 1 point, not a failure's.
    limiter.refund(address, address.cost - 1);
    if (key !== undefined) await refundTillGuess(deps.db, key, key.cost - 1);
  };
  app.use('/v1/till/*', guard);

  app.openapi(
    defineRoute(['till'], {
      method: 'get',
      path: '/v1/till/store',
      tags: ['till'],
      summary: 'The store this till key belongs to, and the offers it accepts',
      responses: {
        200: { description: 'Store', content: { 'application/json': { schema: TillStore } } },
        ...errorResponses(401, 403, 429),
      },
    }),
    async (c) => c.json(await tillStore(deps.db, tillOf(c)), 200),
  );

  app.openapi(
    defineRoute('public', {
      method: 'post',
      path: TILL_SIGN_IN_PATH,
      tags: ['till'],
      summary:
        "Open the till in this browser: checks the key and keeps it in an HttpOnly cookie for the till's routes, so every tab of the browser is signed in",
      request: {
        body: {
          content: {
            'application/json': { schema: z.object({ key: z.string().min(1).max(128) }) },
          },
        },
      },
      responses: {
        200: { description: 'Store', content: { 'application/json': { schema: TillStore } } },
        ...errorResponses(400, 401, 403, 429),
      },
    }),
    async (c) => {
      assertSignInNotCrossSite(c);
      const { key } = c.req.valid('json');
      const till = await authenticateTillKey(deps.db, key, deps.now());
      if (till === null) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'this till key is not valid');
      setTillCookie(c, key, deps.settings.trustProxy);
      return c.json(await tillStore(deps.db, till), 200);
    },
  );

  app.openapi(
    defineRoute('public', {
      method: 'post',
      path: `${TILL_SIGN_IN_PATH}/end`,
      tags: ['till'],
      summary: 'Close the till in this browser (forgets the cookie; the key itself stays valid)',
      responses: {
        200: {
          description: 'Closed',
          content: { 'application/json': { schema: z.strictObject({ closed: z.boolean() }) } },
        },
        ...errorResponses(403),
      },
    }),
    (c) => {
      clearTillCookie(c, deps.settings.trustProxy);
      return c.json({ closed: true }, 200);
    },
  );

  app.openapi(
    defineRoute(['till'], {
      method: 'get',
      path: '/v1/till/coupons/{code}',
      tags: ['till'],
      summary:
        "Look a coupon up without redeeming it: offer, value, validity, whether this store accepts it and why it would be refused. Another brand's coupon is COUPON_NOT_ACCEPTED_HERE",
      request: { params: CodeParam },
      responses: {
        200: { description: 'The coupon', content: { 'application/json': { schema: TillCoupon } } },
        ...errorResponses(400, 401, 403, 404, 422, 429),
      },
    }),
    async (c) =>
      c.json(
        await checkCouponAtTill(deps.db, tillOf(c), {
          body: couponBody(c.req.valid('param').code),
          now: deps.now(),
        }),
        200,
      ),
  );

  app.openapi(
    defineRoute(['till'], {
      method: 'post',
      path: '/v1/till/coupons/{code}/redeem',
      tags: ['till'],
      summary:
        'Redeem a coupon once. Idempotent per code and tillTxnId: the same id answers the first result (`replayed: true`); another attempt on a redeemed coupon is COUPON_ALREADY_REDEEMED',
      request: {
        params: CodeParam,
        body: {
          required: false,
          content: {
            'application/json': {
              schema: z.object({
                tillTxnId: z
                  .string()
                  .min(1)
                  .max(64)
                  .regex(/^[A-Za-z0-9._:-]+$/)
                  .optional()
                  .openapi({ description: "The till's own transaction id" }),
              }),
            },
          },
        },
      },
      responses: {
        200: {
          description: 'Redeemed (now, or by the earlier request with this tillTxnId)',
          content: { 'application/json': { schema: TillCoupon.extend({ replayed: z.boolean() }) } },
        },
        ...errorResponses(400, 401, 403, 404, 409, 410, 422, 429),
      },
    }),
    async (c) => {
      const body = couponBody(c.req.valid('param').code);
      const { tillTxnId } = c.req.valid('json');
      return c.json(await redeemCouponAtTill(deps.db, tillOf(c), { body, tillTxnId, now: deps.now() }), 200);
    },
  );
  return app;
}
