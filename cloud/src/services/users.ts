// Console users as operators manage them: list, create with a role, disable and enable, reset a
// password. Disabling a user or resetting their password ends every session of theirs at once; a
// disabled user's till keys stop too (services/merchants.ts authenticateTillKey).
import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import { ErrorCode } from '@redtap/shared';
import { hashSecret, type ScryptParameters } from '../auth/passwords.ts';
import type { Database } from '../db/client.ts';
import { advertisers, users, type UserRole } from '../db/schema/accounts.ts';
import { DomainError } from '../errors.ts';
import { insertUser } from './accounts.ts';
import { endUserSessions } from './user-sessions.ts';

export interface UserView {
  id: number;
  email: string;
  role: UserRole;
  advertiserId: number | null;
  advertiserName: string | null;
  createdAt: string;
  disabledAt: string | null;
}

const userColumns = {
  id: users.id,
  email: users.email,
  role: users.role,
  advertiserId: users.advertiserId,
  advertiserName: advertisers.name,
  createdAt: users.createdAt,
  disabledAt: users.disabledAt,
};

function toView(row: {
  id: number;
  email: string;
  role: UserRole;
  advertiserId: number | null;
  advertiserName: string | null;
  createdAt: Date;
  disabledAt: Date | null;
}): UserView {
  return {
    ...row,
    createdAt: row.createdAt.toISOString(),
    disabledAt: row.disabledAt?.toISOString() ?? null,
  };
}

export async function getUser(db: Database, userId: number): Promise<UserView> {
  const [row] = await db
    .select(userColumns)
    .from(users)
    .leftJoin(advertisers, eq(advertisers.id, users.advertiserId))
    .where(eq(users.id, userId));
  if (row === undefined) throw new DomainError(ErrorCode.NOT_FOUND, `user ${userId} not found`);
  return toView(row);
}

export async function userEmail(db: Database, userId: number): Promise<string> {
  return (await getUser(db, userId)).email;
}

export async function listUsers(db: Database, page: { limit: number; after: number }): Promise<UserView[]> {
  const rows = await db
    .select(userColumns)
    .from(users)
    .leftJoin(advertisers, eq(advertisers.id, users.advertiserId))
    .where(gt(users.id, page.after))
    .orderBy(asc(users.id))
    .limit(page.limit);
  return rows.map(toView);
}

export async function createUser(
  db: Database,
  input: { email: string; password: string; role: UserRole; advertiserId?: number | undefined },
  scryptParams?: ScryptParameters,
): Promise<UserView> {
  if (input.role === 'operator' && input.advertiserId !== undefined)
    throw new DomainError(ErrorCode.VALIDATION_FAILED, 'advertiserId: operators belong to no advertiser');
  if (input.role === 'advertiser') {
    if (input.advertiserId === undefined)
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'advertiserId: an advertiser user needs one');
    const [found] = await db
      .select({ id: advertisers.id })
      .from(advertisers)
      .where(eq(advertisers.id, input.advertiserId));
    if (found === undefined)
      throw new DomainError(ErrorCode.NOT_FOUND, `advertiser ${input.advertiserId} not found`);
  }
  const passwordHash = await hashSecret(input.password, scryptParams);
  const id = await insertUser(db, {
    email: input.email,
    passwordHash,
    role: input.role,
    advertiserId: input.role === 'advertiser' ? (input.advertiserId ?? null) : null,
  });
  return getUser(db, id);
}

/** Disables (ending every session of the user) or enables a user; an operator cannot disable themself. */
export async function setUserDisabled(
  db: Database,
  input: { userId: number; disabled: boolean; actorUserId: number; now: Date },
): Promise<{ user: UserView; sessionsEnded: number }> {
  if (input.disabled && input.userId === input.actorUserId)
    throw new DomainError(ErrorCode.CONFLICT, 'you cannot disable your own user');
  return db.transaction(async (tx) => {
    const updated = await tx
      .update(users)
      .set({ disabledAt: input.disabled ? input.now : null })
      .where(
        input.disabled
          ? and(eq(users.id, input.userId), isNull(users.disabledAt))
          : eq(users.id, input.userId),
      )
      .returning({ id: users.id });
    const user = await getUser(tx, input.userId);
    if (updated.length === 0 && !input.disabled) return { user, sessionsEnded: 0 };
    const sessionsEnded = input.disabled ? await endUserSessions(tx, input.userId, input.now) : 0;
    return { user, sessionsEnded };
  });
}

/** Sets a new password chosen by an operator and ends every session of the user. */
export async function resetUserPassword(
  db: Database,
  input: { userId: number; password: string; now: Date },
  scryptParams?: ScryptParameters,
): Promise<{ user: UserView; sessionsEnded: number }> {
  const passwordHash = await hashSecret(input.password, scryptParams);
  return db.transaction(async (tx) => {
    const updated = await tx
      .update(users)
      .set({ passwordHash })
      .where(eq(users.id, input.userId))
      .returning({ id: users.id });
    if (updated.length === 0) throw new DomainError(ErrorCode.NOT_FOUND, `user ${input.userId} not found`);
    const sessionsEnded = await endUserSessions(tx, input.userId, input.now);
    return { user: await getUser(tx, input.userId), sessionsEnded };
  });
}
