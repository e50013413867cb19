// The cloud's final result of each tap, read from its database once everything settled: the redemption
// row of (screenId, counter) and the coupon issued for it, if any. The simulator reads through the
// embedded cloud's handle (PGlite or PostgreSQL), the chaos checks through their own pg client.
import { sql } from 'drizzle-orm';
import type { Database } from '@redtap/cloud';
import type { CloudResult } from './fidelity.ts';

export const tapKey = (screenId: number, counter: number): string => `${screenId}:${counter}`;

/** The query for these screens' taps; the ids are inlined as checked integers (one statement, any driver). */
export function cloudResultsSql(screenIds: readonly number[]): string {
  for (const id of screenIds) if (!Number.isSafeInteger(id)) throw new Error(`not a screen id: ${id}`);
  return `select r.screen_id::text as "screenId", r.counter::text as counter, r.status, r.code,
            r.amount_fen::text as "amountFen", r.campaign_id::text as "campaignId",
            c.coupon_offer_id::text as "couponOfferId", c.campaign_id::text as "couponCampaignId"
       from redemptions r
       left join coupons c on c.screen_id = r.screen_id and c.counter = r.counter
      where r.screen_id in (${screenIds.length === 0 ? 'null' : screenIds.join(', ')})`;
}

/** Integers come back as text from either driver. */
export interface CloudResultRow {
  screenId: string;
  counter: string;
  status: string;
  code: string | null;
  amountFen: string;
  campaignId: string;
  couponOfferId: string | null;
  couponCampaignId: string | null;
}

/** By tapKey(screenId, counter). */
export function cloudResultsOf(rows: readonly CloudResultRow[]): Map<string, CloudResult> {
  const results = new Map<string, CloudResult>();
  for (const row of rows)
    results.set(tapKey(Number(row.screenId), Number(row.counter)), {
      status: row.status,
      code: row.code,
      amountFen: Number(row.amountFen),
      campaignId: Number(row.campaignId),
      coupon:
        row.couponOfferId === null
          ? null
          : { couponOfferId: Number(row.couponOfferId), campaignId: Number(row.couponCampaignId) },
    });
  return results;
}

export async function readCloudResults(
  db: Database,
  screenIds: readonly number[],
): Promise<Map<string, CloudResult>> {
  const result: unknown = await db.execute(sql.raw(cloudResultsSql(screenIds)));
  return cloudResultsOf((result as { rows: CloudResultRow[] }).rows);
}
