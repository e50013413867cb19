// Desired state of the screens' retained configs (docs/architecture.md, "Desired state and the config
// dispatcher"). A change that concerns every screen (a credential revoked, an issuer key rotated) takes
// one number from screen_config_generation_seq and stores it as the global generation: one statement
// however many screens there are. A change for some screens only stores a number from the same sequence
// as their wanted_generation. A screen is stale while published_generation < greatest(global, wanted);
// the config dispatcher leases stale rows, builds and publishes their configs outside any lock, and
// raises published_generation to the number it read when it took the lease, never lowering it.
import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgSequence, pgTable, smallint, text } from 'drizzle-orm/pg-core';
import { screens } from './screens.ts';

export const screenConfigGenerationSeq = pgSequence('screen_config_generation_seq', { startWith: 1 });

/** One row (id 1): the generation every active screen's config must have reached. */
export const screenConfigGeneration = pgTable(
  'screen_config_generation',
  {
    id: smallint('id').primaryKey(),
    generation: bigint('generation', { mode: 'number' }).notNull().default(0),
  },
  (table) => [check('screen_config_generation_single', sql`${table.id} = 1`)],
);

/** One row per screen (a trigger adds it when the screen is inserted). */
export const screenConfigState = pgTable(
  'screen_config_state',
  {
    screenId: bigint('screen_id', { mode: 'number' })
      .primaryKey()
      .references(() => screens.id),
    /** A number from screen_config_generation_seq the screen's config must reach (changes for it alone). */
    wantedGeneration: bigint('wanted_generation', { mode: 'number' }).notNull().default(0),
    /** The generation the last recorded publish was built at or after. */
    publishedGeneration: bigint('published_generation', { mode: 'number' }).notNull().default(0),
    /** Failed publishes since the last success (the backoff grows with it). */
    attempts: integer('attempts').notNull().default(0),
    /** Cloud time (unix ms) before which a failed screen is not tried again. */
    nextAttemptAt: bigint('next_attempt_at', { mode: 'number' }).notNull().default(0),
    /** Cloud time (unix ms) until which a dispatcher holds the screen; others skip it meanwhile. */
    leaseUntil: bigint('lease_until', { mode: 'number' }).notNull().default(0),
    lastError: text('last_error'),
  },
  (table) => [
    // Stale after a global bump: published_generation below the global generation.
    index('screen_config_state_published_idx').on(table.publishedGeneration),
    // Stale for its own sake: a small set, kept in a partial index.
    index('screen_config_state_wanted_idx')
      .on(table.screenId)
      .where(sql`${table.wantedGeneration} > ${table.publishedGeneration}`),
  ],
);
