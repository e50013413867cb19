// Held cash an operator refused, alike for a kiosk tap (reviews.ts) and an online claim (claims.ts): it
// goes back like a returned envelope and stops counting against the wallet's day caps.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { returnEnvelopes } from './envelope-returns.ts';

export interface RefusedCash {
  campaignId: number;
  walletId: number;
  screenId: number;
  /** The cap day the tap or claim counted on (`YYYY-MM-DD`). */
  tapDay: string;
  amountFen: number;
}

/**
 * Refused cash, already moved back to the campaign's budget: a returned envelope, back into the pool with
 * the budget or to the advertiser once the campaign ended (envelope-returns.ts). It no longer counts
 * against the wallet's day caps (wallet_day_totals counts credited, held and released taps and claims).
 */
export async function returnRefusedCash(tx: Database, refused: RefusedCash): Promise<void> {
  await returnEnvelopes(tx, [{ campaignId: refused.campaignId, envelopes: [[refused.amountFen, 0]] }]);
  await tx.execute(
    sql`update wallet_day_totals set cash_count = cash_count - 1, cash_fen = cash_fen - ${refused.amountFen}
        where wallet_id = ${refused.walletId} and tap_day = ${refused.tapDay}::date
          and campaign_id = ${refused.campaignId}`,
  );
  await tx.execute(
    sql`update wallet_day_screens set cash_count = cash_count - 1
        where wallet_id = ${refused.walletId} and tap_day = ${refused.tapDay}::date
          and screen_id = ${refused.screenId}`,
  );
}
