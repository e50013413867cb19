// The ledger invariant, on demand, for operators (the same check as `redtap-cloud check-ledger`), and
// the history of money actions: past settlement exports (downloadable again), hold decisions and an
// advertiser's statement.
import { z } from '@hono/zod-openapi';
import { checkLedger, PROBLEMS_LISTED_MAX } from '../../ledger/check-ledger.ts';
import { fundingStatement } from '../../services/funding-statement.ts';
import { listHoldDecisions, type HoldDecisionCursor } from '../../services/reviews.ts';
import { listSettlementExports, settlementExportCsv } from '../../services/settlements.ts';
import type { AppDeps } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { defineRoute } from '../policy.ts';
import { createRouter } from '../router.ts';
import { IdParam, PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from '../schemas.ts';

const SettlementExport = z
  .strictObject({
    id: z.number().int(),
    settlementId: z.string(),
    createdAt: z.string(),
    createdBy: z.number().int().nullable(),
    withdrawalCount: z.number().int(),
    totalFen: z.number().int(),
    inFlightCount: z.number().int().openapi({ description: "Exported, waiting for the provider's result" }),
    paidCount: z.number().int(),
    failedCount: z.number().int(),
  })
  .openapi('SettlementExport');

const HoldDecision = z
  .strictObject({
    redemptionId: z.number().int(),
    decision: z.enum(['release', 'refuse']),
    amountFen: z.number().int(),
    decidedBy: z.number().int().nullable(),
    decidedByEmail: z.string().nullable(),
    decidedAt: z.string(),
    walletId: z.number().int(),
    campaignId: z.number().int(),
    reason: z.string().nullable(),
  })
  .openapi('HoldDecision');

const StatementLine = z
  .strictObject({
    seq: z
      .number()
      .int()
      .openapi({ description: "The line's position in the account's history (1: oldest)" }),
    transferId: z.number().int(),
    code: z
      .string()
      .openapi({ description: 'The ledger code: fund_advertiser, fund_campaign, refund_campaign' }),
    amountFen: z.number().int().openapi({ description: 'Signed: positive in, negative out' }),
    createdAt: z.string(),
    campaignId: z.number().int().nullable(),
    campaignName: z.string().nullable(),
    fundedBy: z.number().int().nullable(),
    fundedByEmail: z.string().nullable(),
    balanceAfterFen: z.number().int(),
  })
  .openapi('StatementLine');

/** A decisions page's cursor: `decidedAtMs.redemptionId` of the previous page's last decision. */
const DecisionQuery = z.object({
  limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(PAGE_SIZE_DEFAULT),
  before: z
    .string()
    .regex(/^\d{1,15}\.\d{1,15}$/)
    .optional(),
});

function decisionCursorOf(before: string): HoldDecisionCursor {
  const [decidedAtMs = 0, redemptionId = 0] = before.split('.').map(Number);
  return { decidedAtMs, redemptionId };
}

const BeforeQuery = z.object({
  limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(PAGE_SIZE_DEFAULT),
  /** Keyset cursor: the smallest id of the previous page (0: start from the newest). */
  before: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
});

const LedgerCheck = z
  .strictObject({
    ok: z.boolean(),
    mode: z.enum(['full', 'incremental']).openapi({
      description:
        'full: every transfer was summed; incremental: the transfers since the last checkpoint, added to its sums',
    }),
    accounts: z.number().int(),
    transfers: z.number().int(),
    transfersRead: z.number().int().openapi({ description: 'Transfers this check read' }),
    totalFen: z.number().int(),
    negativeAccountIds: z.array(z.number().int()),
    mismatchedAccountIds: z.array(z.number().int()),
    poolMismatchCampaignIds: z.array(z.number().int()),
    idsTruncated: z.boolean().openapi({
      description: `An id list holds its first ${PROBLEMS_LISTED_MAX} only: there are more problems than listed`,
    }),
  })
  .openapi('LedgerCheck');

export function ledgerRoutes(deps: AppDeps) {
  const app = createRouter();
  app.openapi(
    defineRoute(['operator'], {
      method: 'get',
      path: '/v1/ledger/check',
      tags: ['ledger'],
      summary:
        'Check the ledger invariant: sums to zero, nothing negative, balances match transfers (those since the last checkpoint, or all of them with full=true, for audits)',
      request: {
        query: z.object({
          full: z
            .enum(['true', 'false'])
            .default('false')
            .transform((value) => value === 'true'),
        }),
      },
      responses: {
        200: { description: 'Result', content: { 'application/json': { schema: LedgerCheck } } },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => c.json(await checkLedger(deps.db, { full: c.req.valid('query').full }), 200),
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'get',
      path: '/v1/settlements',
      tags: ['review'],
      summary: 'Past settlement exports, newest first',
      request: { query: BeforeQuery },
      responses: {
        200: {
          description: 'Page',
          content: { 'application/json': { schema: z.strictObject({ items: z.array(SettlementExport) }) } },
        },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => c.json({ items: await listSettlementExports(deps.db, c.req.valid('query')) }, 200),
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'get',
      path: '/v1/settlements/{id}/csv',
      tags: ['review'],
      summary: 'Download a past settlement file again (the same bytes; nothing is marked or moved)',
      request: { params: IdParam },
      responses: {
        200: { description: 'The settlement file', content: { 'text/csv': { schema: z.string() } } },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      const found = await settlementExportCsv(deps.db, c.req.valid('param').id);
      c.header('Content-Type', 'text/csv; charset=utf-8');
      c.header('Content-Disposition', `attachment; filename="${found.settlementId}.csv"`);
      return c.body(found.csv, 200);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'get',
      path: '/v1/holds/decisions',
      tags: ['review'],
      summary:
        'The decisions on held taps, newest first, with who made them. Page on with `before` = `nextBefore`',
      request: { query: DecisionQuery },
      responses: {
        200: {
          description: 'Page',
          content: {
            'application/json': {
              schema: z.strictObject({ items: z.array(HoldDecision), nextBefore: z.string().nullable() }),
            },
          },
        },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const { limit, before } = c.req.valid('query');
      const cursor = before === undefined ? null : decisionCursorOf(before);
      const items = await listHoldDecisions(deps.db, limit, cursor);
      const last = items.at(-1);
      const nextBefore =
        items.length < limit || last === undefined
          ? null
          : `${new Date(last.decidedAt).getTime()}.${last.redemptionId}`;
      return c.json({ items, nextBefore }, 200);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'get',
      path: '/v1/advertisers/{id}/fundings',
      tags: ['advertisers'],
      summary:
        "An advertiser's statement, newest first: every ledger transfer of its cash account (fundings, money into campaign budgets, returns) with the balance after it. Page on with `before` = `nextBefore`",
      request: { params: IdParam, query: BeforeQuery },
      responses: {
        200: {
          description: 'Page',
          content: {
            'application/json': {
              schema: z.strictObject({
                items: z.array(StatementLine),
                nextBefore: z.number().int().nullable(),
                balanceFen: z.number().int(),
              }),
            },
          },
        },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => c.json(await fundingStatement(deps.db, c.req.valid('param').id, c.req.valid('query')), 200),
  );
  return app;
}
