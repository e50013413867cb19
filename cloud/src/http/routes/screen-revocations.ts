// A screen's catch-up on credential revocations (docs/protocol.md §5.8): the pages after the number it
// holds, when its retained config's window starts beyond it. Screens only, with their broker login.
import { z } from '@hono/zod-openapi';
import { ErrorCode, REVOCATION_PAGE_MAX, RevocationPage } from '@redtap/shared';
import { DomainError } from '../../errors.ts';
import { revocationPage } from '../../services/revocations.ts';
import type { AppDeps } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { defineRoute, screenIdOf } from '../policy.ts';
import { createRouter } from '../router.ts';

const RevocationPageReply = z
  .strictObject({
    after: z.number().int(),
    through: z.number().int().openapi({
      description:
        'the page covers (after, through]: every unexpired revocation numbered there is in entries',
    }),
    version: z
      .number()
      .int()
      .openapi({ description: 'the latest revocation number when the cloud answered' }),
    entries: z.array(z.string()).openapi({ description: '`walletId:serial:expiresAt`, in number order' }),
    keyId: z.number().int().openapi({ description: 'the issuer key that signed the page' }),
    signature: z.string().openapi({ description: 'hex P-256 signature, label redtap:v1:revocations' }),
  })
  .openapi('RevocationPage');

export function screenRevocationRoutes(deps: AppDeps) {
  const app = createRouter();
  app.openapi(
    defineRoute('screen', {
      method: 'get',
      path: '/v1/screens/me/revocations',
      tags: ['screens'],
      summary:
        'The unexpired credential revocations numbered after `after`, one signed page at a time; ask again from `through` until it reaches the config’s revocation version',
      request: {
        query: z.object({
          after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
          limit: z.coerce.number().int().min(1).max(REVOCATION_PAGE_MAX).optional(),
        }),
      },
      responses: {
        200: { description: 'A page', content: { 'application/json': { schema: RevocationPageReply } } },
        ...errorResponses(400, 401, 403, 429),
      },
    }),
    async (c) => {
      const { after, limit } = c.req.valid('query');
      const screenId = screenIdOf(c);
      const page = await revocationPage(deps.db, deps.secrets.issuerKek, {
        screenId,
        after,
        limit,
        now: deps.now(),
      });
      if (page === null)
        throw new DomainError(
          ErrorCode.VALIDATION_FAILED,
          `after is beyond the latest revocation number; ask from a number at or below it`,
        );
      return c.json(RevocationPage.parse(page), 200);
    },
  );
  return app;
}
