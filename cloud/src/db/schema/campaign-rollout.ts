// Desired state of campaign rollouts (docs/architecture.md, "Desired state"): the screens each running
// campaign targets, resolved once by the one targeting rule (services/campaign-screens.ts) and kept
// current by set-based statements in the transactions that change a campaign, a screen or a group; the
// decks those screens still want, which the deck dispatcher issues and publishes; and the broker
// identities enrolment wants created, which the broker-identity dispatcher provisions.
import { bigint, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
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

/**
 * A broker identity (MQTT username and password) a screen's enrolment wants created, committed with the
 * use of its enrolment code. The password is sealed with the KEK; the row goes once the broker has it.
 */
export const screenBrokerIdentityWants = pgTable(
  'screen_broker_identity_wants',
  {
    screenId: bigint('screen_id', { mode: 'number' })
      .primaryKey()
      .references(() => screens.id),
    username: text('username').notNull(),
    passwordSealed: text('password_sealed').notNull(),
    /** Rises when a new enrolment replaces the want, so a dispatcher never deletes a newer one. */
    version: integer('version').notNull().default(1),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: bigint('next_attempt_at', { mode: 'number' }).notNull().default(0),
    leaseUntil: bigint('lease_until', { mode: 'number' }).notNull().default(0),
    lastError: text('last_error'),
  },
  (table) => [index('screen_broker_identity_wants_due_idx').on(table.nextAttemptAt)],
);
