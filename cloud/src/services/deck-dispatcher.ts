// The deck dispatcher: makes deck_wants true (docs/architecture.md, "Desired state").
//
// A campaign's activation or resume, and a screen joining an active campaign's set, write a want per
// (campaign, screen) in their own transaction (campaign-screens.ts); the request answers with what it
// queued. A screen's deck-low event writes one too (wantDeckRefill in decks.ts), so a storm of refills
// is issued in batches under one lock of the campaign's row each, not one transaction per screen. The dispatcher, started by the cloud process (any number of replicas), repeatedly:
//  1. claims a bounded batch of due wants of active campaigns (FOR UPDATE SKIP LOCKED, then a lease in the
//     row, committed at once);
//  2. per campaign, issues the batch's decks topping up (issueDecks: one transaction on the campaign's
//     row, no broker): a screen that holds its demand already, such as one whose deck-low came first,
//     gets no second deck, so a kiosk never gets two decks from an activation;
//  3. with no transaction open, publishes each screen's new deck, if it got one, and the open decks it
//     holds of the campaign again (a publish that failed before, or came while the kiosk was away, never
//     reached it, since decks are not retained; a kiosk stores a deck it has as the same deck);
//  4. deletes the want once published; on a broker error or timeout keeps it with exponential backoff
//     and jitter. Wants are found again at every start, so a crash or an outage only delays decks.
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import type { MoneySettings } from '../money-settings.ts';
import { heldDecks, issueDecks, type IssuedDeck } from './decks.ts';
import { backoffMs, errorText, runPool, withTimeout } from './leased-work.ts';
import { nodeTimers, startClaimingPoller, type Poller, type PollerTimers } from './poller.ts';

export interface DeckDispatchLimits {
  /** Wants claimed per pass. */
  batchSizeMax: number;
  /** Decks of one campaign issued in one transaction (it holds the campaign's row meanwhile). */
  issueChunkMax: number;
  /** Screens of a batch published at the same time. */
  concurrency: number;
  /** How long a claim holds a want; longer than issuing and publishing a batch can take. */
  leaseMs: number;
  publishTimeoutMs: number;
  /** The first retry after a failure; doubled per further failure up to backoffMaxMs. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Between passes when nothing was due or a pass failed. */
  intervalMs: number;
}

export const defaultDeckDispatchLimits: DeckDispatchLimits = {
  batchSizeMax: 500,
  issueChunkMax: 250,
  concurrency: 16,
  leaseMs: 300_000,
  publishTimeoutMs: 5_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 300_000,
  intervalMs: 1_000,
};

export interface DeckDispatchDeps {
  db: Database;
  kek: Buffer;
  settings: MoneySettings;
  publish: (screenId: number, deck: Uint8Array) => Promise<void>;
  now: () => Date;
  random?: () => number;
  timers?: PollerTimers;
  limits?: DeckDispatchLimits;
}

export interface DeckDispatchOutcome {
  claimed: number;
  /** Decks issued by this pass. */
  issued: number;
  /** Wants made true: their screen's deck (new or held) published, or nothing left to give it. */
  done: number;
  failed: number;
}

interface ClaimedWant {
  campaignId: number;
  screenId: number;
  attempts: number;
  /** The lease written at the claim: a want written again meanwhile (lease 0) is left for the next pass. */
  lease: number;
}

async function claimWants(db: Database, nowMs: number, limits: DeckDispatchLimits): Promise<ClaimedWant[]> {
  return db.transaction(async (tx) => {
    const rows = await queryRows<{ campaign_id: unknown; screen_id: unknown; attempts: unknown }>(
      tx,
      sql`select w.campaign_id, w.screen_id, w.attempts from deck_wants w
          join campaigns c on c.id = w.campaign_id and c.status = 'active'
          where w.next_attempt_at <= ${nowMs} and w.lease_until <= ${nowMs}
          order by w.next_attempt_at, w.campaign_id, w.screen_id
          limit ${limits.batchSizeMax}
          for update of w skip locked`,
    );
    if (rows.length === 0) return [];
    const keys = rows.map((row) => [int(row.campaign_id), int(row.screen_id)]);
    const lease = nowMs + limits.leaseMs;
    await tx.execute(
      sql`update deck_wants w set lease_until = ${lease}
          from jsonb_to_recordset(${JSON.stringify(keys.map(([c, s]) => ({ c, s })))}::jsonb) as k(c bigint, s bigint)
          where w.campaign_id = k.c and w.screen_id = k.s`,
    );
    return rows.map((row) => ({
      campaignId: int(row.campaign_id),
      screenId: int(row.screen_id),
      attempts: int(row.attempts),
      lease,
    }));
  });
}

/** Deletes the wants made true, unless written again since their claim (one statement). */
async function recordDone(db: Database, wants: ClaimedWant[]): Promise<void> {
  if (wants.length === 0) return;
  const keys = wants.map((want) => ({ c: want.campaignId, s: want.screenId, l: want.lease }));
  await db.execute(
    sql`delete from deck_wants w using jsonb_to_recordset(${JSON.stringify(keys)}::jsonb) as k(c bigint, s bigint, l bigint)
        where w.campaign_id = k.c and w.screen_id = k.s and w.lease_until = k.l`,
  );
}

async function recordFailed(
  db: Database,
  wants: ClaimedWant[],
  error: unknown,
  nowMs: number,
  limits: DeckDispatchLimits,
  random: () => number,
): Promise<void> {
  if (wants.length === 0) return;
  const message = errorText(error);
  const rows = wants.map((want) => ({
    c: want.campaignId,
    s: want.screenId,
    a: want.attempts + 1,
    n: nowMs + backoffMs(want.attempts + 1, limits, random),
    l: want.lease,
  }));
  await db.execute(
    sql`update deck_wants w set attempts = k.a, next_attempt_at = k.n, lease_until = 0, last_error = ${message}
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as k(c bigint, s bigint, a int, n bigint, l bigint)
        where w.campaign_id = k.c and w.screen_id = k.s and w.lease_until = k.l`,
  );
}

/** One pass: claim a batch, issue its decks per campaign, publish them with no transaction open. */
export async function dispatchDecks(deps: DeckDispatchDeps): Promise<DeckDispatchOutcome> {
  const limits = deps.limits ?? defaultDeckDispatchLimits;
  const timers = deps.timers ?? nodeTimers;
  const random = deps.random ?? Math.random;
  const claimed = await claimWants(deps.db, deps.now().getTime(), limits);
  const outcome: DeckDispatchOutcome = { claimed: claimed.length, issued: 0, done: 0, failed: 0 };
  const byCampaign = new Map<number, ClaimedWant[]>();
  for (const want of claimed)
    byCampaign.set(want.campaignId, [...(byCampaign.get(want.campaignId) ?? []), want]);
  // Issued decks waiting to be published, with the want each makes true.
  const toPublish: { want: ClaimedWant; deck: IssuedDeck | null }[] = [];
  for (const [campaignId, wants] of byCampaign)
    for (let start = 0; start < wants.length; start += limits.issueChunkMax) {
      const chunk = wants.slice(start, start + limits.issueChunkMax);
      try {
        const issued = await issueDecks(deps, {
          campaignId,
          screenIds: chunk.map((want) => want.screenId),
          now: deps.now(),
          topUp: true,
        });
        outcome.issued += issued.size;
        for (const want of chunk) toPublish.push({ want, deck: issued.get(want.screenId) ?? null });
      } catch (error) {
        outcome.failed += chunk.length;
        await recordFailed(deps.db, chunk, error, deps.now().getTime(), limits, random);
      }
    }
  const one = async ({ want, deck }: { want: ClaimedWant; deck: IssuedDeck | null }): Promise<void> => {
    try {
      // The new deck, if any, then what the screen holds of the campaign again.
      const held = await heldDecks(deps.db, {
        ...want,
        now: deps.now(),
        ...(deck === null ? {} : { exceptDeckId: deck.deckId }),
      });
      const decks = [...(deck === null ? [] : [deck.bytes]), ...held.map((other) => other.bytes)];
      for (const bytes of decks)
        await withTimeout(deps.publish(want.screenId, bytes), limits.publishTimeoutMs, 'publish', timers);
      published.push(want);
    } catch (error) {
      outcome.failed += 1;
      await recordFailed(deps.db, [want], error, deps.now().getTime(), limits, random);
    }
  };
  const published: ClaimedWant[] = [];
  await runPool(toPublish, limits.concurrency, one);
  await recordDone(deps.db, published);
  outcome.done = published.length;
  return outcome;
}

export type DeckDispatcher = Poller;

/** Runs passes like the config dispatcher (poller.ts): at once after a poke, on while batches come back. */
export function startDeckDispatcher(deps: DeckDispatchDeps & { logger: Logger }): DeckDispatcher {
  const limits = deps.limits ?? defaultDeckDispatchLimits;
  const timers = deps.timers ?? nodeTimers;
  return startClaimingPoller({
    name: 'deck',
    intervalMs: limits.intervalMs,
    timers,
    logger: deps.logger,
    dispatch: () => dispatchDecks({ ...deps, limits, timers }),
    failedMessage: 'deck publishes failed; retrying later',
    doneMessage: 'decks published',
  });
}
