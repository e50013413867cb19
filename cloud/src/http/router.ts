// A feature router: an OpenAPIHono whose validation failures use the one error shape.
import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import { ErrorCode } from '@redtap/shared';
import type { AppEnv } from './context.ts';
import { errorBody } from './errors.ts';
import { checkReply } from './reply-check.ts';

const ISSUES_REPORTED_MAX = 5;

export function createRouter(): OpenAPIHono<AppEnv> {
  const router = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return undefined;
      const message = result.error.issues
        .slice(0, ISSUES_REPORTED_MAX)
        .map((issue) => `${issue.path.join('.') || result.target}: ${issue.message}`)
        .join('; ');
      return c.json(errorBody(ErrorCode.VALIDATION_FAILED, message), 400);
    },
  });
  const register = router.openapi.bind(router) as (route: RouteConfig, ...rest: unknown[]) => unknown;
  router.openapi = ((route: RouteConfig, ...rest: unknown[]) =>
    register(withReplyCheck(requireBodyThatRejectsEmpty(route)), ...rest)) as typeof router.openapi;
  return router;
}

/**
 * @hono/zod-openapi validates an optional JSON body only when a Content-Type is sent: without one, the
 * handler gets `{}` unchecked (a 500 at best). A body whose schema refuses `{}` is therefore required, so
 * such a request is a 400 like any other invalid body; bodies that may be empty keep working without one.
 */
export function requireBodyThatRejectsEmpty<R extends RouteConfig>(route: R): R {
  const body = route.request?.body;
  if (body === undefined || body.required !== undefined) return route;
  const media: unknown = body.content['application/json'];
  const schema: unknown = (media as { schema?: unknown } | undefined)?.schema;
  const accepts = (schema as { safeParse?: (value: unknown) => { success: boolean } } | undefined)?.safeParse;
  if (typeof accepts !== 'function' || accepts.call(schema, {}).success) return route;
  return { ...route, request: { ...route.request, body: { ...body, required: true } } };
}

/** Puts the reply check (reply-check.ts) first, around the policy check, validation and handler. */
function withReplyCheck<R extends RouteConfig>(route: R): R {
  const middleware = route.middleware === undefined ? [] : [route.middleware].flat();
  return { ...route, middleware: [checkReply(route), ...middleware] };
}
