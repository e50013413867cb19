// The ledger invariant, on demand, for operators (the same check as `redtap-cloud check-ledger`).
import { z } from '@hono/zod-openapi';
import { checkLedger } from '../../ledger/check-ledger.ts';
import type { AppDeps } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { defineRoute } from '../policy.ts';
import { createRouter } from '../router.ts';

const LedgerCheck = z
  .object({
    ok: z.boolean(),
    accounts: z.number().int(),
    transfers: z.number().int(),
    totalFen: z.number().int(),
    negativeAccountIds: z.array(z.number().int()),
    mismatchedAccountIds: z.array(z.number().int()),
  })
  .openapi('LedgerCheck');

export function ledgerRoutes(deps: AppDeps) {
  const app = createRouter();
  app.openapi(
    defineRoute(['operator'], {
      method: 'get',
      path: '/v1/ledger/check',
      tags: ['ledger'],
      summary: 'Check the ledger invariant: sums to zero, nothing negative, balances match transfers',
      responses: {
        200: { description: 'Result', content: { 'application/json': { schema: LedgerCheck } } },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => c.json(await checkLedger(deps.db), 200),
  );
  return app;
}
