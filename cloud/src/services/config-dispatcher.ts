// Desired state for the screens' retained configs, and the dispatcher that makes it true
// (docs/architecture.md, "Desired state and the config dispatcher").
//
// A request never fans out over screens and never waits on the broker for them. It writes what must
// become true in its own transaction: a change that concerns every screen (a credential revoked, an
// issuer key rotated, the embedded broker restarted empty) takes one number from
// screen_config_generation_seq as the global generation, one statement whatever the fleet's size; a
// change for a few screens gives just those a wanted generation from the same sequence. It answers with
// what it queued. Bumping one global number instead of a row per screen keeps the request O(1) at 10^6
// screens; the dispatcher finds stale screens through the index on published_generation.
//
// The dispatcher, started by the cloud process (any number of replicas), repeatedly:
//  1. claims a bounded batch of stale active screens (FOR UPDATE SKIP LOCKED, then a lease in the row,
//     committed at once), reading the generation each must reach;
//  2. for each, builds the config outside any lock (what screens share, the revocation window, issuer keys
//     and each campaign set's content, is read once per pass), gives it its version in a short transaction on the
//     screen row (the version rises only when the content changed), and publishes it;
//  3. records the publish: published_generation rises to the generation read at the claim (greatest(),
//     so an older publish never lowers a newer record, and a newer want stays stale); if the screen's
//     version moved on meanwhile (another publisher built newer content, and ours may have reached the
//     broker after it), the screen is made stale again so the newest config is retained last;
//  4. on a broker error or timeout, leaves the screen stale with exponential backoff and jitter.
// Stale screens are found again at every start, so work left by a crash or an outage resumes.
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { ScreenConfig } from '@redtap/shared';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import { buildScreenConfig, newScreenConfigPassCache, screenConfigContentHash } from './screen-config.ts';
import { backoffMs, errorText, runPool, withTimeout } from './leased-work.ts';
import { nodeTimers, startClaimingPoller, type Poller, type PollerTimers } from './poller.ts';
import { recordConfigVersion } from './screen-config-history.ts';

/** Publishes one screen's retained config (the broker's publishConfig). */
export type PublishScreenConfig = (screenId: number, config: ScreenConfig) => Promise<void>;

/** Whatever buildScreenConfig takes besides the screen: the network's rules and the like. */
export type ScreenConfigBuildOptions = Parameters<typeof buildScreenConfig>[3];

export interface ConfigDispatchLimits {
  /** Screens claimed per pass. */
  batchSizeMax: number;
  /** Screens of a batch built and published at the same time. */
  concurrency: number;
  /** How long a claim holds a screen; longer than building and publishing a batch can take. */
  leaseMs: number;
  publishTimeoutMs: number;
  /** The first retry after a failed publish; doubled per further failure up to backoffMaxMs. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Between passes when nothing was stale or a pass failed. */
  intervalMs: number;
}

export const defaultConfigDispatchLimits: ConfigDispatchLimits = {
  batchSizeMax: 200,
  concurrency: 8,
  leaseMs: 120_000,
  publishTimeoutMs: 5_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 300_000,
  intervalMs: 1_000,
};

/** Timers the dispatcher runs on (a test may give its own). */
export type ConfigTimers = PollerTimers;

export interface QueuedConfigs {
  /** Active screens whose config must be rebuilt and published. */
  screens: number;
  /** Progress of this change: GET /v1/screen-configs/progress?generation=… */
  generation: number;
}

/**
 * Every active screen's config is stale: one statement however many screens there are. Run it in the
 * transaction that made the change, so the change and its publication commit together.
 */
export async function markAllScreenConfigsStale(db: Database): Promise<QueuedConfigs> {
  const [row] = await queryRows<{ generation: unknown; screens: unknown }>(
    db,
    sql`with bumped as (
          update screen_config_generation set generation = nextval('screen_config_generation_seq')
          where id = 1 returning generation)
        select bumped.generation,
               (select count(*) from screens where status = 'active') as screens
        from bumped`,
  );
  if (row === undefined) throw new Error('screen_config_generation has no row');
  return { screens: int(row.screens), generation: int(row.generation) };
}

/** These screens' configs are stale (a change that concerns them only); one statement. */
export async function markScreenConfigsStale(db: Database, screenIds: number[]): Promise<QueuedConfigs> {
  if (screenIds.length === 0) return { screens: 0, generation: 0 };
  const rows = await queryRows<{ wanted_generation: unknown }>(
    db,
    sql`update screen_config_state set wanted_generation = nextval('screen_config_generation_seq')
        where screen_id in (select jsonb_array_elements_text(${JSON.stringify(screenIds)}::jsonb)::bigint)
        returning wanted_generation`,
  );
  return {
    screens: rows.length,
    generation: rows.reduce((max, row) => Math.max(max, int(row.wanted_generation)), 0),
  };
}

export interface ScreenConfigProgress {
  /** The generation asked about (the current global one unless given). */
  generation: number;
  /** Active screens. */
  screens: number;
  /** Active screens whose published config was built at or after `generation`. */
  applied: number;
  /** Active screens whose last publish failed and that wait for a retry. */
  retrying: number;
  /**
   * Asked with a revocation number: active screens whose kiosk said in a heartbeat that it is current to
   * it or beyond (kiosks that do not report it are never counted); null when not asked.
   */
  confirmed: number | null;
}

/** How far a change has reached (one aggregate over the active screens). */
export async function screenConfigProgress(
  db: Database,
  generation?: number,
  revocation?: number,
): Promise<ScreenConfigProgress> {
  const [row] = await queryRows<{
    generation: unknown;
    screens: unknown;
    applied: unknown;
    retrying: unknown;
    confirmed: unknown;
  }>(
    db,
    sql`with wanted as (
          select coalesce(${generation ?? null}::bigint, generation) as generation
          from screen_config_generation where id = 1)
        select wanted.generation,
               count(s.id) as screens,
               count(s.id) filter (where st.published_generation >= wanted.generation) as applied,
               count(s.id) filter (where st.attempts > 0) as retrying,
               count(s.id) filter (where h.revocations_current >= ${revocation ?? null}::bigint) as confirmed
        from wanted
        left join screens s on s.status = 'active'
        left join screen_config_state st on st.screen_id = s.id
        left join screen_health h on h.screen_id = s.id
        group by wanted.generation`,
  );
  return {
    generation: int(row?.generation ?? 0),
    screens: int(row?.screens ?? 0),
    applied: int(row?.applied ?? 0),
    retrying: int(row?.retrying ?? 0),
    confirmed: revocation === undefined ? null : int(row?.confirmed ?? 0),
  };
}

interface Claimed {
  screenId: number;
  /** The generation read at the claim: everything committed before it is in the config built after. */
  target: number;
  attempts: number;
}

/** Claims a bounded batch of stale screens under a lease; skip locked, so replicas split the work. */
async function claimStaleScreens(
  db: Database,
  nowMs: number,
  limits: ConfigDispatchLimits,
): Promise<Claimed[]> {
  return db.transaction(async (tx) => {
    const rows = await queryRows<{ screen_id: unknown; target: unknown; attempts: unknown }>(
      tx,
      sql`select st.screen_id, greatest(g.generation, st.wanted_generation) as target, st.attempts
          from screen_config_state st
          join screens s on s.id = st.screen_id
          cross join screen_config_generation g
          where g.id = 1 and s.status = 'active'
            and (st.published_generation < g.generation or st.wanted_generation > st.published_generation)
            and st.next_attempt_at <= ${nowMs} and st.lease_until <= ${nowMs}
          order by st.screen_id
          limit ${limits.batchSizeMax}
          for update of st skip locked`,
    );
    if (rows.length === 0) return [];
    const ids = rows.map((row) => int(row.screen_id));
    await tx.execute(
      sql`update screen_config_state set lease_until = ${nowMs + limits.leaseMs}
          where screen_id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::bigint)`,
    );
    return rows.map((row) => ({
      screenId: int(row.screen_id),
      target: int(row.target),
      attempts: int(row.attempts),
    }));
  });
}

/**
 * Gives a config built outside any lock its version: a short transaction on the screen row, no broker.
 * The version rises only when the content differs from the last one versioned.
 */
async function versionConfig(
  db: Database,
  screenId: number,
  built: ScreenConfig,
  nowS: number,
): Promise<ScreenConfig | null> {
  return db.transaction(async (tx) => {
    const [locked] = await queryRows<{ config_version: unknown; config_hash: string | null; status: string }>(
      tx,
      sql`select config_version, config_hash, status from screens where id = ${screenId} for update`,
    );
    if (locked?.status !== 'active') return null;
    const hash = screenConfigContentHash(built);
    const raised = hash !== locked.config_hash;
    const version = raised ? int(locked.config_version) + 1 : int(locked.config_version);
    if (raised)
      await tx.execute(
        sql`update screens set config_version = ${version}, config_hash = ${hash} where id = ${screenId}`,
      );
    const config = { ...built, version };
    await recordConfigVersion(tx, screenId, config, raised, nowS);
    return config;
  });
}

/**
 * Records a publish of `version` built at `target`. If the screen's version moved on since (a newer
 * config was versioned by another publisher, and ours may have reached the broker after it) the screen
 * is made stale again instead, so the newest config is published last. The share lock waits for a
 * publisher still holding the screen row, so its version is seen.
 */
async function recordPublished(
  db: Database,
  screenId: number,
  target: number,
  version: number,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [screen] = await queryRows<{ config_version: unknown }>(
      tx,
      sql`select config_version from screens where id = ${screenId} for share`,
    );
    const current = screen !== undefined && int(screen.config_version) === version;
    if (current)
      await tx.execute(
        sql`update screen_config_state
            set published_generation = greatest(published_generation, ${target}),
                attempts = 0, next_attempt_at = 0, lease_until = 0, last_error = null
            where screen_id = ${screenId}`,
      );
    else
      await tx.execute(
        sql`update screen_config_state
            set wanted_generation = nextval('screen_config_generation_seq'), lease_until = 0
            where screen_id = ${screenId}`,
      );
    return current;
  });
}

async function recordFailed(
  db: Database,
  claimed: Claimed,
  error: unknown,
  nowMs: number,
  limits: ConfigDispatchLimits,
  random: () => number,
): Promise<void> {
  const attempts = claimed.attempts + 1;
  const message = errorText(error);
  await db.execute(
    sql`update screen_config_state
        set attempts = ${attempts}, next_attempt_at = ${nowMs + backoffMs(attempts, limits, random)},
            lease_until = 0, last_error = ${message}
        where screen_id = ${claimed.screenId}`,
  );
}

export interface ConfigDispatchDeps {
  db: Database;
  publish: PublishScreenConfig;
  /** Read at every build, so a change of settings reaches the next configs. */
  options: () => ScreenConfigBuildOptions;
  now: () => Date;
  random?: () => number;
  timers?: ConfigTimers;
  limits?: ConfigDispatchLimits;
}

export interface ConfigDispatchOutcome {
  claimed: number;
  published: number;
  /** Published, but a newer version had been made meanwhile: stale again. */
  superseded: number;
  /** No longer active when built: nothing to publish. */
  skipped: number;
  failed: number;
}

/** One pass: claim a batch, build, version, publish and record each screen. */
export async function dispatchScreenConfigs(deps: ConfigDispatchDeps): Promise<ConfigDispatchOutcome> {
  const limits = deps.limits ?? defaultConfigDispatchLimits;
  const timers = deps.timers ?? nodeTimers;
  const random = deps.random ?? Math.random;
  const claimed = await claimStaleScreens(deps.db, deps.now().getTime(), limits);
  const outcome: ConfigDispatchOutcome = {
    claimed: claimed.length,
    published: 0,
    superseded: 0,
    skipped: 0,
    failed: 0,
  };
  // Read once for the whole batch, after the claim: the revocation window, issuer keys and the content
  // of each campaign set are shared by the configs of the pass (per audience, not per screen).
  const cache = newScreenConfigPassCache();
  const one = async (screen: Claimed): Promise<void> => {
    const now = deps.now();
    try {
      const built = await buildScreenConfig(deps.db, screen.screenId, now, deps.options(), cache);
      const config =
        built === null
          ? null
          : await versionConfig(deps.db, screen.screenId, built, Math.floor(now.getTime() / 1000));
      if (config === null) {
        // Revoked or replaced meanwhile: nothing to publish; it is not claimed while inactive.
        await deps.db.execute(
          sql`update screen_config_state set lease_until = 0 where screen_id = ${screen.screenId}`,
        );
        outcome.skipped += 1;
        return;
      }
      await withTimeout(deps.publish(screen.screenId, config), limits.publishTimeoutMs, 'publish', timers);
      if (await recordPublished(deps.db, screen.screenId, screen.target, config.version))
        outcome.published += 1;
      else outcome.superseded += 1;
    } catch (error) {
      outcome.failed += 1;
      await recordFailed(deps.db, screen, error, deps.now().getTime(), limits, random);
    }
  };
  await runPool(claimed, limits.concurrency, one);
  return outcome;
}

/** Poke after marking a change; idle() resolves after a pass that found nothing stale. */
export type ScreenConfigDispatcher = Poller;

/**
 * Runs passes every `intervalMs`, at once after a poke, and straight on while batches come back claimed
 * without failures. A failed pass (the database away) is logged and tried again after the interval;
 * screens leased by a pass that never finished are claimed again after their lease.
 */
export function startScreenConfigDispatcher(
  deps: ConfigDispatchDeps & { logger: Logger },
): ScreenConfigDispatcher {
  const limits = deps.limits ?? defaultConfigDispatchLimits;
  const timers = deps.timers ?? nodeTimers;
  return startClaimingPoller({
    name: 'screen config',
    intervalMs: limits.intervalMs,
    timers,
    logger: deps.logger,
    dispatch: () => dispatchScreenConfigs({ ...deps, limits, timers }),
    failedMessage: 'screen config publishes failed; retrying later',
    doneMessage: 'screen configs published',
  });
}
