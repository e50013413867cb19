// Session tokens: short-lived HS256 JWTs (hono/jwt) naming the principal, its role and its tenant. A
// console user's token also names its server-side session (`sid`), which must still be open on every
// request (services/user-sessions.ts): signing out ends it for every copy of the token.
import { sign, verify } from 'hono/jwt';
import { z } from 'zod';

/** Roles that log in and hold a session token. */
export const sessionRoles = ['operator', 'advertiser', 'wallet'] as const;
export type SessionRole = (typeof sessionRoles)[number];
/** Every role a route policy can name: the session roles, and a store's till (by till key, no session). */
export const roles = [...sessionRoles, 'till'] as const;
export type Role = (typeof roles)[number];

/** `sessionId` names the row in user_sessions that sign-out, disabling and a password reset end. */
export type UserPrincipal =
  | { role: 'operator'; userId: number; sessionId: string }
  | { role: 'advertiser'; userId: number; advertiserId: number; sessionId: string };
export type SessionPrincipal =
  | UserPrincipal
  /** `sessionEpoch` is the wallet's epoch at login; a revocation bumps the wallet's and ends the session. */
  | { role: 'wallet'; walletId: number; sessionEpoch: number };
/** A till key names one store (and so one brand); it can only check and redeem coupons there. */
export type TillPrincipal = { role: 'till'; tillKeyId: number; storeId: number; advertiserId: number };
export type Principal = SessionPrincipal | TillPrincipal;

const Claims = z.object({
  sub: z.string().regex(/^\d{1,16}$/),
  role: z.enum(sessionRoles),
  adv: z.number().int().positive().optional(),
  sep: z.number().int().min(0).optional(),
  sid: z
    .string()
    .regex(/^[A-Za-z0-9_-]{22}$/)
    .optional(),
  exp: z.number().int(),
});

export interface SessionKeys {
  secret: string;
  ttlS: number;
  now: () => Date;
}

export interface IssuedSession {
  token: string;
  expiresAt: number;
}

export async function issueSession(principal: SessionPrincipal, keys: SessionKeys): Promise<IssuedSession> {
  const nowS = Math.floor(keys.now().getTime() / 1000);
  const expiresAt = nowS + keys.ttlS;
  const sub = String(principal.role === 'wallet' ? principal.walletId : principal.userId);
  const base = { sub, role: principal.role, iat: nowS, exp: expiresAt };
  const payload =
    principal.role === 'advertiser'
      ? { ...base, adv: principal.advertiserId, sid: principal.sessionId }
      : principal.role === 'wallet'
        ? { ...base, sep: principal.sessionEpoch }
        : { ...base, sid: principal.sessionId };
  return { token: await sign(payload, keys.secret, 'HS256'), expiresAt };
}

/** Null for anything that is not a valid, unexpired token of ours. */
export async function readSession(token: string, keys: SessionKeys): Promise<SessionPrincipal | null> {
  let payload: unknown;
  try {
    payload = await verify(token, keys.secret, 'HS256');
  } catch {
    return null;
  }
  const claims = Claims.safeParse(payload);
  if (!claims.success) return null;
  // hono/jwt checks exp against the real clock; this check honours the injected one too.
  if (claims.data.exp <= Math.floor(keys.now().getTime() / 1000)) return null;
  const id = Number(claims.data.sub);
  const sessionId = claims.data.sid;
  switch (claims.data.role) {
    // A console user's token without a server-side session is not one of ours (or is from before them).
    case 'operator':
      return sessionId === undefined ? null : { role: 'operator', userId: id, sessionId };
    case 'advertiser':
      return claims.data.adv === undefined || sessionId === undefined
        ? null
        : { role: 'advertiser', userId: id, advertiserId: claims.data.adv, sessionId };
    case 'wallet':
      // A wallet token without an epoch is not one of ours: every wallet session carries one.
      return claims.data.sep === undefined
        ? null
        : { role: 'wallet', walletId: id, sessionEpoch: claims.data.sep };
  }
}
