// A funded, active campaign created with the cloud's own services, for the benchmarks that seed their
// world straight into a cloud's database (no HTTP round trips, no per-request rate limits).
import { createCampaign, fundCampaign, transitionCampaign, type Database } from '@redtap/cloud';

type CampaignInput = Parameters<typeof createCampaign>[2];

export async function createActiveCampaign(
  db: Database,
  input: Omit<CampaignInput, 'dayparts' | 'couponOffers' | 'creatives' | 'rules'> & {
    /** Cash packets and coupons per wallet per day. */
    perWalletPerDay: number;
    /** The ledger transfer id of the funding, unique in the run. */
    transferId: number;
    /** When the operator approves and activates it. */
    now: Date;
  },
): Promise<number> {
  const { perWalletPerDay, transferId, now, ...campaignInput } = input;
  const campaign = await createCampaign(
    db,
    { kind: 'all' },
    {
      ...campaignInput,
      dayparts: [],
      couponOffers: [],
      rules: {
        cashPerWalletPerDay: perWalletPerDay,
        couponsPerWalletPerDay: perWalletPerDay,
        fallbackCouponOfferIndex: null,
        // The benchmarks measure the tap path and size their decks to the whole pool: a campaign that
        // offered online claims would keep its claim reserve out of the decks.
        claimPaths: ['tap'],
      },
      creatives: [],
    },
    // Created as its run starts: the benchmarks date their taps, and so their campaigns, in the past.
    campaignInput.startsAt,
  );
  await fundCampaign(
    db,
    { kind: 'all' },
    { campaignId: campaign.id, amountFen: input.budgetFen, transferId },
  );
  for (const transition of ['submit', 'approve', 'activate'] as const)
    await transitionCampaign(
      db,
      { kind: 'all' },
      { campaignId: campaign.id, transition, role: 'operator', now },
    );
  return campaign.id;
}
