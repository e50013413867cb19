// A feature router: an OpenAPIHono whose validation failures use the one error shape.
import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import { fieldIssuesOf } from '@redtap/shared';
import { fieldsError } from '../errors.ts';
import type { AppEnv } from './context.ts';
import { errorBody } from './errors.ts';
import { checkReply } from './reply-check.ts';

const ISSUES_IN_MESSAGE_MAX = 5;

export function createRouter(): OpenAPIHono<AppEnv> {
  const router = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return undefined;
      // Each issue is a field issue (path, stable code, params) for the console to place; a rule with a
      // code of its own (a coupon stock too large, a plan that misses its budget) gives the reply its code.
      const fields = fieldIssuesOf(result.error);
      const error = fieldsError(fields);
      const message = fields
        .slice(0, ISSUES_IN_MESSAGE_MAX)
        .map((field) => `${field.path || result.target}: ${field.message}`)
        .join('; ');
      return c.json(errorBody(error.code, message, { fields }), 400);
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
