// Console sessions on the server: a sign-in opens a row, the token names it, and every request checks
// that it is still open, unexpired and its user not disabled. Signing out ends one session; disabling a
// user or resetting their password ends all of theirs.
import { randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import { issueSession, type IssuedSession, type SessionKeys, type UserPrincipal } from '../auth/sessions.ts';
import type { Database } from '../db/client.ts';
import { users } from '../db/schema/accounts.ts';
import { userSessions } from '../db/schema/user-sessions.ts';

/** A signed-in user before a session is opened for them. */
export type UserIdentity =
  { role: 'operator'; userId: number } | { role: 'advertiser'; userId: number; advertiserId: number };

/** Expired sessions a sign-in clears away for its user, so the table does not grow without bound. */
const EXPIRED_PRUNED_MAX = 100;

export async function openUserSession(
  db: Database,
  identity: UserIdentity,
  keys: SessionKeys,
): Promise<IssuedSession & { principal: UserPrincipal }> {
  const now = keys.now();
  const sessionId = randomBytes(16).toString('base64url');
  const principal: UserPrincipal = { ...identity, sessionId };
  const issued = await issueSession(principal, keys);
  await db.transaction(async (tx) => {
    const expired = await tx
      .select({ id: userSessions.id })
      .from(userSessions)
      .where(and(eq(userSessions.userId, identity.userId), lt(userSessions.expiresAt, now)))
      .limit(EXPIRED_PRUNED_MAX);
    for (const row of expired) await tx.delete(userSessions).where(eq(userSessions.id, row.id));
    await tx
      .insert(userSessions)
      .values({ id: sessionId, userId: identity.userId, expiresAt: new Date(issued.expiresAt * 1000) });
  });
  return { ...issued, principal };
}

/** Whether the session is open, unexpired, its user's own, and that user not disabled. */
export async function userSessionCurrent(
  db: Database,
  principal: UserPrincipal,
  now: Date,
): Promise<boolean> {
  const rows = await db
    .select({ id: userSessions.id })
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.userId))
    .where(
      and(
        eq(userSessions.id, principal.sessionId),
        eq(userSessions.userId, principal.userId),
        isNull(userSessions.endedAt),
        gt(userSessions.expiresAt, now),
        isNull(users.disabledAt),
      ),
    )
    .limit(1);
  return rows.length === 1;
}

export async function endUserSession(db: Database, sessionId: string, now: Date): Promise<void> {
  await db
    .update(userSessions)
    .set({ endedAt: now })
    .where(and(eq(userSessions.id, sessionId), isNull(userSessions.endedAt)));
}

/** Ends every open session of a user; returns how many were open. */
export async function endUserSessions(db: Database, userId: number, now: Date): Promise<number> {
  const ended = await db
    .update(userSessions)
    .set({ endedAt: now })
    .where(
      and(eq(userSessions.userId, userId), isNull(userSessions.endedAt), gt(userSessions.expiresAt, now)),
    )
    .returning({ id: userSessions.id });
  return ended.length;
}
