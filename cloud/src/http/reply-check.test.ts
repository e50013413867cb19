// A route's 2xx reply is checked against its declared schema when the app is given a reply check: an
// undeclared field, a missing one or an undeclared media type answers 500 and is recorded; a matching
// reply passes untouched, and without a check nothing is looked at.
import { z } from '@hono/zod-openapi';
import { OpenAPIHono } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from './context.ts';
import { defineRoute } from './policy.ts';
import { REPLY_MISMATCH_MESSAGE, type ReplyCheck } from './reply-check.ts';
import { createRouter } from './router.ts';

function appAnswering(body: unknown, check: ReplyCheck | null, contentType = 'application/json') {
  const router = createRouter();
  router.openapi(
    defineRoute('public', {
      method: 'get',
      path: '/thing',
      responses: {
        200: {
          description: 'A thing',
          content: {
            'application/json': { schema: z.strictObject({ id: z.number().int(), name: z.string() }) },
          },
        },
      },
    }),
    (c) => c.body(JSON.stringify(body), 200, { 'Content-Type': contentType }) as never,
  );
  const app = new OpenAPIHono<AppEnv>();
  app.use(async (c, next) => {
    c.set('principal', null);
    c.set('replyCheck', check);
    await next();
  });
  app.route('/', router);
  return app;
}

function recorder() {
  const seen: { route: string; status: number; problem: string | null }[] = [];
  const check: ReplyCheck = {
    checked: (route, status, problem) =>
      seen.push({ route: `${route.method} ${route.path}`, status, problem }),
  };
  return { check, seen };
}

describe('checkReply', () => {
  it('passes a reply that matches its schema and records it', async () => {
    const { check, seen } = recorder();
    const response = await appAnswering({ id: 1, name: 'lobby' }, check).request('/thing');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: 1, name: 'lobby' });
    expect(seen).toEqual([{ route: 'GET /thing', status: 200, problem: null }]);
  });

  it.each([
    ['an undeclared field', { id: 1, name: 'lobby', secret: 'x' }, 'application/json', /Unrecognized key/],
    ['a missing field', { id: 1 }, 'application/json', /name/],
    ['an undeclared media type', { id: 1, name: 'lobby' }, 'text/plain', /not declared/],
  ])('answers 500 for %s', async (_case, body, contentType, problem) => {
    const { check, seen } = recorder();
    const response = await appAnswering(body, check, contentType).request('/thing');
    expect(response.status).toBe(500);
    const reply = (await response.json()) as { error: { code: string; message: string } };
    expect(reply.error.code).toBe('INTERNAL');
    expect(reply.error.message).toContain(REPLY_MISMATCH_MESSAGE);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.problem).toMatch(problem);
  });

  it('looks at nothing without a reply check', async () => {
    const response = await appAnswering({ id: 1, name: 'lobby', secret: 'x' }, null).request('/thing');
    expect(response.status).toBe(200);
  });
});
