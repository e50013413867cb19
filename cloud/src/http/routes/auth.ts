// Email + password login for operators and advertiser users, and "who am I" for any session.
import { z } from '@hono/zod-openapi';
import { ErrorCode } from '@redtap/shared';
import { issueSession } from '../../auth/sessions.ts';
import { DomainError } from '../../errors.ts';
import { loginWithPassword } from '../../services/accounts.ts';
import type { AppDeps } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { defineRoute, sessionPrincipalOf } from '../policy.ts';
import { rateLimit } from '../rate-limits.ts';
import { createRouter } from '../router.ts';
import { Email, Session } from '../schemas.ts';

const Me = z
  .strictObject({
    role: z.enum(['operator', 'advertiser', 'wallet']),
    userId: z.number().int().optional(),
    advertiserId: z.number().int().optional(),
    walletId: z.number().int().optional(),
  })
  .openapi('Principal');

export function authRoutes(deps: AppDeps) {
  const app = createRouter();
  const sessionKeys = { secret: deps.secrets.jwtSecret, ttlS: deps.settings.sessionTtlS, now: deps.now };
  const limited = rateLimit(deps.settings.loginRateLimit, deps.settings.trustProxy, () =>
    deps.now().getTime(),
  );

  app.use('/v1/auth/login', limited);
  app.openapi(
    defineRoute('public', {
      method: 'post',
      path: '/v1/auth/login',
      tags: ['auth'],
      summary: 'Log in with email and password (operators, advertisers)',
      request: {
        body: {
          content: {
            'application/json': { schema: z.object({ email: Email, password: z.string().min(1).max(256) }) },
          },
        },
      },
      responses: {
        200: {
          description: 'Session',
          content: { 'application/json': { schema: Session.extend({ role: Me.shape.role }) } },
        },
        ...errorResponses(400, 401, 429),
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const principal = await loginWithPassword(deps.db, input, deps.settings.passwordScrypt);
      if (principal === null) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'wrong email or password');
      const session = await issueSession(principal, sessionKeys);
      return c.json({ ...session, role: principal.role }, 200);
    },
  );

  app.openapi(
    defineRoute(['operator', 'advertiser', 'wallet'], {
      method: 'get',
      path: '/v1/auth/me',
      tags: ['auth'],
      summary: 'The caller of this session',
      responses: {
        200: { description: 'Principal', content: { 'application/json': { schema: Me } } },
        ...errorResponses(401),
      },
    }),
    (c) => {
      const principal = sessionPrincipalOf(c);
      // A wallet's session epoch is bookkeeping of the token, not part of who the caller is.
      return c.json(
        principal.role === 'wallet' ? { role: principal.role, walletId: principal.walletId } : principal,
        200,
      );
    },
  );
  return app;
}
