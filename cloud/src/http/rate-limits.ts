// Route middleware that counts attempts per client address and answers 429 RATE_LIMITED over the limit.
import type { MiddlewareHandler } from 'hono';
import { ErrorCode } from '@redtap/shared';
import { FixedWindowRateLimiter } from '../auth/rate-limit.ts';
import { DomainError } from '../errors.ts';
import { clientIp } from './client-ip.ts';
import type { AppEnv, RateLimitSetting } from './context.ts';

const TRACKED_CLIENTS_MAX = 10_000;

export function rateLimit(
  setting: RateLimitSetting,
  trustProxy: boolean,
  nowMs: () => number,
): MiddlewareHandler<AppEnv> {
  const limiter = new FixedWindowRateLimiter({ ...setting, keysMax: TRACKED_CLIENTS_MAX, now: nowMs });
  return async (c, next) => {
    if (!limiter.take(clientIp(c, trustProxy))) {
      c.header('Retry-After', String(Math.ceil(setting.windowMs / 1000)));
      throw new DomainError(ErrorCode.RATE_LIMITED, 'too many attempts; try again later');
    }
    await next();
  };
}
