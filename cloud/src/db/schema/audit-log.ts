// The audit log of money and security actions: append-only (a trigger in the migration refuses UPDATE,
// DELETE and TRUNCATE), newest last by id.
import { bigint, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    /** The caller's role (operator, advertiser, wallet, till), or null for an anonymous caller or the system. */
    actorRole: text('actor_role'),
    /** The user, wallet or till key id of the caller. */
    actorId: bigint('actor_id', { mode: 'number' }),
    /** Dotted and stable, e.g. `auth.sign_in_failed`, `user.disabled`, `advertiser.funded`. */
    action: text('action').notNull(),
    /** What the action was done to, as `kind:id` (e.g. `user:12`), or null. */
    subject: text('subject'),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
  },
  (table) => [index('audit_log_action_idx').on(table.action, table.id)],
);
