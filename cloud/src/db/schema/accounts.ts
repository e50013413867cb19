// Staff accounts: advertisers (the tenants) and the people who log in with email + password
// (operators and advertiser users).
import { sql } from 'drizzle-orm';
import { bigint, check, index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { ledgerAccounts } from './ledger.ts';

export const advertisers = pgTable('advertisers', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  name: text('name').notNull(),
  /** The advertiser's cash account; campaign budgets are funded from it. */
  ledgerAccountId: bigint('ledger_account_id', { mode: 'number' })
    .notNull()
    .references(() => ledgerAccounts.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const userRoles = ['operator', 'advertiser'] as const;
export type UserRole = (typeof userRoles)[number];

export const users = pgTable(
  'users',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** Stored lower-cased; unique across roles. */
    email: text('email').notNull(),
    /** `scrypt$N$r$p$saltB64$hashB64`, so parameters can be raised without breaking old hashes. */
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: userRoles }).notNull(),
    /** Set exactly when role = advertiser: the tenant this user belongs to. */
    advertiserId: bigint('advertiser_id', { mode: 'number' }).references(() => advertisers.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('users_email_key').on(table.email),
    index('users_advertiser_idx').on(table.advertiserId),
    check('users_role_check', sql`${table.role} in ('operator', 'advertiser')`),
    check('users_tenant_check', sql`(${table.role} = 'advertiser') = (${table.advertiserId} is not null)`),
  ],
);
