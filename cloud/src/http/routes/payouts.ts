// Payouts: a wallet links the account it is paid to; the operator imports the payment provider's result
// file for an exported batch (docs/operations.md "Payouts"). The export itself is POST /v1/settlements.
import { z } from '@hono/zod-openapi';
import { ErrorCode, payoutAccountKinds } from '@redtap/shared';
import { DomainError } from '../../errors.ts';
import { audit } from '../../services/audit.ts';
import {
  getPayoutAccount,
  importPayoutResults,
  linkPayoutAccount,
  listHeldWithdrawals,
  PAYOUT_RESULT_FILE_BYTES_MAX,
  reviewHeldWithdrawal,
} from '../../services/payouts.ts';
import type { AppDeps } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { defineRoute, operatorUserIdOf, principalOf, walletIdOf } from '../policy.ts';
import { createRouter } from '../router.ts';
import { IdParam, nextAfter, PageQuery, pageOf } from '../schemas.ts';

const PayoutAccount = z
  .strictObject({
    kind: z.enum(payoutAccountKinds),
    account: z.string().openapi({ description: 'Masked: 138****8000, l***@example.com, **** 1234' }),
    holderName: z.string().openapi({ description: 'Masked: the first character only' }),
    bankName: z.string().nullable(),
    updatedAt: z.string(),
  })
  .openapi('PayoutAccount');

const PayoutImport = z
  .strictObject({
    batchId: z.string(),
    paid: z.number().int(),
    failed: z.number().int(),
    unchanged: z.number().int().openapi({ description: 'Rows whose result was recorded before' }),
    paidFen: z.number().int(),
    returnedFen: z.number().int().openapi({ description: "Failed withdrawals' money, back in the wallets" }),
  })
  .openapi('PayoutImport');

const HeldWithdrawal = z
  .strictObject({
    id: z.number().int(),
    walletId: z.number().int(),
    amountFen: z.number().int(),
    reason: z.string().nullable().openapi({ description: 'The multi-account signal that held it' }),
    payee: z.string().nullable().openapi({ description: 'The payout account, masked' }),
    walletsSharingAccount: z
      .number()
      .int()
      .openapi({ description: 'Wallets the account is linked to or was requested for' }),
    createdAt: z.string(),
  })
  .openapi('HeldWithdrawal');

export function payoutRoutes(deps: AppDeps) {
  const app = createRouter();

  app.openapi(
    defineRoute(['operator'], {
      method: 'get',
      path: '/v1/holds/withdrawals',
      tags: ['review'],
      summary:
        'Withdrawals held because their payout account is shared by many wallets, oldest first; their money waits in clearing',
      request: { query: PageQuery },
      responses: {
        200: { description: 'Page', content: { 'application/json': { schema: pageOf(HeldWithdrawal) } } },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const page = c.req.valid('query');
      const items = await listHeldWithdrawals(deps.db, page);
      return c.json({ items, nextAfter: nextAfter(items, page.limit) }, 200);
    },
  );

  for (const decision of ['release', 'refuse'] as const) {
    app.openapi(
      defineRoute(['operator'], {
        method: 'post',
        path: `/v1/holds/withdrawals/{id}/${decision}`,
        tags: ['review'],
        summary:
          decision === 'release'
            ? 'Release a held withdrawal: the next batch exports it and the provider pays it once'
            : "Refuse a held withdrawal: its money goes back to the wallet's cash",
        request: { params: IdParam },
        responses: {
          200: {
            description: 'Reviewed',
            content: {
              'application/json': {
                schema: z.strictObject({
                  id: z.number().int(),
                  status: z.enum(['pending', 'refused']),
                  amountFen: z.number().int(),
                }),
              },
            },
          },
          ...errorResponses(401, 403, 404, 409),
        },
      }),
      async (c) => {
        const reviewed = await reviewHeldWithdrawal(deps.db, {
          withdrawalId: c.req.valid('param').id,
          decision,
          now: deps.now(),
        });
        await audit(deps.db, {
          actor: principalOf(c),
          action: `withdrawal_hold.${decision}d`,
          subject: `withdrawal:${reviewed.id}`,
          detail: { amountFen: reviewed.amountFen, status: reviewed.status, decidedBy: operatorUserIdOf(c) },
        });
        return c.json(reviewed, 200);
      },
    );
  }

  app.openapi(
    defineRoute(['wallet'], {
      method: 'get',
      path: '/v1/wallets/me/payout-account',
      tags: ['wallets'],
      summary: 'The account withdrawals are paid to, masked; null until one is linked',
      responses: {
        200: {
          description: 'The account',
          content: { 'application/json': { schema: z.strictObject({ account: PayoutAccount.nullable() }) } },
        },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => c.json({ account: await getPayoutAccount(deps.db, walletIdOf(c)) }, 200),
  );

  app.openapi(
    defineRoute(['wallet'], {
      method: 'put',
      path: '/v1/wallets/me/payout-account',
      tags: ['wallets'],
      summary:
        'Link (or replace) the payout account: Alipay (mainland mobile or email) or a bank card (16–19 digits, Luhn) with its bank, and the holder’s real name. Withdrawals already requested keep theirs',
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.strictObject({
                kind: z.enum(payoutAccountKinds),
                account: z.string().min(1).max(100),
                holderName: z.string().min(1).max(60),
                bankName: z.string().max(60).nullable().optional(),
              }),
            },
          },
        },
      },
      responses: {
        200: { description: 'Linked', content: { 'application/json': { schema: PayoutAccount } } },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const linked = await linkPayoutAccount(deps.db, {
        walletId: walletIdOf(c),
        account: c.req.valid('json'),
        now: deps.now(),
      });
      // Where a wallet's money goes is a security matter: a changed account is on the record (masked).
      await audit(deps.db, {
        actor: principalOf(c),
        action: 'wallet.payout_account_linked',
        subject: `wallet:${String(walletIdOf(c))}`,
        detail: { kind: linked.kind, account: linked.account },
      });
      return c.json(linked, 200);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'post',
      path: '/v1/settlements/{id}/results',
      tags: ['review'],
      summary:
        "Import the payment provider's result file for a batch (CSV: batch_id, withdrawal_id, status paid|failed, provider_reference, reason). Each exported withdrawal becomes paid, or failed with its money back in the wallet, exactly once; a re-import changes nothing. All or nothing: a malformed file, a row of another batch or one contradicting a recorded result is refused with its line",
      request: {
        params: IdParam,
        body: { content: { 'text/csv': { schema: z.string() } }, required: true },
      },
      responses: {
        200: { description: 'Applied', content: { 'application/json': { schema: PayoutImport } } },
        ...errorResponses(400, 401, 403, 404, 409, 413, 422),
      },
    }),
    async (c) => {
      const text = await c.req.text();
      if (Buffer.byteLength(text) > PAYOUT_RESULT_FILE_BYTES_MAX)
        throw new DomainError(ErrorCode.BODY_TOO_LARGE, 'result file too large');
      const outcome = await importPayoutResults(deps.db, {
        exportId: c.req.valid('param').id,
        csv: text,
        now: deps.now(),
      });
      await audit(deps.db, {
        actor: principalOf(c),
        action: 'payouts.imported',
        subject: `settlement:${String(c.req.valid('param').id)}`,
        detail: { ...outcome },
      });
      return c.json(outcome, 200);
    },
  );
  return app;
}
