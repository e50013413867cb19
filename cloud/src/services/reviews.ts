// Taps held by a fraud rule (HELD_FOR_REVIEW) and online claims held by a multi-account signal
// (account-signals.ts): their cash waits in the review-hold account until an operator releases it to the
// wallet (with the coupon, if any) or refuses it back to the campaign budget. Claims draw their ids from
// the redemptions' sequence, so one queue and one id serve both.
import { sql } from 'drizzle-orm';
import { ErrorCode } from '@redtap/shared';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import { holdDecisions } from '../db/schema/money-actions.ts';
import { DomainError } from '../errors.ts';
import { systemLedgerAccount } from '../ledger/accounts.ts';
import { allocateTransferIds, postTransfers } from '../ledger/post-transfers.ts';
import { newCouponBody } from '../coupons/coupon-code.ts';
import { reviewHeldClaim } from './claims.ts';
import { returnRefusedCash } from './held-cash.ts';

export interface HeldTap {
  id: number;
  /** A kiosk tap, or an online claim (`counter` is then its ticket sequence or sticker read counter). */
  kind: 'tap' | 'claim';
  screenId: number;
  counter: number;
  walletId: number;
  campaignId: number;
  amountFen: number;
  reason: string | null;
  tapTs: number;
}

export async function listHeldTaps(db: Database, page: { limit: number; after: number }): Promise<HeldTap[]> {
  const rows = await queryRows<{
    id: unknown;
    screen_id: unknown;
    counter: unknown;
    wallet_id: unknown;
    campaign_id: unknown;
    amount_fen: unknown;
    code: string | null;
    tap_ts: unknown;
    kind: 'tap' | 'claim';
  }>(
    db,
    sql`select * from (
          (select id, screen_id, counter, wallet_id, campaign_id, amount_fen, code, tap_ts, 'tap' as kind
           from redemptions where status = 'held' and id > ${page.after} order by id limit ${page.limit})
          union all
          (select id, screen_id, coalesce(ticket_seq, sun_counter, 0), wallet_id, campaign_id, amount_fen, code,
                  tap_ts, 'claim' as kind
           from claims where status = 'held' and id > ${page.after} order by id limit ${page.limit})
        ) held order by id limit ${page.limit}`,
  );
  return rows.map((row) => ({
    id: int(row.id),
    kind: row.kind,
    screenId: int(row.screen_id),
    counter: int(row.counter),
    walletId: int(row.wallet_id),
    campaignId: int(row.campaign_id),
    amountFen: int(row.amount_fen),
    reason: row.code,
    tapTs: int(row.tap_ts),
  }));
}

export async function reviewHeldTap(
  db: Database,
  input: { redemptionId: number; decision: 'release' | 'refuse'; now: Date; decidedBy?: number | null },
): Promise<{ id: number; status: 'released' | 'refused'; amountFen: number }> {
  return db.transaction(async (tx) => {
    const [row] = await queryRows<{
      status: string;
      amount_fen: unknown;
      wallet_account: unknown;
      budget_account: unknown;
      wallet_id: unknown;
      coupon_offer_id: unknown;
      campaign_id: unknown;
      screen_id: unknown;
      counter: unknown;
      tap_day: string;
      tap_ts: unknown;
      wallet_revoked: boolean | null;
    }>(
      tx,
      sql`select r.status, r.amount_fen, w.ledger_account_id as wallet_account, c.budget_account_id as budget_account,
                 w.revoked_at is not null as wallet_revoked,
                 r.wallet_id, r.coupon_offer_id, r.campaign_id, r.screen_id, r.counter, r.tap_day::text as tap_day, r.tap_ts
          from redemptions r join campaigns c on c.id = r.campaign_id
          left join wallets w on w.id = r.wallet_id
          where r.id = ${input.redemptionId} for update of r`,
    );
    if (row === undefined) {
      const claim = await reviewHeldClaim(tx, {
        claimId: input.redemptionId,
        decision: input.decision,
        now: input.now,
        decidedBy: input.decidedBy ?? null,
      });
      if (claim === null) throw new DomainError(ErrorCode.NOT_FOUND, 'held tap not found');
      return claim;
    }
    if (row.status !== 'held')
      throw new DomainError(ErrorCode.CONFLICT, `the tap is ${row.status}, not held`);
    const amountFen = int(row.amount_fen);
    const release = input.decision === 'release';
    // A revoked wallet is a cloned or stolen phone: nothing moves money to it any more (wallets.ts).
    if (release && row.wallet_revoked === true)
      throw new DomainError(ErrorCode.WALLET_REVOKED, 'the wallet was revoked; refuse the hold instead');
    if (amountFen > 0) {
      const hold = await systemLedgerAccount(tx, 'review_hold');
      const [transferId] = await allocateTransferIds(tx, 1);
      const credit = release ? row.wallet_account : row.budget_account;
      if (credit === null) throw new DomainError(ErrorCode.CONFLICT, 'the wallet no longer exists');
      const [result] = await postTransfers(tx, [
        {
          id: transferId ?? 0,
          debitAccountId: hold,
          creditAccountId: int(credit),
          amountFen,
          code: release ? 'release_hold' : 'refuse_hold',
          reference: `redemption:${input.redemptionId}`,
        },
      ]);
      if (result?.status !== 'posted') throw new Error(`hold transfer refused: ${JSON.stringify(result)}`);
    }
    if (!release && amountFen > 0)
      await returnRefusedCash(tx, {
        campaignId: int(row.campaign_id),
        walletId: int(row.wallet_id),
        screenId: int(row.screen_id),
        tapDay: row.tap_day,
        amountFen,
      });
    if (release && row.coupon_offer_id !== null) {
      const [offer] = await queryRows<{ valid_until: unknown; validity_days: unknown }>(
        tx,
        sql`select valid_until, validity_days from coupon_offers where id = ${int(row.coupon_offer_id)}`,
      );
      if (offer !== undefined) {
        await tx.execute(
          sql`insert into coupons (code, wallet_id, coupon_offer_id, campaign_id, screen_id, counter, tap_day, issued_at, valid_until)
              values (${newCouponBody()}, ${int(row.wallet_id)}, ${int(row.coupon_offer_id)}, ${int(row.campaign_id)},
                ${int(row.screen_id)}, ${int(row.counter)}, ${row.tap_day}::date, ${input.now.toISOString()}::timestamptz,
                ${Math.min(int(offer.valid_until), int(row.tap_ts) + int(offer.validity_days) * 86_400)})`,
        );
      }
    }
    const status = release ? 'released' : 'refused';
    await tx.execute(
      sql`update redemptions set status = ${status}, reviewed_at = ${input.now.toISOString()}::timestamptz,
            amount_fen = ${release ? amountFen : 0}
          where id = ${input.redemptionId}`,
    );
    // The history keeps the amount decided (a refused tap's own amount is zeroed above).
    await tx.insert(holdDecisions).values({
      redemptionId: input.redemptionId,
      decision: input.decision,
      amountFen,
      decidedBy: input.decidedBy ?? null,
      decidedAt: input.now,
    });
    return { id: input.redemptionId, status, amountFen };
  });
}

export interface HoldDecision {
  redemptionId: number;
  decision: 'release' | 'refuse';
  amountFen: number;
  decidedBy: number | null;
  decidedByEmail: string | null;
  decidedAt: string;
  walletId: number;
  campaignId: number;
  reason: string | null;
}

/** Where a page of decisions continues: the last one shown, by decision time and then tap. */
export interface HoldDecisionCursor {
  decidedAtMs: number;
  redemptionId: number;
}

/** The decisions, newest first, with who made them; `before` continues after a page's last one. */
export async function listHoldDecisions(
  db: Database,
  limit: number,
  before: HoldDecisionCursor | null = null,
): Promise<HoldDecision[]> {
  const rows = await queryRows<{
    redemption_id: unknown;
    decision: 'release' | 'refuse';
    amount_fen: unknown;
    decided_by: unknown;
    email: string | null;
    decided_at: Date | string;
    wallet_id: unknown;
    campaign_id: unknown;
    code: string | null;
  }>(
    db,
    sql`select d.redemption_id, d.decision, d.amount_fen, d.decided_by, u.email, d.decided_at,
               coalesce(r.wallet_id, k.wallet_id) as wallet_id, coalesce(r.campaign_id, k.campaign_id) as campaign_id,
               coalesce(r.code, k.code) as code
        from hold_decisions d left join redemptions r on r.id = d.redemption_id
        left join claims k on k.id = d.redemption_id
        left join users u on u.id = d.decided_by
        ${
          before === null
            ? sql``
            : sql`where (d.decided_at, d.redemption_id)
                  < (${new Date(before.decidedAtMs).toISOString()}::timestamptz, ${before.redemptionId})`
        }
        order by d.decided_at desc, d.redemption_id desc limit ${limit}`,
  );
  return rows.map((row) => ({
    redemptionId: int(row.redemption_id),
    decision: row.decision,
    amountFen: int(row.amount_fen),
    decidedBy: row.decided_by === null ? null : int(row.decided_by),
    decidedByEmail: row.email,
    decidedAt: new Date(row.decided_at).toISOString(),
    walletId: int(row.wallet_id),
    campaignId: int(row.campaign_id),
    reason: row.code,
  }));
}
