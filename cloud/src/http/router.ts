// A feature router: an OpenAPIHono whose validation failures use the one error shape.
import { OpenAPIHono } from '@hono/zod-openapi';
import { ErrorCode } from '@redtap/shared';
import type { AppEnv } from './context.ts';
import { errorBody } from './errors.ts';

const ISSUES_REPORTED_MAX = 5;

export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return undefined;
      const message = result.error.issues
        .slice(0, ISSUES_REPORTED_MAX)
        .map((issue) => `${issue.path.join('.') || result.target}: ${issue.message}`)
        .join('; ');
      return c.json(errorBody(ErrorCode.VALIDATION_FAILED, message), 400);
    },
  });
}
