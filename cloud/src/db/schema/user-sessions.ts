// Console sign-ins (operators and advertiser users) kept on the server: the session token only names
// its row, so signing out, disabling the user or resetting the password ends it at once.
import { bigint, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from './accounts.ts';

export const userSessions = pgTable(
  'user_sessions',
  {
    /** 128 random bits (base64url), carried in the token as `sid`. */
    id: text('id').primaryKey(),
    userId: bigint('user_id', { mode: 'number' })
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** Set by sign-out, by disabling the user and by a password reset. */
    endedAt: timestamp('ended_at', { withTimezone: true }),
  },
  (table) => [index('user_sessions_user_idx').on(table.userId, table.expiresAt)],
);
