// The revocation dispatcher: removes the broker identities of revoked screens, queued in
// screen_broker_revocations by the revoking transaction (POST /v1/screens/{id}/revoke and bulk
// revocation alike): the Mosquitto dynamic-security client and role deleted (aedes refuses the login), the connection cut, the
// retained config cleared, the cached login forgotten. The request only wrote the revoked status and the
// queue row; the database already refuses the screen's tokens and logins. Each pass takes a bounded batch
// under a lease (skip locked, in a short transaction of its own) so replicas split the work and nothing
// is held open while the broker is asked; a row goes once the broker has done it, and a failure backs off.
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import { defaultConfigDispatchLimits } from './config-dispatcher.ts';
import { backoffMs, errorText, runPool, withTimeout } from './leased-work.ts';
import { nodeTimers, startPoller, type Poller, type PollerTimers } from './poller.ts';

export interface RevocationDispatchLimits {
  batchSizeMax: number;
  concurrency: number;
  leaseMs: number;
  revokeTimeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  intervalMs: number;
}

export const defaultRevocationDispatchLimits: RevocationDispatchLimits = {
  batchSizeMax: 200,
  concurrency: 8,
  leaseMs: 120_000,
  revokeTimeoutMs: 10_000,
  backoffBaseMs: defaultConfigDispatchLimits.backoffBaseMs,
  backoffMaxMs: defaultConfigDispatchLimits.backoffMaxMs,
  intervalMs: 1_000,
};

export interface RevocationDispatchDeps {
  db: Database;
  /** Removes one screen's broker identity (the broker's revokeScreen, after forgetting cached logins). */
  revoke: (screenId: number) => Promise<void>;
  now: () => Date;
  random?: () => number;
  timers?: PollerTimers;
  limits?: RevocationDispatchLimits;
}

export interface RevocationDispatchOutcome {
  claimed: number;
  revoked: number;
  failed: number;
}

interface Claimed {
  screenId: number;
  attempts: number;
}

async function claimRevocations(
  db: Database,
  nowMs: number,
  limits: RevocationDispatchLimits,
): Promise<Claimed[]> {
  return db.transaction(async (tx) => {
    const rows = await queryRows<{ screen_id: unknown; attempts: unknown }>(
      tx,
      sql`select screen_id, attempts from screen_broker_revocations
          where next_attempt_at <= ${nowMs} and lease_until <= ${nowMs}
          order by next_attempt_at, screen_id
          limit ${limits.batchSizeMax}
          for update skip locked`,
    );
    if (rows.length === 0) return [];
    const ids = rows.map((row) => int(row.screen_id));
    await tx.execute(
      sql`update screen_broker_revocations set lease_until = ${nowMs + limits.leaseMs}
          where screen_id in (select value::bigint from jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`,
    );
    return rows.map((row) => ({ screenId: int(row.screen_id), attempts: int(row.attempts) }));
  });
}

/** One pass: claim a batch, remove each identity, delete its row or back it off. */
export async function dispatchBrokerRevocations(
  deps: RevocationDispatchDeps,
): Promise<RevocationDispatchOutcome> {
  const limits = deps.limits ?? defaultRevocationDispatchLimits;
  const timers = deps.timers ?? nodeTimers;
  const random = deps.random ?? Math.random;
  const claimed = await claimRevocations(deps.db, deps.now().getTime(), limits);
  const outcome: RevocationDispatchOutcome = { claimed: claimed.length, revoked: 0, failed: 0 };
  const one = async (row: Claimed): Promise<void> => {
    try {
      await withTimeout(deps.revoke(row.screenId), limits.revokeTimeoutMs, 'revocation', timers);
      await deps.db.execute(sql`delete from screen_broker_revocations where screen_id = ${row.screenId}`);
      outcome.revoked += 1;
    } catch (error) {
      outcome.failed += 1;
      const attempts = row.attempts + 1;
      const message = errorText(error);
      const retryAt = deps.now().getTime() + backoffMs(attempts, limits, random);
      await deps.db.execute(
        sql`update screen_broker_revocations
            set attempts = ${attempts}, next_attempt_at = ${retryAt}, lease_until = 0, last_error = ${message}
            where screen_id = ${row.screenId}`,
      );
    }
  };
  await runPool(claimed, limits.concurrency, one);
  return outcome;
}

/** Poke after queueing revocations; idle() resolves after a pass that found none due. */
export type BrokerRevocationDispatcher = Poller;

export function startBrokerRevocationDispatcher(
  deps: RevocationDispatchDeps & { logger: Logger },
): BrokerRevocationDispatcher {
  const limits = deps.limits ?? defaultRevocationDispatchLimits;
  const timers = deps.timers ?? nodeTimers;
  return startPoller({
    name: 'screen revocation',
    intervalMs: limits.intervalMs,
    timers,
    logger: deps.logger,
    pass: async () => {
      const outcome = await dispatchBrokerRevocations({ ...deps, limits, timers });
      if (outcome.failed > 0) deps.logger.warn(outcome, 'broker identity removals failed; retrying later');
      else if (outcome.claimed > 0) deps.logger.info(outcome, 'broker identities of revoked screens removed');
      if (outcome.claimed === 0) return 'idle';
      return outcome.failed === 0 ? 'more' : 'waiting';
    },
  });
}
