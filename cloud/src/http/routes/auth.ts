// Email + password login for operators and advertiser users, and "who am I" for any session.
import { z } from '@hono/zod-openapi';
import { ErrorCode } from '@redtap/shared';
import { DomainError } from '../../errors.ts';
import { loginWithPassword } from '../../services/accounts.ts';
import { audit } from '../../services/audit.ts';
import { userEmail } from '../../services/users.ts';
import { endWalletSessions } from '../../services/wallets.ts';
import { endUserSession, openUserSession } from '../../services/user-sessions.ts';
import { clientIp } from '../client-ip.ts';
import { assertSignInNotCrossSite, clearSessionCookie, setSessionCookie } from '../cookies.ts';
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
    email: z.string().optional().openapi({ description: 'A console user’s email' }),
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
      assertSignInNotCrossSite(c);
      const input = c.req.valid('json');
      const identity = await loginWithPassword(deps.db, input, deps.settings.passwordScrypt);
      const ip = clientIp(c, deps.settings.trustProxy);
      if (identity === null) {
        await audit(deps.db, {
          actor: null,
          action: 'auth.sign_in_failed',
          detail: { email: input.email.trim().toLowerCase(), ip },
        });
        throw new DomainError(ErrorCode.UNAUTHENTICATED, 'wrong email or password');
      }
      const { token, expiresAt, principal } = await openUserSession(deps.db, identity, sessionKeys);
      await audit(deps.db, {
        actor: principal,
        action: 'auth.signed_in',
        subject: `user:${principal.userId}`,
        detail: { ip },
      });
      // The console keeps the cookie; API clients use the token in the body as a bearer.
      setSessionCookie(c, token, deps.settings.sessionTtlS, deps.settings.trustProxy);
      return c.json({ token, expiresAt, role: principal.role }, 200);
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
    async (c) => {
      const principal = sessionPrincipalOf(c);
      // A wallet's session epoch and a user's session id are bookkeeping of the token, not who the caller is.
      if (principal.role === 'wallet')
        return c.json({ role: principal.role, walletId: principal.walletId }, 200);
      const email = await userEmail(deps.db, principal.userId);
      return c.json(
        principal.role === 'advertiser'
          ? { role: principal.role, userId: principal.userId, advertiserId: principal.advertiserId, email }
          : { role: principal.role, userId: principal.userId, email },
        200,
      );
    },
  );

  app.openapi(
    defineRoute('public', {
      method: 'post',
      path: '/v1/auth/logout',
      tags: ['auth'],
      summary:
        'Sign out: ends this console session on the server (every copy of its token stops working) and clears the cookie; for a wallet, ends every session of the wallet',
      responses: {
        200: {
          description: 'Signed out',
          content: { 'application/json': { schema: z.strictObject({ ended: z.boolean() }) } },
        },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      // A wallet signs in with a bearer token only; the console's cookie in the same browser stays.
      if (principal?.role === 'wallet') {
        await endWalletSessions(deps.db, principal.walletId);
        return c.json({ ended: true }, 200);
      }
      clearSessionCookie(c, deps.settings.trustProxy);
      if (principal?.role !== 'operator' && principal?.role !== 'advertiser')
        return c.json({ ended: false }, 200);
      await endUserSession(deps.db, principal.sessionId, deps.now());
      await audit(deps.db, {
        actor: principal,
        action: 'auth.signed_out',
        subject: `user:${principal.userId}`,
      });
      return c.json({ ended: true }, 200);
    },
  );
  return app;
}
