// The audit log of money and security actions. `audit()` appends one row; the table refuses UPDATE,
// DELETE and TRUNCATE (migration 0009), so an entry, once written, stays. Call it inside the action's
// transaction when there is one, so the action and its entry commit together.
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Principal } from '../auth/sessions.ts';
import type { Database } from '../db/client.ts';
import { users } from '../db/schema/accounts.ts';
import { auditLog } from '../db/schema/audit-log.ts';

/** Detail larger than this (as JSON) is replaced by a note saying so: the log stays small per entry. */
export const AUDIT_DETAIL_BYTES_MAX = 4_096;

/** Who did it: the request's principal, or null for an anonymous caller or the cloud itself. */
export type AuditActor = Principal | null;

export interface AuditEntry {
  actor: AuditActor;
  /** Dotted and stable, e.g. `auth.sign_in_failed`, `user.disabled`, `advertiser.funded`. */
  action: string;
  /** What it was done to, as `kind:id` (`user:12`, `advertiser:3`), when there is one thing. */
  subject?: string | null | undefined;
  detail?: Record<string, unknown> | undefined;
}

function actorIdOf(actor: Principal): number {
  switch (actor.role) {
    case 'operator':
    case 'advertiser':
      return actor.userId;
    case 'wallet':
      return actor.walletId;
    case 'till':
      return actor.tillKeyId;
  }
}

function boundedDetail(detail: Record<string, unknown> | undefined): Record<string, unknown> {
  if (detail === undefined) return {};
  const bytes = Buffer.byteLength(JSON.stringify(detail));
  return bytes <= AUDIT_DETAIL_BYTES_MAX ? detail : { truncated: true, bytes };
}

/** Appends one entry. `db` may be a transaction. */
export async function audit(db: Database, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    actorRole: entry.actor?.role ?? null,
    actorId: entry.actor === null ? null : actorIdOf(entry.actor),
    action: entry.action,
    subject: entry.subject ?? null,
    detail: boundedDetail(entry.detail),
  });
}

export interface AuditView {
  id: number;
  at: string;
  actorRole: string | null;
  actorId: number | null;
  /** The email of a user actor (operator or advertiser user), for people reading the log. */
  actorEmail: string | null;
  action: string;
  subject: string | null;
  detail: Record<string, unknown>;
}

/** Newest first: `before` is the smallest id of the previous page (0 for the first page). */
export async function listAudit(
  db: Database,
  page: { limit: number; before: number; action?: string | undefined },
): Promise<AuditView[]> {
  const rows = await db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      actorRole: auditLog.actorRole,
      actorId: auditLog.actorId,
      actorEmail: users.email,
      action: auditLog.action,
      subject: auditLog.subject,
      detail: auditLog.detail,
    })
    .from(auditLog)
    .leftJoin(
      users,
      and(sql`${auditLog.actorRole} in ('operator', 'advertiser')`, eq(users.id, auditLog.actorId)),
    )
    .where(
      and(
        page.before > 0 ? lt(auditLog.id, page.before) : undefined,
        page.action === undefined ? undefined : eq(auditLog.action, page.action),
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(page.limit);
  return rows.map((row) => ({ ...row, at: row.at.toISOString() }));
}
