// Screens (kiosks), their enrolment codes, health reported by heartbeats, and operator-named groups.
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { DeckLevel } from '@redtap/shared';

export const screenStatuses = ['pending', 'active', 'revoked'] as const;
export type ScreenStatus = (typeof screenStatuses)[number];

export const screens = pgTable(
  'screens',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    name: text('name').notNull(),
    city: text('city').notNull(),
    building: text('building').notNull(),
    elevator: text('elevator').notNull(),
    timezone: text('timezone').notNull(),
    status: text('status', { enum: screenStatuses }).notNull().default('pending'),
    /** The kiosk's P-256 key (hex), set at enrolment; it signs every tap token. */
    publicKey: text('public_key'),
    /** scrypt hash of the MQTT password handed out at enrolment. */
    mqttPasswordHash: text('mqtt_password_hash'),
    /** Bumped whenever the retained config changes. */
    configVersion: integer('config_version').notNull().default(0),
    /** SHA-256 of the last published config's content (without version and issue time). */
    configHash: text('config_hash'),
    /** The screen that took this revoked one's place (replace), if any. */
    replacedById: bigint('replaced_by_id', { mode: 'number' }),
    /**
     * What the broker last said of the screen's MQTT connection (docs/protocol.md §5.6): true after its
     * `online` presence, false after its will or clean `offline`; null until a presence arrives.
     */
    connected: boolean('connected'),
    /** The connection number of the presence recorded; only a higher one, or an offline of it, replaces it. */
    presenceSeq: bigint('presence_seq', { mode: 'number' }),
    /** The cloud's time when `connected` last changed. */
    presenceChangedAt: timestamp('presence_changed_at', { withTimezone: true }),
    enrolledAt: timestamp('enrolled_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('screens_location_idx').on(table.city, table.building, table.elevator),
    // Keyset pages of a fleet of 10^6 filtered by status or city walk these in id order.
    index('screens_status_id_idx').on(table.status, table.id),
    index('screens_city_id_idx').on(table.city, table.id),
    check('screens_status_check', sql`${table.status} in ('pending', 'active', 'revoked')`),
  ],
);

export const enrolmentCodes = pgTable(
  'enrolment_codes',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    screenId: bigint('screen_id', { mode: 'number' })
      .notNull()
      .references(() => screens.id),
    /** SHA-256 of the code (hex); the code itself is shown once and never stored. */
    codeHash: text('code_hash').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('enrolment_codes_hash_key').on(table.codeHash),
    // A new code ends the screen's unused ones: found by screen, not by a scan of every code.
    index('enrolment_codes_screen_idx').on(table.screenId),
  ],
);

/** Latest heartbeat per screen (docs/protocol.md §5.3); overwritten, not appended. */
export const screenHealth = pgTable(
  'screen_health',
  {
    screenId: bigint('screen_id', { mode: 'number' })
      .primaryKey()
      .references(() => screens.id),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
    appVersion: text('app_version').notNull(),
    tapCounter: bigint('tap_counter', { mode: 'number' }).notNull(),
    backlog: integer('backlog').notNull(),
    /** Cloud time minus the kiosk's timestamp, in seconds; positive means the kiosk runs behind. */
    clockSkewS: integer('clock_skew_s').notNull(),
    decks: jsonb('decks').$type<DeckLevel[]>().notNull(),
    /**
     * The revocation number the kiosk said it is current to (heartbeat `revocations`); null until a kiosk
     * that reports it sends a heartbeat. A revocation's progress counts the screens at or past its number.
     */
    revocationsCurrent: bigint('revocations_current', { mode: 'number' }),
  },
  // The fleet summary counts screens heard from recently by a range over this.
  (table) => [index('screen_health_last_seen_idx').on(table.lastSeenAt)],
);

/**
 * Each change of a screen's recorded presence (screen-presence.ts), for its history and uptime on the
 * screen's page. Kept PRESENCE_HISTORY_DAYS per screen: older rows go when the screen's next one comes.
 */
export const screenPresenceEvents = pgTable(
  'screen_presence_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    screenId: bigint('screen_id', { mode: 'number' })
      .notNull()
      .references(() => screens.id),
    connected: boolean('connected').notNull(),
    /** The cloud's time the change was recorded. */
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (table) => [index('screen_presence_events_screen_at_idx').on(table.screenId, table.at)],
);

export const screenGroups = pgTable(
  'screen_groups',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    name: text('name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('screen_groups_name_key').on(table.name)],
);

export const screenGroupMembers = pgTable(
  'screen_group_members',
  {
    groupId: bigint('group_id', { mode: 'number' })
      .notNull()
      .references(() => screenGroups.id, { onDelete: 'cascade' }),
    screenId: bigint('screen_id', { mode: 'number' })
      .notNull()
      .references(() => screens.id),
  },
  (table) => [
    primaryKey({ columns: [table.groupId, table.screenId] }),
    index('screen_group_members_screen_idx').on(table.screenId),
  ],
);
