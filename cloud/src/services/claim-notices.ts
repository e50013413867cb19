// The claim-notice dispatcher: publishes the `claimed` notices (docs/protocol.md §5.7) that claims write
// in their own transaction (claim_notices), after commit, so no request or transaction waits on the
// broker. Each pass takes a bounded batch under a lease (skip locked, in a short transaction of its own,
// so replicas split the outbox and no lock is held while publishing), adds each notice's outcome from its
// claim as recorded (what the cloud paid and the brand that paid, a hold, or a refusal), publishes the
// batch with a timeout per notice, then deletes what was published and gives up on a notice after a few
// attempts or once it is too old to matter (the kiosk has rotated its QR by then anyway). A pass that dies
// midway leaves its notices leased; the next pass after the lease takes them again.
import { CLAIMED_TEXT_MAX, TicketClaimed, TicketClaimResult } from '@redtap/shared';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import { ticketClaimKey } from './claims.ts';
import { withTimeout } from './leased-work.ts';
import { startPoller, type Poller } from './poller.ts';

/** The `claimed` message as published (TicketClaimed of @redtap/shared). */
export type ClaimNotice = TicketClaimed;

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
  /** How long a pass holds the notices it took; far longer than publishing a batch can take. */
  leaseMs: number;
}

export const defaultClaimNoticeLimits: ClaimNoticeLimits = {
  batchSizeMax: 200,
  publishTimeoutMs: 5_000,
  attemptsMax: 5,
  noticeAgeMaxS: 300,
  intervalMs: 1_000,
  leaseMs: 60_000,
};

export interface DispatchOutcome {
  /** Notices the pass took from the outbox. */
  taken: number;
  published: number;
  /** Given up on: too old, out of attempts, or a stored payload that is not a `claimed` message. */
  dropped: number;
  failed: number;
}

/** Text for the screen (a brand, a coupon title): trimmed, cut at a character with `…` past the bound. */
export function claimedText(name: string | null): string | undefined {
  const trimmed = name?.trim() ?? '';
  if (trimmed.length === 0) return undefined;
  if (trimmed.length <= CLAIMED_TEXT_MAX) return trimmed;
  let cut = '';
  for (const char of trimmed) {
    if (cut.length + char.length > CLAIMED_TEXT_MAX - 1) break;
    cut += char;
  }
  return `${cut}…`;
}

interface RecordedClaim {
  screen_id: unknown;
  ticket_seq: unknown;
  status: string;
  code: string | null;
  amount_fen: unknown;
  coupon_offer_id: unknown;
  coupon_title: string | null;
  brand: string | null;
}

/**
 * The outcome a notice carries, from the claim as recorded; none when the row says something the message
 * cannot say truly (a credited claim that paid neither cash nor a coupon, a refusal or hold without a
 * code), so the screen only turns its QR code over. A claim an operator already released was paid; one
 * refused was not.
 */
export function claimResultOf(claim: RecordedClaim | undefined): TicketClaimResult | undefined {
  if (claim === undefined) return undefined;
  let result: TicketClaimResult;
  if (claim.status === 'credited' || claim.status === 'released') {
    const brand = claimedText(claim.brand);
    const couponTitle = claim.coupon_offer_id === null ? undefined : claimedText(claim.coupon_title);
    result = {
      status: 'credited',
      amountFen: int(claim.amount_fen),
      ...(couponTitle === undefined ? {} : { couponTitle }),
      ...(brand === undefined ? {} : { brand }),
    };
  } else if (claim.status === 'held' && claim.code !== null) {
    result = { status: 'held', code: claim.code };
  } else if ((claim.status === 'rejected' || claim.status === 'refused') && claim.code !== null) {
    result = { status: 'rejected', code: claim.code };
  } else return undefined;
  const checked = TicketClaimResult.safeParse(result);
  return checked.success ? checked.data : undefined;
}

/** The recorded claims of these tickets, by `screenId:ticketSeq`, looked up by their claim key. */
async function claimsOfTickets(
  tx: Database,
  tickets: readonly { screenId: number; ticketSeq: number }[],
): Promise<Map<string, RecordedClaim>> {
  const found = new Map<string, RecordedClaim>();
  if (tickets.length === 0) return found;
  const keys = JSON.stringify(tickets.map((ticket) => ticketClaimKey(ticket.screenId, ticket.ticketSeq)));
  const rows = await queryRows<RecordedClaim>(
    tx,
    sql`select c.screen_id, c.ticket_seq, c.status, c.code, c.amount_fen, c.coupon_offer_id,
               o.title as coupon_title, coalesce(nullif(k.sponsor, ''), a.name) as brand
        from claims c left join campaigns k on k.id = c.campaign_id
        left join advertisers a on a.id = k.advertiser_id
        left join coupon_offers o on o.id = c.coupon_offer_id
        where c.claim_key in (select jsonb_array_elements_text(${keys}::jsonb))`,
  );
  for (const row of rows) {
    if (row.ticket_seq === null) continue;
    found.set(`${int(row.screen_id)}:${int(row.ticket_seq)}`, row);
  }
  return found;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const idList = (ids: readonly number[]) =>
  sql`(select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::bigint)`;

/** One pass over the outbox: take a leased batch, publish it outside any transaction, record what came of it. */
export async function dispatchClaimNotices(
  db: Database,
  publish: PublishClaimNotice,
  now: Date,
  limits: ClaimNoticeLimits = defaultClaimNoticeLimits,
): Promise<DispatchOutcome> {
  const nowMs = now.getTime();
  const rows = await db.transaction(async (tx) => {
    const taken = await queryRows<{
      id: unknown;
      screen_id: unknown;
      payload: unknown;
      created_at: Date | string;
      attempts: unknown;
    }>(
      tx,
      sql`select id, screen_id, payload, created_at, attempts from claim_notices
          where lease_until <= ${nowMs}
          order by id limit ${limits.batchSizeMax} for update skip locked`,
    );
    if (taken.length > 0)
      await tx.execute(
        sql`update claim_notices set lease_until = ${nowMs + limits.leaseMs}
            where id in ${idList(taken.map((row) => int(row.id)))}`,
      );
    return taken;
  });
  const done: number[] = [];
  let dropped = 0;
  const due: { id: number; screenId: number; notice: ClaimNotice }[] = [];
  for (const row of rows) {
    const ageS = (nowMs - new Date(row.created_at).getTime()) / 1000;
    const stored = TicketClaimed.safeParse(
      typeof row.payload === 'string' ? safeJson(row.payload) : row.payload,
    );
    if (!stored.success || ageS > limits.noticeAgeMaxS || int(row.attempts) >= limits.attemptsMax) {
      done.push(int(row.id));
      dropped += 1;
      continue;
    }
    due.push({ id: int(row.id), screenId: int(row.screen_id), notice: stored.data });
  }
  const recorded = await claimsOfTickets(
    db,
    due.map(({ screenId, notice }) => ({ screenId, ticketSeq: notice.ticketSeq })),
  );
  // Published together, each within its timeout: a broker away costs one timeout per pass, not one per notice.
  const sent = await Promise.allSettled(
    due.map(({ screenId, notice }) => {
      const result = claimResultOf(recorded.get(`${screenId}:${notice.ticketSeq}`));
      const message: ClaimNotice = {
        ticketSeq: notice.ticketSeq,
        claimedAt: notice.claimedAt,
        ...(result === undefined ? {} : { result }),
      };
      return withTimeout(publish(screenId, message), limits.publishTimeoutMs, 'publish');
    }),
  );
  const failed: number[] = [];
  sent.forEach((outcome, index) => {
    const id = due[index]?.id;
    if (id === undefined) return;
    if (outcome.status === 'fulfilled') done.push(id);
    else failed.push(id);
  });
  if (done.length > 0) await db.execute(sql`delete from claim_notices where id in ${idList(done)}`);
  if (failed.length > 0)
    await db.execute(
      sql`update claim_notices set attempts = attempts + 1, lease_until = 0 where id in ${idList(failed)}`,
    );
  return { taken: rows.length, published: done.length - dropped, dropped, failed: failed.length };
}

/** Poke after a claim commits; idle() resolves after a pass that found the outbox empty. */
export type ClaimNoticeDispatcher = Poller;

/** Runs passes every `intervalMs`, and at once after a poke; a full batch runs the next pass at once. */
export function startClaimNoticeDispatcher(deps: {
  db: Database;
  publish: PublishClaimNotice;
  logger: Logger;
  now: () => Date;
  limits?: ClaimNoticeLimits;
}): ClaimNoticeDispatcher {
  const limits = deps.limits ?? defaultClaimNoticeLimits;
  return startPoller({
    name: 'claim notice',
    intervalMs: limits.intervalMs,
    logger: deps.logger,
    pass: async () => {
      const outcome = await dispatchClaimNotices(deps.db, deps.publish, deps.now(), limits);
      if (outcome.dropped > 0) deps.logger.warn(outcome, 'claim notices dropped unpublished');
      if (outcome.failed > 0) deps.logger.warn(outcome, 'claim notice publishes failed; retrying');
      if (outcome.taken === 0) return 'idle';
      return outcome.taken >= limits.batchSizeMax && outcome.failed === 0 ? 'more' : 'waiting';
    },
  });
}
