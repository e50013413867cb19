// The broker-identity dispatcher: makes each screen's broker identity (its Mosquitto dynamic-security
// client and role; aedes asks the database at every login) what screen_broker_identities wants
// (docs/architecture.md, "Desired state").
//
// A screen has one wanted state, one row, written in the transaction that decides it: enrolment wants
// the identity present (username and the MQTT password sealed with the KEK, committed with the use of its
// code, so a broker that is away never burns a code: the kiosk holds working credentials and its MQTT
// client retries until the identity exists); revocation, one screen or a bulk selection, wants it absent
// (the client and role deleted, the connection cut, the retained config cleared, the cached login
// forgotten). Each write takes a new version from screen_broker_identity_version_seq and replaces what
// the row wanted before, so only the latest intent is ever made true: a removal still queued (or backing
// off after a broker error) when the screen is reinstated and enrolled again never runs after the new
// identity is made, and an identity still wanted when the screen is revoked is never created after its
// removal. An identity wanted while a removal was still owed removes the old identity first, so the old
// kiosk's connection is cut as the revocation promised.
//
// The dispatcher, started by the cloud process (any number of replicas), repeatedly claims a bounded
// batch of due rows under a lease (skip locked, a short transaction of its own), asks the broker with no
// transaction open, a few screens at a time, and deletes the row if its version is still the one claimed.
// A newer intent written meanwhile keeps the row and waits for the lease to be given back, so two intents
// of one screen never reach the broker out of order. A failure backs off exponentially with jitter. A row
// exists only while there is work left; rows are found again at every start.
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { seal, unseal } from '../auth/secrets.ts';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import { backoffMs, errorText, runPool, withTimeout } from './leased-work.ts';
import { nodeTimers, startClaimingPoller, type Poller, type PollerTimers } from './poller.ts';

export interface BrokerIdentityDispatchLimits {
  batchSizeMax: number;
  /** Screens of a batch the broker is asked about at the same time (a dynamic-security command each). */
  concurrency: number;
  /** How long a claim holds a row; far longer than the broker calls of a batch can take. */
  leaseMs: number;
  /** Per broker call. */
  timeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  intervalMs: number;
}

export const defaultBrokerIdentityDispatchLimits: BrokerIdentityDispatchLimits = {
  batchSizeMax: 200,
  concurrency: 8,
  leaseMs: 120_000,
  timeoutMs: 10_000,
  backoffBaseMs: 500,
  backoffMaxMs: 60_000,
  intervalMs: 1_000,
};

/**
 * The screen's identity is wanted present with these credentials (the enrolment's transaction): the
 * password sealed with the KEK, a new version. A removal still owed (revoked, reinstated and enrolled
 * again before the broker removed the old identity) is kept as `remove_first`.
 */
export async function wantBrokerIdentity(
  tx: Database,
  kek: Buffer,
  input: { screenId: number; username: string; password: string },
): Promise<void> {
  await tx.execute(
    sql`insert into screen_broker_identities (screen_id, present, username, password_sealed, version)
        values (${input.screenId}, true, ${input.username}, ${seal(input.password, kek)},
                nextval('screen_broker_identity_version_seq'))
        on conflict (screen_id) do update set present = true, username = excluded.username,
          password_sealed = excluded.password_sealed,
          remove_first = screen_broker_identities.remove_first or not screen_broker_identities.present,
          version = excluded.version, queued_at = excluded.queued_at,
          attempts = 0, next_attempt_at = 0, last_error = null`,
  );
}

/**
 * These screens' identities are wanted absent (the revoking transaction, one screen or a bulk
 * selection): one statement whatever their number; an identity still wanted present is not created.
 */
export async function wantBrokerIdentitiesRemoved(
  tx: Database,
  screenIds: readonly number[],
  at: Date,
): Promise<void> {
  if (screenIds.length === 0) return;
  await tx.execute(
    sql`insert into screen_broker_identities (screen_id, present, version, queued_at)
        select value::bigint, false, nextval('screen_broker_identity_version_seq'), ${at.toISOString()}::timestamptz
        from jsonb_array_elements_text(${JSON.stringify(screenIds)}::jsonb)
        on conflict (screen_id) do update set present = false, username = null, password_sealed = null,
          remove_first = false, version = excluded.version, queued_at = excluded.queued_at,
          attempts = 0, next_attempt_at = 0, last_error = null`,
  );
}

export interface BrokerIdentityDispatchDeps {
  db: Database;
  kek: Buffer;
  /** Creates or updates the identity (the broker's provisionScreen). */
  provision: (screenId: number, username: string, password: string) => Promise<void>;
  /** Removes the identity and cuts its connection (the broker's revokeScreen, after forgetting cached logins). */
  remove: (screenId: number) => Promise<void>;
  /** Only rows wanting this state (a test that looks at the other kind still queued); both by default. */
  only?: 'present' | 'absent';
  now: () => Date;
  random?: () => number;
  timers?: PollerTimers;
  limits?: BrokerIdentityDispatchLimits;
}

export interface BrokerIdentityDispatchOutcome {
  claimed: number;
  provisioned: number;
  removed: number;
  /** Done at the broker, but a newer intent was written meanwhile: it runs next. */
  superseded: number;
  failed: number;
}

interface Claimed {
  screenId: number;
  present: boolean;
  username: string | null;
  passwordSealed: string | null;
  removeFirst: boolean;
  version: number;
  attempts: number;
  /** The lease written at the claim. */
  lease: number;
}

async function claimIdentities(
  db: Database,
  nowMs: number,
  limits: BrokerIdentityDispatchLimits,
  only: 'present' | 'absent' | undefined,
): Promise<Claimed[]> {
  return db.transaction(async (tx) => {
    const rows = await queryRows<{
      screen_id: unknown;
      present: boolean;
      username: string | null;
      password_sealed: string | null;
      remove_first: boolean;
      version: unknown;
      attempts: unknown;
    }>(
      tx,
      sql`select b.screen_id, b.present, b.username, b.password_sealed, b.remove_first, b.version, b.attempts
          from screen_broker_identities b join screens s on s.id = b.screen_id
          where b.next_attempt_at <= ${nowMs} and b.lease_until <= ${nowMs}
            and (not b.present or s.status = 'active')
            ${only === undefined ? sql`` : sql`and b.present = ${only === 'present'}`}
          order by b.next_attempt_at, b.screen_id
          limit ${limits.batchSizeMax}
          for update of b skip locked`,
    );
    if (rows.length === 0) return [];
    const lease = nowMs + limits.leaseMs;
    await tx.execute(
      sql`update screen_broker_identities set lease_until = ${lease}
          where screen_id in (select value::bigint from jsonb_array_elements_text(${JSON.stringify(rows.map((row) => int(row.screen_id)))}::jsonb))`,
    );
    return rows.map((row) => ({
      screenId: int(row.screen_id),
      present: row.present,
      username: row.username,
      passwordSealed: row.password_sealed,
      removeFirst: row.remove_first,
      version: int(row.version),
      attempts: int(row.attempts),
      lease,
    }));
  });
}

/**
 * After the broker did what `claimed` wanted: the row goes if its version is still the one claimed;
 * otherwise a newer intent was written meanwhile, and giving the lease back lets it run next.
 */
async function recordDone(db: Database, claimed: Claimed): Promise<boolean> {
  const gone = await queryRows(
    db,
    sql`delete from screen_broker_identities
        where screen_id = ${claimed.screenId} and version = ${claimed.version} returning screen_id`,
  );
  if (gone.length > 0) return true;
  await releaseLease(db, claimed);
  return false;
}

async function releaseLease(db: Database, claimed: Claimed): Promise<void> {
  await db.execute(
    sql`update screen_broker_identities set lease_until = 0
        where screen_id = ${claimed.screenId} and lease_until = ${claimed.lease}`,
  );
}

/** One pass: claim a batch and make each identity what its row wants, a few at a time, no transaction open. */
export async function dispatchBrokerIdentities(
  deps: BrokerIdentityDispatchDeps,
): Promise<BrokerIdentityDispatchOutcome> {
  const limits = deps.limits ?? defaultBrokerIdentityDispatchLimits;
  const timers = deps.timers ?? nodeTimers;
  const random = deps.random ?? Math.random;
  const claimed = await claimIdentities(deps.db, deps.now().getTime(), limits, deps.only);
  const outcome: BrokerIdentityDispatchOutcome = {
    claimed: claimed.length,
    provisioned: 0,
    removed: 0,
    superseded: 0,
    failed: 0,
  };
  await runPool(claimed, limits.concurrency, async (row) => {
    try {
      if (!row.present || row.removeFirst)
        await withTimeout(deps.remove(row.screenId), limits.timeoutMs, 'broker identity removal', timers);
      if (row.present) {
        if (row.username === null || row.passwordSealed === null)
          throw new Error(`screen ${String(row.screenId)}'s wanted identity has no credentials`);
        const password = unseal(row.passwordSealed, deps.kek);
        await withTimeout(
          deps.provision(row.screenId, row.username, password),
          limits.timeoutMs,
          'broker identity',
          timers,
        );
      }
      if (!(await recordDone(deps.db, row))) outcome.superseded += 1;
      else if (row.present) outcome.provisioned += 1;
      else outcome.removed += 1;
    } catch (error) {
      outcome.failed += 1;
      const attempts = row.attempts + 1;
      await deps.db.execute(
        sql`update screen_broker_identities
            set attempts = ${attempts},
                next_attempt_at = ${deps.now().getTime() + backoffMs(attempts, limits, random)},
                last_error = ${errorText(error)}
            where screen_id = ${row.screenId} and version = ${row.version}`,
      );
      await releaseLease(deps.db, row);
    }
  });
  return outcome;
}

/** Poke after writing a wanted state; idle() resolves after a pass that found nothing due. */
export type BrokerIdentityDispatcher = Poller;

export function startBrokerIdentityDispatcher(
  deps: BrokerIdentityDispatchDeps & { logger: Logger },
): BrokerIdentityDispatcher {
  const limits = deps.limits ?? defaultBrokerIdentityDispatchLimits;
  const timers = deps.timers ?? nodeTimers;
  return startClaimingPoller({
    name: 'broker identity',
    intervalMs: limits.intervalMs,
    timers,
    logger: deps.logger,
    dispatch: () => dispatchBrokerIdentities({ ...deps, limits, timers }),
    failedMessage: 'broker identities failed; retrying later',
    doneMessage: 'broker identities made as wanted',
    doneLevel: 'info',
  });
}
