// Desired state of campaign rollouts (docs/architecture.md, "Desired state"): the screens each running
// campaign targets, resolved once by the one targeting rule (services/campaign-screens.ts) and kept
// current by set-based statements in the transactions that change a campaign, a screen or a group; the
// decks those screens still want, which the deck dispatcher issues and publishes; and the broker
// identities screens want present (enrolment) or absent (revocation), which the broker-identity
// dispatcher makes true.
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { campaigns } from './campaigns.ts';
import { screens } from './screens.ts';

/** Active screens an active or paused campaign targets (rows of other campaigns are removed). */
export const campaignScreens = pgTable(
  'campaign_screens',
  {
    campaignId: bigint('campaign_id', { mode: 'number' })
      .notNull()
      .references(() => campaigns.id),
    screenId: bigint('screen_id', { mode: 'number' })
      .notNull()
      .references(() => screens.id),
  },
  (table) => [
    primaryKey({ columns: [table.campaignId, table.screenId] }),
    // A screen's campaigns (its config, a deck-low, a claim) and the refresh when a screen changes.
    index('campaign_screens_screen_idx').on(table.screenId, table.campaignId),
  ],
);

/** A deck a targeted screen of an active campaign must get; deleted once published. */
export const deckWants = pgTable(
  'deck_wants',
  {
    campaignId: bigint('campaign_id', { mode: 'number' })
      .notNull()
      .references(() => campaigns.id),
    screenId: bigint('screen_id', { mode: 'number' })
      .notNull()
      .references(() => screens.id),
    /** Failed attempts since it was queued (the backoff grows with it). */
    attempts: integer('attempts').notNull().default(0),
    /** Cloud time (unix ms) before which it is not tried (again). */
    nextAttemptAt: bigint('next_attempt_at', { mode: 'number' }).notNull().default(0),
    /** Cloud time (unix ms) until which a dispatcher holds it; others skip it meanwhile. */
    leaseUntil: bigint('lease_until', { mode: 'number' }).notNull().default(0),
    lastError: text('last_error'),
  },
  (table) => [
    primaryKey({ columns: [table.campaignId, table.screenId] }),
    index('deck_wants_due_idx').on(table.nextAttemptAt),
  ],
);

/** Versions of screen_broker_identities' rows: every new intent takes one, never reused. */
export const screenBrokerIdentityVersionSeq = pgSequence('screen_broker_identity_version_seq', {
  startWith: 1,
});

/**
 * The broker identity (MQTT username and password) a screen wants, one row per screen while the broker
 * does not match it yet: present (written by enrolment, the password sealed with the KEK) or absent
 * (written by revocation). A newer intent replaces the row's and takes a new version, so the
 * broker-identity dispatcher only ever makes the latest one true; the row goes once the broker matches.
 */
export const screenBrokerIdentities = pgTable(
  'screen_broker_identities',
  {
    screenId: bigint('screen_id', { mode: 'number' })
      .primaryKey()
      .references(() => screens.id),
    /** Wanted present (with username and password) or absent. */
    present: boolean('present').notNull(),
    username: text('username'),
    passwordSealed: text('password_sealed'),
    /** Wanted present while a removal was still owed: the old identity (and its connection) goes first. */
    removeFirst: boolean('remove_first').notNull().default(false),
    /** From screen_broker_identity_version_seq: a dispatcher only deletes the row at the version it claimed. */
    version: bigint('version', { mode: 'number' }).notNull(),
    queuedAt: timestamp('queued_at', { withTimezone: true }).notNull().defaultNow(),
    /** Failed attempts at this version (the backoff grows with it). */
    attempts: integer('attempts').notNull().default(0),
    /** Cloud time (unix ms) before which a failed attempt is not tried again. */
    nextAttemptAt: bigint('next_attempt_at', { mode: 'number' }).notNull().default(0),
    /** Cloud time (unix ms) until which a dispatcher holds the row; a newer intent waits for it. */
    leaseUntil: bigint('lease_until', { mode: 'number' }).notNull().default(0),
    lastError: text('last_error'),
  },
  (table) => [
    index('screen_broker_identities_due_idx').on(table.nextAttemptAt),
    check(
      'screen_broker_identities_credentials',
      sql`not ${table.present} or (${table.username} is not null and ${table.passwordSealed} is not null)`,
    ),
  ],
);
