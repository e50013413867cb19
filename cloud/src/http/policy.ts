// Every route declares who may call it. `defineRoute` attaches the check as the route's first
// middleware (before body validation) and records the policy in the OpenAPI document as
// `x-redtap-policy`, which is what the role-matrix test enumerates.
import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { ErrorCode } from '@redtap/shared';
import type { Principal, Role, SessionPrincipal, TillPrincipal } from '../auth/sessions.ts';
import { DomainError } from '../errors.ts';
import type { AppEnv } from './context.ts';

/** `screen`: an enrolled, active screen with its broker login as HTTP Basic (docs/protocol.md §5.8). */
export type Policy = 'public' | 'screen' | readonly [Role, ...Role[]];
export const POLICY_EXTENSION = 'x-redtap-policy';

export function requirePolicy(policy: Policy): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (policy === 'screen') {
      if (c.get('screenId') === null) {
        if (c.get('principal') !== null)
          throw new DomainError(ErrorCode.FORBIDDEN, 'screens only: send the screen login as Basic');
        throw new DomainError(ErrorCode.UNAUTHENTICATED, 'send the screen login as Basic');
      }
    } else if (policy !== 'public') {
      const principal = c.get('principal');
      if (principal === null) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'sign in first');
      if (!policy.includes(principal.role)) {
        throw new DomainError(ErrorCode.FORBIDDEN, `${principal.role} may not call this route`);
      }
    }
    await next();
  };
}

export function defineRoute<const R extends Omit<RouteConfig, 'middleware'>>(policy: Policy, config: R) {
  return createRoute({
    ...config,
    middleware: [requirePolicy(policy)] as const,
    security:
      policy === 'public'
        ? []
        : policy === 'screen'
          ? [{ screenLogin: [] }]
          : policy.includes('till')
            ? [{ tillKey: [] }]
            : [{ bearer: [] }],
    [POLICY_EXTENSION]: policy === 'public' || policy === 'screen' ? [policy] : [...policy],
  });
}

/** The screen calling a `screen` route. */
export function screenIdOf(c: Context<AppEnv>): number {
  const screenId = c.get('screenId');
  if (screenId === null) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'send the screen login as Basic');
  return screenId;
}

/** The caller of a route whose policy excludes anonymous callers. */
export function principalOf(c: Context<AppEnv>): Principal {
  const principal = c.get('principal');
  if (principal === null) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'sign in first');
  return principal;
}

/** The caller of a route open only to session roles (operators, advertisers, wallets). */
export function sessionPrincipalOf(c: Context<AppEnv>): SessionPrincipal {
  const principal = principalOf(c);
  if (principal.role === 'till')
    throw new DomainError(ErrorCode.FORBIDDEN, 'till keys may not call this route');
  return principal;
}

/** The till of a route open only to till keys. */
export function tillOf(c: Context<AppEnv>): TillPrincipal {
  const principal = principalOf(c);
  if (principal.role !== 'till') throw new DomainError(ErrorCode.FORBIDDEN, 'till keys only');
  return principal;
}

export function walletIdOf(c: Context<AppEnv>): number {
  const principal = principalOf(c);
  if (principal.role !== 'wallet') throw new DomainError(ErrorCode.FORBIDDEN, 'wallet sessions only');
  return principal.walletId;
}

/** The operator user behind an operator-only money action, recorded in its history. */
export function operatorUserIdOf(c: Context<AppEnv>): number {
  const principal = principalOf(c);
  if (principal.role !== 'operator') throw new DomainError(ErrorCode.FORBIDDEN, 'operators only');
  return principal.userId;
}
