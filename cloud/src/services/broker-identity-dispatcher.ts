// The broker-identity dispatcher: makes screen_broker_identity_wants true (docs/architecture.md,
// "Desired state").
//
// Enrolment commits the use of its code, the screen's new key and password hash, and a want holding the
// MQTT password sealed with the KEK, in one transaction; it answers the kiosk with its credentials and
// never calls the broker. A broker that is away therefore never burns a code: the kiosk holds working
// credentials, and its MQTT client retries until the dispatcher has created the identity. The
// dispatcher, started by the cloud process (any number of replicas), repeatedly claims a bounded batch of
// due wants of active screens under a lease, provisions each with no transaction open, and deletes the
// want if no newer enrolment replaced it meanwhile; on a broker error it backs off exponentially with
// jitter. A screen revoked while its identity was being created gets a queued broker revocation, so the
// identity never outlives the revocation.
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { seal, unseal } from '../auth/secrets.ts';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import { backoffMs, errorText, runPool, withTimeout } from './leased-work.ts';
import { nodeTimers, startPoller, type Poller, type PollerTimers } from './poller.ts';

export interface BrokerIdentityDispatchLimits {
  batchSizeMax: number;
  /** Identities of a batch provisioned at the same time (a dynamic-security command each). */
  concurrency: number;
  leaseMs: number;
  timeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  intervalMs: number;
}

export const defaultBrokerIdentityDispatchLimits: BrokerIdentityDispatchLimits = {
  batchSizeMax: 100,
  concurrency: 8,
  leaseMs: 120_000,
  timeoutMs: 10_000,
  backoffBaseMs: 500,
  backoffMaxMs: 60_000,
  intervalMs: 1_000,
};

/**
 * Writes (or replaces) the want for the screen's identity in the enrolment's transaction: the password
 * sealed with the KEK, the version raised so an earlier want in flight is not taken for this one.
 */
export async function wantBrokerIdentity(
  tx: Database,
  kek: Buffer,
  input: { screenId: number; username: string; password: string },
): Promise<void> {
  await tx.execute(
    sql`insert into screen_broker_identity_wants (screen_id, username, password_sealed)
        values (${input.screenId}, ${input.username}, ${seal(input.password, kek)})
        on conflict (screen_id) do update set username = excluded.username,
          password_sealed = excluded.password_sealed,
          version = screen_broker_identity_wants.version + 1,
          attempts = 0, next_attempt_at = 0, last_error = null`,
  );
}

export interface BrokerIdentityDispatchDeps {
  db: Database;
  kek: Buffer;
  provision: (screenId: number, username: string, password: string) => Promise<void>;
  now: () => Date;
  random?: () => number;
  timers?: PollerTimers;
  limits?: BrokerIdentityDispatchLimits;
}

export interface BrokerIdentityDispatchOutcome {
  claimed: number;
  provisioned: number;
  failed: number;
}

interface ClaimedIdentity {
  screenId: number;
  username: string;
  passwordSealed: string;
  version: number;
  attempts: number;
}

async function claimIdentities(
  db: Database,
  nowMs: number,
  limits: BrokerIdentityDispatchLimits,
): Promise<ClaimedIdentity[]> {
  return db.transaction(async (tx) => {
    const rows = await queryRows<{
      screen_id: unknown;
      username: string;
      password_sealed: string;
      version: unknown;
      attempts: unknown;
    }>(
      tx,
      sql`select w.screen_id, w.username, w.password_sealed, w.version, w.attempts
          from screen_broker_identity_wants w join screens s on s.id = w.screen_id and s.status = 'active'
          where w.next_attempt_at <= ${nowMs} and w.lease_until <= ${nowMs}
          order by w.next_attempt_at, w.screen_id
          limit ${limits.batchSizeMax}
          for update of w skip locked`,
    );
    if (rows.length === 0) return [];
    await tx.execute(
      sql`update screen_broker_identity_wants set lease_until = ${nowMs + limits.leaseMs}
          where screen_id in (select jsonb_array_elements_text(${JSON.stringify(rows.map((row) => int(row.screen_id)))}::jsonb)::bigint)`,
    );
    return rows.map((row) => ({
      screenId: int(row.screen_id),
      username: row.username,
      passwordSealed: row.password_sealed,
      version: int(row.version),
      attempts: int(row.attempts),
    }));
  });
}

/**
 * After the broker took the identity: the want goes unless a newer enrolment replaced it, and a screen
 * revoked meanwhile gets its revocation queued again (the revocation dispatcher removes the identity).
 */
async function recordProvisioned(db: Database, identity: ClaimedIdentity): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(
      sql`delete from screen_broker_identity_wants
          where screen_id = ${identity.screenId} and version = ${identity.version}`,
    );
    await tx.execute(
      sql`insert into screen_broker_revocations (screen_id)
          select id from screens where id = ${identity.screenId} and status = 'revoked'
          on conflict do nothing`,
    );
  });
}

/** One pass: claim a batch of identities and create each at the broker, no transaction open. */
export async function dispatchBrokerIdentities(
  deps: BrokerIdentityDispatchDeps,
): Promise<BrokerIdentityDispatchOutcome> {
  const limits = deps.limits ?? defaultBrokerIdentityDispatchLimits;
  const timers = deps.timers ?? nodeTimers;
  const random = deps.random ?? Math.random;
  // Wants of screens revoked before their identity was made are dropped: nothing to create.
  await deps.db.execute(
    sql`delete from screen_broker_identity_wants w using screens s
        where s.id = w.screen_id and s.status <> 'active' and w.lease_until <= ${deps.now().getTime()}`,
  );
  const claimed = await claimIdentities(deps.db, deps.now().getTime(), limits);
  const outcome: BrokerIdentityDispatchOutcome = { claimed: claimed.length, provisioned: 0, failed: 0 };
  await runPool(claimed, limits.concurrency, async (identity) => {
    try {
      const password = unseal(identity.passwordSealed, deps.kek);
      await withTimeout(
        deps.provision(identity.screenId, identity.username, password),
        limits.timeoutMs,
        'broker',
        timers,
      );
      await recordProvisioned(deps.db, identity);
      outcome.provisioned += 1;
    } catch (error) {
      outcome.failed += 1;
      const attempts = identity.attempts + 1;
      await deps.db.execute(
        sql`update screen_broker_identity_wants
            set attempts = ${attempts},
                next_attempt_at = ${deps.now().getTime() + backoffMs(attempts, limits, random)},
                lease_until = 0,
                last_error = ${errorText(error)}
            where screen_id = ${identity.screenId} and version = ${identity.version}`,
      );
    }
  });
  return outcome;
}

export type BrokerIdentityDispatcher = Poller;

export function startBrokerIdentityDispatcher(
  deps: BrokerIdentityDispatchDeps & { logger: Logger },
): BrokerIdentityDispatcher {
  const limits = deps.limits ?? defaultBrokerIdentityDispatchLimits;
  const timers = deps.timers ?? nodeTimers;
  return startPoller({
    name: 'broker identity',
    intervalMs: limits.intervalMs,
    timers,
    logger: deps.logger,
    pass: async () => {
      const outcome = await dispatchBrokerIdentities({ ...deps, limits, timers });
      if (outcome.failed > 0) deps.logger.warn(outcome, 'broker identities failed; retrying later');
      else if (outcome.claimed > 0) deps.logger.debug(outcome, 'broker identities provisioned');
      if (outcome.claimed === 0) return 'idle';
      return outcome.failed === 0 ? 'more' : 'waiting';
    },
  });
}
