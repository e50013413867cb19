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

/** These screens' online claims as the cloud recorded them (one row per ticket or sticker read). */
export async function readClaimRows(
  db: Database,
  screenIds: readonly number[],
): Promise<{ claimKey: string; walletId: number; status: string; amountFen: number }[]> {
  for (const id of screenIds) if (!Number.isSafeInteger(id)) throw new Error(`not a screen id: ${id}`);
  const result: unknown = await db.execute(
    sql.raw(`select claim_key as "claimKey", wallet_id::text as "walletId", status,
                    amount_fen::text as "amountFen"
               from claims where screen_id in (${screenIds.length === 0 ? 'null' : screenIds.join(', ')})`),
  );
  return (
    result as { rows: { claimKey: string; walletId: string; status: string; amountFen: string }[] }
  ).rows.map((row) => ({
    claimKey: row.claimKey,
    walletId: Number(row.walletId),
    status: row.status,
    amountFen: Number(row.amountFen),
  }));
}

/**
 * What each campaign paid against the budget it was funded with: cash of its taps (credited, released or
 * held for review, which may still be paid) and of its credited claims.
 */
export async function readCampaignSpend(
  db: Database,
  campaignIds: readonly number[],
): Promise<{ campaignId: number; budgetFen: number; tapsFen: number; claimsFen: number }[]> {
  for (const id of campaignIds) if (!Number.isSafeInteger(id)) throw new Error(`not a campaign id: ${id}`);
  const result: unknown = await db.execute(
    sql.raw(`select c.id::text as "campaignId", c.budget_fen::text as "budgetFen",
                    coalesce((select sum(r.amount_fen) from redemptions r where r.campaign_id = c.id
                                and r.status in ('credited', 'released', 'held')), 0)::text as "tapsFen",
                    coalesce((select sum(k.amount_fen) from claims k where k.campaign_id = c.id
                                and k.status = 'credited'), 0)::text as "claimsFen"
               from campaigns c where c.id in (${campaignIds.length === 0 ? 'null' : campaignIds.join(', ')})`),
  );
  return (
    result as { rows: { campaignId: string; budgetFen: string; tapsFen: string; claimsFen: string }[] }
  ).rows.map((row) => ({
    campaignId: Number(row.campaignId),
    budgetFen: Number(row.budgetFen),
    tapsFen: Number(row.tapsFen),
    claimsFen: Number(row.claimsFen),
  }));
}
