// Every 2xx reply can be checked against the schema its route declares in /openapi.json. The check is
// off in production (no `replyCheck` in the deps); the test harness turns it on for every API test, so a
// handler that returns a field the console's generated types do not know, or lacks one they promise,
// fails the test that made the request.
import type { RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { ErrorCode } from '@redtap/shared';
import type { AppEnv } from './context.ts';
import { errorBody } from './errors.ts';

/** A route as /openapi.json names it: upper-case method and templated path (`/v1/screens/{id}`). */
export interface RouteKey {
  method: string;
  path: string;
}

export interface ReplyCheck {
  /** Called once for each 2xx reply: `problem` is null when the reply matched its declared schema. */
  checked(route: RouteKey, status: number, problem: string | null): void;
}

export const REPLY_MISMATCH_MESSAGE = 'the reply does not match the schema its route declares';
const ISSUES_REPORTED_MAX = 5;

interface Parser {
  safeParse(value: unknown): {
    success: boolean;
    error?: { issues: { path: PropertyKey[]; message: string }[] };
  };
}

function isParser(value: unknown): value is Parser {
  return typeof (value as { safeParse?: unknown } | null)?.safeParse === 'function';
}

/** The route's first middleware: after the handler, checks a 2xx reply when the app asks for it. */
export function checkReply(route: RouteConfig): MiddlewareHandler<AppEnv> {
  const key = { method: route.method.toUpperCase(), path: route.path };
  return async (c, next) => {
    await next();
    const check = c.get('replyCheck');
    if (check === null || c.res.status < 200 || c.res.status >= 300) return;
    const problem = await replyProblem(route, c.res.status, c.res.clone());
    check.checked(key, c.res.status, problem);
    if (problem !== null) {
      c.res = undefined;
      c.res = c.json(
        errorBody(ErrorCode.INTERNAL, `${REPLY_MISMATCH_MESSAGE} (${key.method} ${key.path}): ${problem}`),
        500,
      );
    }
  };
}

/** Why a reply does not match its route's declaration, or null when it does. */
export async function replyProblem(route: RouteConfig, status: number, reply: Response): Promise<string | null> {
  const declared = route.responses[status] as { content?: Record<string, { schema?: unknown }> } | undefined;
  if (declared === undefined) return `status ${status} is not declared`;
  const mediaType = (reply.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  const text = await reply.text();
  if (declared.content === undefined) return text === '' ? null : 'a body where none is declared';
  const schema = declared.content[mediaType]?.schema;
  if (schema === undefined) return `content type "${mediaType}" is not declared`;
  if (!isParser(schema)) return `the schema of "${mediaType}" is not a zod schema`;
  let body: unknown = text;
  if (mediaType === 'application/json') {
    try {
      body = JSON.parse(text);
    } catch {
      return 'the body is not JSON';
    }
  }
  const result = schema.safeParse(body);
  if (result.success) return null;
  return (result.error?.issues ?? [])
    .slice(0, ISSUES_REPORTED_MAX)
    .map((issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`)
    .join('; ');
}
