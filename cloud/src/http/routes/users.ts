// Operators manage console users (list, create with a role, disable and enable, reset a password) and
// read the audit log of money and security actions.
import { z } from '@hono/zod-openapi';
import { userRoles } from '../../db/schema/accounts.ts';
import { audit, listAudit } from '../../services/audit.ts';
import { createUser, listUsers, resetUserPassword, setUserDisabled } from '../../services/users.ts';
import type { AppDeps } from '../context.ts';
import { errorResponses } from '../errors.ts';
import { defineRoute, operatorUserIdOf, principalOf } from '../policy.ts';
import { createRouter } from '../router.ts';
import {
  Email,
  Id,
  IdParam,
  nextAfter,
  PAGE_SIZE_DEFAULT,
  PAGE_SIZE_MAX,
  PageQuery,
  pageOf,
  Password,
} from '../schemas.ts';

const User = z
  .strictObject({
    id: z.number().int(),
    email: z.string(),
    role: z.enum(userRoles),
    advertiserId: z.number().int().nullable(),
    advertiserName: z.string().nullable(),
    createdAt: z.string(),
    disabledAt: z.string().nullable(),
  })
  .openapi('User');

const AuditEntry = z
  .strictObject({
    id: z.number().int(),
    at: z.string(),
    actorRole: z.string().nullable(),
    actorId: z.number().int().nullable(),
    actorEmail: z.string().nullable(),
    action: z.string(),
    subject: z.string().nullable(),
    /** Scalars as recorded; a nested value comes as its JSON text. */
    detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  })
  .openapi('AuditEntry');

type DetailValue = string | number | boolean | null;

function flatDetail(detail: Record<string, unknown>): Record<string, DetailValue> {
  return Object.fromEntries(
    Object.entries(detail).map(([key, value]): [string, DetailValue] => [
      key,
      value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? value
        : JSON.stringify(value),
    ]),
  );
}

const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(PAGE_SIZE_DEFAULT),
  /** Keyset cursor, newest first: the smallest id of the previous page. */
  before: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  action: z
    .string()
    .regex(/^[a-z_.]{1,64}$/)
    .optional(),
});

export function userRoutes(deps: AppDeps) {
  const app = createRouter();

  app.openapi(
    defineRoute(['operator'], {
      method: 'get',
      path: '/v1/users',
      tags: ['users'],
      summary: 'Console users (operators and advertiser users), by id',
      request: { query: PageQuery },
      responses: {
        200: { description: 'Page', content: { 'application/json': { schema: pageOf(User) } } },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const page = c.req.valid('query');
      const items = await listUsers(deps.db, page);
      return c.json({ items, nextAfter: nextAfter(items, page.limit) }, 200);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'post',
      path: '/v1/users',
      tags: ['users'],
      summary: 'Create a console user with a role (an advertiser user names its advertiser)',
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({
                email: Email,
                password: Password,
                role: z.enum(userRoles),
                advertiserId: Id.optional(),
              }),
            },
          },
        },
      },
      responses: {
        201: { description: 'Created', content: { 'application/json': { schema: User } } },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const user = await createUser(deps.db, c.req.valid('json'), deps.settings.passwordScrypt);
      await audit(deps.db, {
        actor: principalOf(c),
        action: 'user.created',
        subject: `user:${user.id}`,
        detail: { email: user.email, role: user.role, advertiserId: user.advertiserId },
      });
      return c.json(user, 201);
    },
  );

  for (const disabled of [true, false]) {
    app.openapi(
      defineRoute(['operator'], {
        method: 'post',
        path: disabled ? '/v1/users/{id}/disable' : '/v1/users/{id}/enable',
        tags: ['users'],
        summary: disabled
          ? 'Disable a user: their sessions and the till keys they issued stop at once'
          : 'Enable a disabled user again (they sign in anew)',
        request: { params: IdParam },
        responses: {
          200: { description: 'The user', content: { 'application/json': { schema: User } } },
          ...errorResponses(401, 403, 404, 409),
        },
      }),
      async (c) => {
        const userId = c.req.valid('param').id;
        const { user, sessionsEnded } = await setUserDisabled(deps.db, {
          userId,
          disabled,
          actorUserId: operatorUserIdOf(c),
          now: deps.now(),
        });
        await audit(deps.db, {
          actor: principalOf(c),
          action: disabled ? 'user.disabled' : 'user.enabled',
          subject: `user:${userId}`,
          detail: { email: user.email, sessionsEnded },
        });
        return c.json(user, 200);
      },
    );
  }

  app.openapi(
    defineRoute(['operator'], {
      method: 'post',
      path: '/v1/users/{id}/password',
      tags: ['users'],
      summary: "Reset a user's password; every session of theirs ends",
      request: {
        params: IdParam,
        body: { content: { 'application/json': { schema: z.object({ password: Password }) } } },
      },
      responses: {
        200: { description: 'The user', content: { 'application/json': { schema: User } } },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const userId = c.req.valid('param').id;
      const { user, sessionsEnded } = await resetUserPassword(
        deps.db,
        { userId, password: c.req.valid('json').password, now: deps.now() },
        deps.settings.passwordScrypt,
      );
      await audit(deps.db, {
        actor: principalOf(c),
        action: 'user.password_reset',
        subject: `user:${userId}`,
        detail: { email: user.email, sessionsEnded },
      });
      return c.json(user, 200);
    },
  );

  app.openapi(
    defineRoute(['operator'], {
      method: 'get',
      path: '/v1/audit',
      tags: ['users'],
      summary: 'The audit log of money and security actions, newest first (`before` pages back)',
      request: { query: AuditQuery },
      responses: {
        200: {
          description: 'Page',
          content: {
            'application/json': {
              schema: z.strictObject({ items: z.array(AuditEntry), nextBefore: z.number().int().nullable() }),
            },
          },
        },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const entries = await listAudit(deps.db, query);
      const nextBefore = entries.length < query.limit ? null : (entries.at(-1)?.id ?? null);
      const items = entries.map((entry) => ({ ...entry, detail: flatDetail(entry.detail) }));
      return c.json({ items, nextBefore }, 200);
    },
  );
  return app;
}
