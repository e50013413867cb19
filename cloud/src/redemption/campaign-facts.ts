// What the judge knows of a campaign, read from its row and rules in one place for both loaders: a tap's
// snapshot (snapshot.ts) and an online claim's candidates (services/claims.ts).
import type { CampaignFacts } from '@redtap/shared';
import { int } from '../db/rows.ts';
import type { CampaignRules } from '../db/schema/campaigns.ts';

/** The columns of a `campaigns` row the judge's facts are read from. */
export interface CampaignFactsRow {
  id: unknown;
  advertiser_id: unknown;
  status: string;
  starts_at: unknown;
  ends_at: unknown;
}

/**
 * The judge's facts of a campaign, with no offers yet (a tap's loader adds them; a claim pays cash only,
 * so its judge reads none). A tap's facts carry the rules' claimPaths: a campaign whose claimPaths leave
 * out tap pays no tap token (the judge's pathStep). A claim's leave them out: the claim order checks the
 * claim's own path first (docs/protocol.md §7a).
 */
export function campaignFactsOf(
  row: CampaignFactsRow,
  rules: CampaignRules,
  judged: 'tap' | 'claim',
): CampaignFacts {
  return {
    campaignId: int(row.id),
    advertiserId: int(row.advertiser_id),
    status: row.status,
    startsAt: int(row.starts_at),
    endsAt: int(row.ends_at),
    cashPerWalletPerDay: rules.cashPerWalletPerDay,
    couponsPerWalletPerDay: rules.couponsPerWalletPerDay,
    fallbackCouponOfferId: rules.fallbackCouponOfferId,
    offers: new Map(),
    ...(judged === 'tap' && rules.claimPaths !== undefined ? { claimPaths: rules.claimPaths } : {}),
  };
}
