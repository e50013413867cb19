// The claim-notice dispatcher: publishes the `claimed` notices (docs/protocol.md §5.7) that claims write
// in their own transaction (claim_notices), after commit, so no request or transaction waits on the
// broker. Each pass takes a bounded batch (skip locked, so replicas split the outbox), publishes each
// notice with a timeout, deletes what was published and gives up on a notice after a few attempts or once
// it is too old to matter (the kiosk has rotated its QR by then anyway).
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';

export interface ClaimNotice {
  ticketSeq: number;
  claimedAt: number;
}

/** Publishes one notice on the screen's `claimed` topic. */
export type PublishClaimNotice = (screenId: number, notice: ClaimNotice) => Promise<void>;

export interface ClaimNoticeLimits {
  /** Notices taken per pass. */
  batchSizeMax: number;
  publishTimeoutMs: number;
  /** Failed publishes of one notice before it is dropped. */
  attemptsMax: number;
  /** A notice older than this is dropped unpublished. */
  noticeAgeMaxS: number;
  /** Between passes when the outbox was empty or a pass failed. */
  intervalMs: number;
}

export const defaultClaimNoticeLimits: ClaimNoticeLimits = {
  batchSizeMax: 200,
  publishTimeoutMs: 5_000,
  attemptsMax: 5,
  noticeAgeMaxS: 300,
  intervalMs: 1_000,
};

export interface DispatchOutcome {
  published: number;
  dropped: number;
  failed: number;
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`publish timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** One pass over the outbox. */
export async function dispatchClaimNotices(
  db: Database,
  publish: PublishClaimNotice,
  now: Date,
  limits: ClaimNoticeLimits = defaultClaimNoticeLimits,
): Promise<DispatchOutcome> {
  return db.transaction(async (tx) => {
    const rows = await queryRows<{
      id: unknown;
      screen_id: unknown;
      payload: unknown;
      created_at: Date | string;
      attempts: unknown;
    }>(
      tx,
      sql`select id, screen_id, payload, created_at, attempts from claim_notices
          order by id limit ${limits.batchSizeMax} for update skip locked`,
    );
    const done: number[] = [];
    const failed: number[] = [];
    let dropped = 0;
    for (const row of rows) {
      const ageS = (now.getTime() - new Date(row.created_at).getTime()) / 1000;
      if (ageS > limits.noticeAgeMaxS || int(row.attempts) >= limits.attemptsMax) {
        done.push(int(row.id));
        dropped += 1;
        continue;
      }
      const payload = (
        typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload
      ) as ClaimNotice;
      try {
        await withTimeout(publish(int(row.screen_id), payload), limits.publishTimeoutMs);
        done.push(int(row.id));
      } catch {
        failed.push(int(row.id));
      }
    }
    if (done.length > 0)
      await tx.execute(
        sql`delete from claim_notices where id in (select jsonb_array_elements_text(${JSON.stringify(done)}::jsonb)::bigint)`,
      );
    if (failed.length > 0)
      await tx.execute(
        sql`update claim_notices set attempts = attempts + 1
            where id in (select jsonb_array_elements_text(${JSON.stringify(failed)}::jsonb)::bigint)`,
      );
    return { published: done.length - dropped, dropped, failed: failed.length };
  });
}

export interface ClaimNoticeDispatcher {
  /** Asks for a pass soon (after a claim commits); passes never overlap. */
  poke(): void;
  /** Stops the timer and waits for a running pass. */
  close(): Promise<void>;
}

/** Runs passes every `intervalMs`, and at once after a poke; a full batch runs the next pass at once. */
export function startClaimNoticeDispatcher(deps: {
  db: Database;
  publish: PublishClaimNotice;
  logger: Logger;
  now: () => Date;
  limits?: ClaimNoticeLimits;
}): ClaimNoticeDispatcher {
  const limits = deps.limits ?? defaultClaimNoticeLimits;
  let running: Promise<void> | null = null;
  let again = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const schedule = (delayMs: number) => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(run, delayMs);
    timer.unref();
  };
  function run(): void {
    if (closed) return;
    if (running !== null) {
      again = true;
      return;
    }
    running = dispatchClaimNotices(deps.db, deps.publish, deps.now(), limits)
      .then((outcome) => {
        if (outcome.dropped > 0) deps.logger.warn(outcome, 'claim notices dropped unpublished');
        const full = outcome.published + outcome.dropped + outcome.failed >= limits.batchSizeMax;
        again ||= full && outcome.failed === 0;
      })
      .catch((error: unknown) => deps.logger.error({ err: error }, 'claim notice pass failed'))
      .finally(() => {
        running = null;
        const next = again;
        again = false;
        schedule(next ? 0 : limits.intervalMs);
      });
  }
  schedule(0);
  return {
    poke: () => run(),
    close: async () => {
      closed = true;
      clearTimeout(timer);
      await running;
    },
  };
}
