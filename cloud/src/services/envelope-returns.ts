// The one rule for an envelope that comes back from a screen unpaid: a deck that expired or was
// closed early, a tap rejected after its envelope left escrow, a hold an operator refused. Its cash is
// already back in the campaign's budget account (the caller's ledger move); the envelope goes back
// into the campaign's pool while the campaign can still issue decks, so pool cash keeps equal to the
// budget. Once the campaign has ended nothing is pooled and the budget is refunded to the advertiser.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { int, queryRows } from '../db/rows.ts';
import { refundBudget } from './campaigns.ts';

export interface CampaignReturn {
  campaignId: number;
  /** `[amountFen, couponOfferId]` of each envelope returned; may be empty (an ended campaign is still refunded). */
  envelopes: readonly (readonly [number, number])[];
}

export async function returnEnvelopes(tx: Database, returns: readonly CampaignReturn[]): Promise<void> {
  if (returns.length === 0) return;
  const campaignIds = [...new Set(returns.map((entry) => entry.campaignId))];
  const rows = await queryRows<{ id: unknown; status: string }>(
    tx,
    sql`select id, status from campaigns
        where id in (select jsonb_array_elements_text(${JSON.stringify(campaignIds)}::jsonb)::bigint)`,
  );
  const ended = new Set(rows.filter((row) => row.status === 'ended').map((row) => int(row.id)));
  const pooled = returns
    .filter((entry) => !ended.has(entry.campaignId))
    .flatMap((entry) => entry.envelopes.map(([a, c]) => ({ campaign_id: entry.campaignId, a, c })));
  if (pooled.length > 0) {
    await tx.execute(
      sql`insert into campaign_envelopes (campaign_id, amount_fen, coupon_offer_id)
          select campaign_id, a, c
          from jsonb_to_recordset(${JSON.stringify(pooled)}::jsonb) as t(campaign_id bigint, a bigint, c int)`,
    );
  }
  for (const campaignId of ended) await refundBudget(tx, campaignId);
}

/**
 * Takes the coupon off pool envelopes (`campaign_envelopes.position`): a coupon-only envelope leaves
 * the pool, a cash one stays with its cash and no coupon. The one way coupon stock leaves the pool
 * outside a deck's envelopes: a deck's fallback allotment, or a deck-less fallback coupon of an older
 * kiosk, so deck coupons, allotted slots and pool stock together never exceed an offer's stock.
 */
export async function takePoolCoupons(tx: Database, positions: readonly number[]): Promise<void> {
  if (positions.length === 0) return;
  const list = JSON.stringify(positions);
  await tx.execute(
    sql`delete from campaign_envelopes where amount_fen = 0
          and position in (select jsonb_array_elements_text(${list}::jsonb)::bigint)`,
  );
  await tx.execute(
    sql`update campaign_envelopes set coupon_offer_id = 0
        where position in (select jsonb_array_elements_text(${list}::jsonb)::bigint)`,
  );
}
