// Staff accounts: operators, advertisers (tenants) and their users, password login, and advertiser funding.
import { and, asc, eq, gt } from 'drizzle-orm';
import { ErrorCode } from '@redtap/shared';
import type { Database } from '../db/client.ts';
import { sqlState } from '../db/rows.ts';
import { advertisers, users, type UserRole } from '../db/schema/accounts.ts';
import { hashSecret, verifySecret, type ScryptParameters } from '../auth/passwords.ts';
import type { Principal } from '../auth/sessions.ts';
import { DomainError } from '../errors.ts';
import { createLedgerAccount, getLedgerAccount, systemLedgerAccount } from '../ledger/accounts.ts';
import { postTransfers } from '../ledger/post-transfers.ts';
import type { UserIdentity } from './user-sessions.ts';

/** What a principal may see: everything (operator) or one tenant. */
export type TenantScope = { kind: 'all' } | { kind: 'advertiser'; advertiserId: number };

export function scopeOf(principal: Principal): TenantScope {
  if (principal.role === 'advertiser') return { kind: 'advertiser', advertiserId: principal.advertiserId };
  if (principal.role === 'operator') return { kind: 'all' };
  throw new DomainError(ErrorCode.FORBIDDEN, 'wallets have no tenant scope');
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function insertUser(
  db: Database,
  values: { email: string; passwordHash: string; role: UserRole; advertiserId: number | null },
): Promise<number> {
  try {
    const [row] = await db
      .insert(users)
      .values({ ...values, email: normaliseEmail(values.email) })
      .returning({ id: users.id });
    if (row === undefined) throw new Error('insert returned no row');
    return row.id;
  } catch (error) {
    if (sqlState(error) === '23505')
      throw new DomainError(ErrorCode.CONFLICT, 'a user with this email exists');
    throw error;
  }
}

export async function createOperator(
  db: Database,
  input: { email: string; password: string },
  scryptParams?: ScryptParameters,
): Promise<number> {
  const passwordHash = await hashSecret(input.password, scryptParams);
  return insertUser(db, { email: input.email, passwordHash, role: 'operator', advertiserId: null });
}

export async function countOperators(db: Database): Promise<number> {
  const rows = await db.select({ id: users.id }).from(users).where(eq(users.role, 'operator')).limit(1);
  return rows.length;
}

export interface AdvertiserView {
  id: number;
  name: string;
  ledgerAccountId: number;
  createdAt: string;
}

export async function createAdvertiser(
  db: Database,
  input: { name: string; email: string; password: string },
  scryptParams?: ScryptParameters,
): Promise<{ advertiser: AdvertiserView; userId: number }> {
  const passwordHash = await hashSecret(input.password, scryptParams);
  return db.transaction(async (tx) => {
    const ledgerAccountId = await createLedgerAccount(tx, 'advertiser');
    const [row] = await tx.insert(advertisers).values({ name: input.name, ledgerAccountId }).returning();
    if (row === undefined) throw new Error('insert returned no row');
    const userId = await insertUser(tx, {
      email: input.email,
      passwordHash,
      role: 'advertiser',
      advertiserId: row.id,
    });
    return { advertiser: toAdvertiserView(row), userId };
  });
}

function toAdvertiserView(row: typeof advertisers.$inferSelect): AdvertiserView {
  return {
    id: row.id,
    name: row.name,
    ledgerAccountId: row.ledgerAccountId,
    createdAt: row.createdAt.toISOString(),
  };
}

function advertiserScopeFilter(scope: TenantScope) {
  return scope.kind === 'advertiser' ? eq(advertisers.id, scope.advertiserId) : undefined;
}

export async function listAdvertisers(
  db: Database,
  scope: TenantScope,
  page: { limit: number; after: number },
): Promise<AdvertiserView[]> {
  const rows = await db
    .select()
    .from(advertisers)
    .where(and(gt(advertisers.id, page.after), advertiserScopeFilter(scope)))
    .orderBy(asc(advertisers.id))
    .limit(page.limit);
  return rows.map(toAdvertiserView);
}

/** Out-of-scope advertisers are NOT_FOUND, so a tenant cannot probe which ids exist. */
export async function getAdvertiser(db: Database, scope: TenantScope, id: number): Promise<AdvertiserView> {
  const [row] = await db
    .select()
    .from(advertisers)
    .where(and(eq(advertisers.id, id), advertiserScopeFilter(scope)))
    .limit(1);
  if (row === undefined) throw new DomainError(ErrorCode.NOT_FOUND, `advertiser ${id} not found`);
  return toAdvertiserView(row);
}

export async function getAdvertiserBalance(db: Database, scope: TenantScope, id: number): Promise<number> {
  const advertiser = await getAdvertiser(db, scope, id);
  const account = await getLedgerAccount(db, advertiser.ledgerAccountId);
  return account?.balanceFen ?? 0;
}

/** Money enters from the external funding source; `transferId` makes the call safe to retry. */
export async function fundAdvertiser(
  db: Database,
  input: { advertiserId: number; amountFen: number; transferId: number },
): Promise<{ status: 'posted' | 'exists'; balanceFen: number }> {
  const advertiser = await getAdvertiser(db, { kind: 'all' }, input.advertiserId);
  const bank = await systemLedgerAccount(db, 'external_funding');
  const [result] = await postTransfers(db, [
    {
      id: input.transferId,
      debitAccountId: bank,
      creditAccountId: advertiser.ledgerAccountId,
      amountFen: input.amountFen,
      code: 'fund_advertiser',
      reference: `advertiser:${advertiser.id}`,
    },
  ]);
  if (result === undefined) throw new Error('no transfer result');
  if (result.status === 'rejected') throw new DomainError(result.code, `funding rejected: ${result.code}`);
  const account = await getLedgerAccount(db, advertiser.ledgerAccountId);
  return { status: result.status, balanceFen: account?.balanceFen ?? 0 };
}

// Verifying against a fixed hash when the email is unknown keeps the response time the same.
let dummyHash: Promise<string> | undefined;

export async function loginWithPassword(
  db: Database,
  input: { email: string; password: string },
  scryptParams?: ScryptParameters,
): Promise<UserIdentity | null> {
  const [user] = await db
    .select({
      id: users.id,
      role: users.role,
      advertiserId: users.advertiserId,
      passwordHash: users.passwordHash,
      disabledAt: users.disabledAt,
    })
    .from(users)
    .where(eq(users.email, normaliseEmail(input.email)))
    .limit(1);
  if (user === undefined) {
    dummyHash ??= hashSecret('not a password', scryptParams);
    await verifySecret(input.password, await dummyHash);
    return null;
  }
  if (!(await verifySecret(input.password, user.passwordHash)) || user.disabledAt !== null) return null;
  if (user.role === 'operator') return { role: 'operator', userId: user.id };
  if (user.advertiserId === null) return null;
  return { role: 'advertiser', userId: user.id, advertiserId: user.advertiserId };
}
