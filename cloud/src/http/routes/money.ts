// The money routes: creatives by hash, the phone redemption path, a wallet's history, coupons and
// withdrawals, fraud-hold review, payout settlement, deck expiry and reports.
import { z } from '@hono/zod-openapi';
import { decodeTapToken, ErrorCode, FEN_MAX, fromHex, TAP_TOKEN_LENGTH } from '@redtap/shared';
import { displayCouponCode } from '../../coupons/coupon-code.ts';
import { contentMimes } from '../../db/schema/campaigns.ts';
import { DomainError } from '../../errors.ts';
import { scopeOf } from '../../services/accounts.ts';
import { CONTENT_BYTES_MAX, loadContent, storeContent } from '../../services/content.ts';
import { settleExpiredDecks } from '../../services/decks.ts';
import { campaignReport, reportCsv, UNIQUE_WALLETS_TAPS_MAX } from '../../services/reports.ts';
import { exportPayoutBatch } from '../../services/payouts.ts';
import { listHeldTaps, reviewHeldTap } from '../../services/reviews.ts';
import {
  listWithdrawals,
  requestWithdrawal,
  walletCoupons,
  walletHistory,
} from '../../services/wallet-money.ts';
import type { AppDeps } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { defineRoute, operatorUserIdOf, principalOf, walletIdOf } from '../policy.ts';
import { rateLimit } from '../rate-limits.ts';
import { audit } from '../../services/audit.ts';
import { createRouter } from '../router.ts';
import {
  Id,
  IdParam,
  nextAfter,
  PAGE_SIZE_DEFAULT,
  PAGE_SIZE_MAX,
  PageQuery,
  pageOf,
  DayRange,
  fromNotAfterTo,
} from '../schemas.ts';

const BeforeQuery = z.object({
  limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(PAGE_SIZE_DEFAULT),
  before: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
});
const Sha256Param = z.object({
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .openapi({ param: { name: 'sha256', in: 'path' } }),
});
const RedeemReply = z
  .strictObject({
    counter: z.number().int().nullable(),
    status: z.enum(['credited', 'duplicate', 'rejected', 'held', 'retry']),
    code: z.string().optional(),
    amountFen: z.number().int().optional(),
    couponCode: z.string().optional(),
  })
  .openapi('RedeemResult');

const WalletCoupon = z
  .strictObject({
    id: z.number().int(),
    code: z.string(),
    couponOfferId: z.number().int(),
    title: z.string(),
    valueFen: z.number().int(),
    terms: z.string(),
    validUntil: z.number().int(),
    status: z.enum(['issued', 'redeemed', 'expired']),
    redeemedAt: z.string().nullable(),
  })
  .openapi('WalletCoupon');

const ReportRow = z
  .strictObject({
    key: z.string(),
    label: z.string().openapi({ description: "the screen's name for a by-screen row, the key otherwise" }),
    impressions: z.number().int().nullable().openapi({
      description: 'null: no screen reported plays for this row (unknown, not zero); at most 2^53 − 1',
    }),
    impressionsCapped: z
      .boolean()
      .openapi({ description: 'the sum of plays exceeds 2^53 − 1 and `impressions` shows that bound' }),
    impressionsExact: z
      .string()
      .nullable()
      .openapi({ description: 'the exact sum of plays as a decimal string, or null with `impressions`' }),
    taps: z.number().int(),
    ratedTaps: z.number().int().openapi({ description: 'taps from periods with reported plays' }),
    uniqueWallets: z
      .number()
      .int()
      .nullable()
      .openapi({
        description: `distinct wallets among the taps; null when the report holds more than ${UNIQUE_WALLETS_TAPS_MAX} counted taps`,
      }),
    cashFen: z.number().int(),
    coupons: z.number().int(),
    tapThroughRate: z.number().nullable(),
  })
  .openapi('ReportRow');

const Report = z
  .strictObject({
    timezone: z.string().openapi({ description: 'the time zone report days are counted in' }),
    items: z.array(ReportRow),
  })
  .openapi('Report');

/** A token as hex (392 chars) or base64 (264 chars). */
function tokenBytes(text: string): Uint8Array | null {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]+$/.test(trimmed)) return fromHex(trimmed);
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) return new Uint8Array(Buffer.from(trimmed, 'base64'));
  return null;
}

const HistoryItemSchema = z.strictObject({
  id: z.number().int(),
  screenId: z.number().int(),
  counter: z.number().int(),
  campaignId: z.number().int(),
  tapTs: z.number().int(),
  amountFen: z.number().int(),
  couponOfferId: z.number().int().nullable(),
  status: z.string(),
  reason: z.string().nullable().openapi({ description: 'The reject, cap or hold code' }),
  brand: z
    .string()
    .nullable()
    .openapi({ description: "The brand of the tap's campaign: its sponsor, else its advertiser's name" }),
  couponTitle: z.string().nullable().openapi({ description: "The title of the tap's coupon offer, if any" }),
  path: z.enum(['tap', 'qr', 'reader_tag', 'sticker']).openapi({
    description:
      'How it was won: a kiosk tap, or an online claim of a QR ticket, a reader-tag ticket or a sticker (counter: the ticket sequence or SUN counter)',
  }),
  capCount: z
    .number()
    .int()
    .optional()
    .openapi({ description: 'With a count cap: packets counted that day' }),
  capMax: z.number().int().optional().openapi({ description: 'With a count cap: the daily limit' }),
});

export function moneyRoutes(deps: AppDeps) {
  const app = createRouter();
  app.on(
    'POST',
    '/v1/redeem',
    rateLimit(deps.settings.redeemRateLimit, deps.settings.trustProxy, () => deps.now().getTime()),
  );

  app.openapi(
    defineRoute(['operator', 'advertiser'], {
      method: 'post',
      path: '/v1/content',
      tags: ['content'],
      summary: 'Upload a creative as the raw body (png, jpeg, webp, mp4, webm); stored by SHA-256',
      // Documentation only: no media type here is JSON or a form, so no validator reads the body; the
      // handler takes the bytes as they came and checks them against the declared type itself.
      request: {
        body: {
          required: true,
          description: 'The file’s bytes, sent with its media type as `Content-Type`',
          content: Object.fromEntries(
            contentMimes.map((mime) => [mime, { schema: z.string().openapi({ format: 'binary' }) }]),
          ),
        },
      },
      responses: {
        201: {
          description: 'Stored',
          content: {
            'application/json': {
              schema: z.strictObject({
                sha256: z.string(),
                mime: z.string(),
                bytes: z.number().int(),
                url: z.string(),
              }),
            },
          },
        },
        ...errorResponses(400, 401, 403, 413),
      },
    }),
    async (c) => {
      const principal = principalOf(c);
      const declared = c.req.header('content-type')?.split(';')[0]?.trim() ?? null;
      const length = Number(c.req.header('content-length') ?? '0');
      if (length > CONTENT_BYTES_MAX) throw new DomainError(ErrorCode.BODY_TOO_LARGE, 'creative too large');
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      const stored = await storeContent(deps.db, deps.content, {
        bytes,
        declaredMime: declared === 'application/octet-stream' ? null : declared,
        advertiserId: principal.role === 'advertiser' ? principal.advertiserId : null,
      });
      return c.json(stored, 201);
    },
  );

  app.openapi(
    defineRoute('public', {
      method: 'get',
      path: '/v1/content/{sha256}',
      tags: ['content'],
      summary: 'A creative by its SHA-256 (immutable)',
      request: { params: Sha256Param },
      responses: {
        200: {
          description: 'The bytes, as the media type they were stored with',
          content: Object.fromEntries(
            contentMimes.map((mime) => [mime, { schema: z.string().openapi({ format: 'binary' }) }]),
          ),
        },
        ...errorResponses(404),
      },
    }),
    async (c) => {
      const found = await loadContent(deps.db, deps.content, c.req.valid('param').sha256);
      if (found === null) throw new DomainError(ErrorCode.NOT_FOUND, 'no such content');
      c.header('Content-Type', found.mime);
      c.header('Cache-Control', 'public, max-age=31536000, immutable');
      c.header('ETag', `"${c.req.valid('param').sha256}"`);
      return c.body(found.bytes.buffer as ArrayBuffer, 200);
    },
  );

  app.openapi(
    defineRoute('public', {
      method: 'post',
      path: '/v1/redeem',
      tags: ['redemption'],
      summary:
        "The phone path: redeem one signed tap receipt (hex or base64). The token authenticates itself; a copy that already arrived is `duplicate`. A won coupon's code is only in the reply to the owning wallet's session (anyone else gets status and amount; the wallet also finds it under /v1/wallets/me/coupons)",
      request: {
        body: {
          content: { 'application/json': { schema: z.object({ token: z.string().min(1).max(600) }) } },
        },
      },
      responses: {
        200: { description: 'Result', content: { 'application/json': { schema: RedeemReply } } },
        ...errorResponses(400, 429),
      },
    }),
    async (c) => {
      const bytes = tokenBytes(c.req.valid('json').token);
      if (bytes?.length !== TAP_TOKEN_LENGTH)
        throw new DomainError(ErrorCode.VALIDATION_FAILED, 'token must be 196 bytes as hex or base64');
      const { couponCode, ...result } = await deps.redemption.redeem(bytes);
      // A receipt is not a secret (whoever saw it could submit it first), so the code it won goes only
      // to the session of the wallet the receipt names; the phone shows (and draws as a QR) the code as
      // people type it at the till.
      const principal = c.get('principal');
      const token = decodeTapToken(bytes);
      const owner =
        couponCode !== undefined &&
        token.ok &&
        principal?.role === 'wallet' &&
        principal.walletId === token.value.walletId;
      return c.json(owner ? { ...result, couponCode: displayCouponCode(couponCode) } : result, 200);
    },
  );

  app.openapi(
    defineRoute(['wallet'], {
      method: 'get',
      path: '/v1/wallets/me/history',
      tags: ['wallets'],
      summary:
        'Taps and online claims newest first, with their result and reason (credited, rejected with a cap, held, released) and the brand that paid',
      request: { query: BeforeQuery },
      responses: {
        200: {
          description: 'Page',
          content: {
            'application/json': { schema: z.strictObject({ items: z.array(HistoryItemSchema) }) },
          },
        },
        ...errorResponses(401, 403),
      },
    }),
    async (c) =>
      c.json(
        { items: await walletHistory(deps.db, walletIdOf(c), c.req.valid('query'), deps.settings.money) },
        200,
      ),
  );

  app.openapi(
    defineRoute(['wallet'], {
      method: 'get',
      path: '/v1/wallets/me/coupons',
      tags: ['wallets'],
      request: { query: BeforeQuery },
      responses: {
        200: {
          description: 'Page',
          content: {
            'application/json': { schema: z.strictObject({ items: z.array(WalletCoupon) }) },
          },
        },
        ...errorResponses(401, 403),
      },
    }),
    async (c) =>
      c.json({ items: await walletCoupons(deps.db, walletIdOf(c), c.req.valid('query'), deps.now()) }, 200),
  );

  const Withdrawal = z
    .strictObject({
      id: z.number().int(),
      amountFen: z.number().int(),
      status: z.enum(['pending', 'exported', 'paid', 'failed', 'held', 'refused']).openapi({
        description:
          'pending → exported (in a batch, in flight to the provider) → paid, or failed (the money is back in the wallet); held for review by a multi-account signal → pending (released) or refused (the money is back in the wallet)',
      }),
      holdReason: z
        .string()
        .nullable()
        .openapi({ description: 'The multi-account signal that held it, if one did' }),
      createdAt: z.string(),
      exportedAt: z.string().nullable(),
      paidAt: z.string().nullable(),
      failedAt: z.string().nullable(),
      failureReason: z.string().nullable(),
      payee: z.string().nullable().openapi({ description: 'The payout account it goes to, masked' }),
    })
    .openapi('Withdrawal');

  app.openapi(
    defineRoute(['wallet'], {
      method: 'post',
      path: '/v1/wallets/me/withdrawals',
      tags: ['wallets'],
      summary: 'Withdraw to the payment provider (≥ the minimum, within the daily limit, idempotent per key)',
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({
                amountFen: z.number().int().min(1).max(FEN_MAX),
                idempotencyKey: z
                  .string()
                  .min(8)
                  .max(64)
                  .regex(/^[A-Za-z0-9_-]+$/),
              }),
            },
          },
        },
      },
      responses: {
        201: {
          description:
            'Created, or the earlier request with this key replayed as it was answered (with `Idempotent-Replayed: true`)',
          content: { 'application/json': { schema: Withdrawal } },
        },
        ...errorResponses(400, 401, 403, 409, 422),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const result = await requestWithdrawal(deps.db, {
        walletId: walletIdOf(c),
        ...body,
        now: deps.now(),
        settings: deps.settings.money,
      });
      // A replay answers exactly as the first request was answered, so a retrying client sees one result.
      if (result.replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(result.withdrawal, 201);
    },
  );

  app.openapi(
    defineRoute(['wallet'], {
      method: 'get',
      path: '/v1/wallets/me/withdrawals',
      tags: ['wallets'],
      summary: "The wallet's withdrawals, newest first. Page on with `before` = `nextBefore`",
      request: { query: BeforeQuery },
      responses: {
        200: {
          description: 'Page',
          content: {
            'application/json': {
              schema: z.strictObject({ items: z.array(Withdrawal), nextBefore: z.number().int().nullable() }),
            },
          },
        },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const page = c.req.valid('query');
      const items = await listWithdrawals(deps.db, walletIdOf(c), page);
      const nextBefore = items.length < page.limit ? null : (items.at(-1)?.id ?? null);
      return c.json({ items, nextBefore }, 200);
    },
  );

  const HeldTap = z
    .strictObject({
      id: z.number().int(),
      kind: z.enum(['tap', 'claim']).openapi({
        description:
          'tap: a kiosk tap held by a fraud rule; claim: an online claim held by a multi-account signal (counter is its ticket sequence or sticker read counter)',
      }),
      screenId: z.number().int(),
      counter: z.number().int(),
      walletId: z.number().int(),
      campaignId: z.number().int(),
      amountFen: z.number().int(),
      reason: z.string().nullable(),
      tapTs: z.number().int(),
    })
    .openapi('HeldTap');

  app.openapi(
    defineRoute(['operator'], {
      method: 'get',
      path: '/v1/holds',
      tags: ['review'],
      summary:
        'Taps held by a fraud rule and online claims held by a multi-account signal (reason), oldest first',
      request: { query: PageQuery },
      responses: {
        200: { description: 'Page', content: { 'application/json': { schema: pageOf(HeldTap) } } },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const page = c.req.valid('query');
      const items = await listHeldTaps(deps.db, page);
      return c.json({ items, nextAfter: nextAfter(items, page.limit) }, 200);
    },
  );

  for (const decision of ['release', 'refuse'] as const) {
    app.openapi(
      defineRoute(['operator'], {
        method: 'post',
        path: `/v1/holds/{id}/${decision}`,
        tags: ['review'],
        summary:
          decision === 'release'
            ? 'Pay a held tap or claim to the wallet, once'
            : 'Return a held tap or claim to the campaign budget',
        request: { params: IdParam },
        responses: {
          200: {
            description: 'Reviewed',
            content: {
              'application/json': {
                schema: z.strictObject({
                  id: z.number().int(),
                  status: z.string(),
                  amountFen: z.number().int(),
                }),
              },
            },
          },
          ...errorResponses(401, 403, 404, 409),
        },
      }),
      async (c) => {
        const reviewed = await reviewHeldTap(deps.db, {
          redemptionId: c.req.valid('param').id,
          decision,
          now: deps.now(),
          decidedBy: operatorUserIdOf(c),
        });
        await audit(deps.db, {
          actor: principalOf(c),
          action: `hold.${decision}d`,
          subject: `redemption:${reviewed.id}`,
          detail: { amountFen: reviewed.amountFen, status: reviewed.status },
        });
        return c.json(reviewed, 200);
      },
    );
  }

  app.openapi(
    defineRoute(['operator'], {
      method: 'post',
      path: '/v1/settlements',
      tags: ['review'],
      summary:
        'Export pending withdrawals with their payees as one batch (CSV, UTF-8 with a BOM) for the payment provider and mark them exported, in flight: nothing is paid until the provider’s result file is imported (POST /v1/settlements/{id}/results). The file is kept (GET /v1/settlements/{id}/csv) and a second export holds only withdrawals not yet exported',
      responses: {
        200: { description: 'The settlement file', content: { 'text/csv': { schema: z.string() } } },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => {
      const settlement = await exportPayoutBatch(deps.db, deps.now(), operatorUserIdOf(c));
      await audit(deps.db, {
        actor: principalOf(c),
        action: 'payouts.exported',
        subject: settlement.exportId === null ? null : `settlement:${settlement.exportId}`,
        detail: { count: settlement.count, totalFen: settlement.totalFen, batchId: settlement.batchId },
      });
      if (settlement.exportId !== null) c.header('X-Settlement-Export-Id', String(settlement.exportId));
      if (settlement.batchId !== null) c.header('X-Settlement-Batch-Id', settlement.batchId);
      c.header('Content-Type', 'text/csv; charset=utf-8');
      c.header('X-Settlement-Count', String(settlement.count));
      c.header('X-Settlement-Total-Fen', String(settlement.totalFen));
      return c.body(settlement.csv, 200);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'post',
      path: '/v1/decks/settle-expired',
      tags: ['campaigns'],
      summary: 'Return the escrow of decks past validUntil + grace now (a timer also does this)',
      responses: {
        200: {
          description: 'Settled',
          content: {
            'application/json': {
              schema: z.strictObject({ decks: z.number().int(), returnedFen: z.number().int() }),
            },
          },
        },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => c.json(await settleExpiredDecks(deps.db, deps.settings.money, deps.now()), 200),
  );

  app.openapi(
    defineRoute(['operator', 'advertiser'], {
      method: 'get',
      path: '/v1/reports',
      tags: ['reports'],
      summary:
        'Impressions, taps (kiosk taps and credited online claims), unique wallets, cash and coupons by day, city, screen or path (tap, qr, reader_tag, sticker), JSON or CSV',
      request: {
        query: z
          .object({
            ...DayRange,
            by: z.enum(['day', 'city', 'screen', 'path']).default('day'),
            campaignId: Id.optional(),
            format: z.enum(['json', 'csv']).default('json'),
          })
          .refine(...fromNotAfterTo),
      },
      responses: {
        200: {
          description: 'The report (days are counted in `timezone`), or CSV with format=csv',
          content: {
            'application/json': { schema: Report },
            'text/csv': { schema: z.string() },
          },
        },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const report = await campaignReport(deps.db, scopeOf(principalOf(c)), {
        ...query,
        timezone: deps.settings.money.timezone,
      });
      if (query.format === 'csv') {
        c.header('Content-Type', 'text/csv; charset=utf-8');
        return c.body(reportCsv(query.by, report), 200);
      }
      return c.body(JSON.stringify(report), 200, { 'Content-Type': 'application/json' });
    },
  );
  return app;
}
