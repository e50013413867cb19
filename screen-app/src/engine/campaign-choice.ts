// Which campaign a tap is for (docs/kiosk.md, "Which campaign a tap pays"). The challenge names one
// campaign and the phone signs it, so the choice is made at HELLO, before the envelope is drawn.
import { offersPath, type CampaignConfig } from '@redtap/shared';

export interface CampaignChoiceInput {
  /** Config order. */
  campaigns: readonly CampaignConfig[];
  /** The campaign of the playlist item on screen at the tap; null for default content. It pays the tap unless its `fallThrough` says otherwise. */
  showingCampaignId: number | null;
  /** Where to start the rotation when no configured campaign is showing (the engine passes counter - 1). */
  rotation: number;
  /** Campaigns with a usable deck at the tap. */
  withDeck: ReadonlySet<number>;
  /** True when this wallet has had all the cash the campaign allows it today on this screen. */
  capped: (campaign: CampaignConfig) => boolean;
  /**
   * True when the campaign would give this wallet its fallback coupon at the tap: the offer is live and
   * the wallet has not had all the coupons the campaign allows it today on this screen.
   */
  givesCoupon: (campaign: CampaignConfig) => boolean;
}

/**
 * Config order rotated to start at the showing campaign, or at `rotation` when no configured campaign
 * is showing, so taps during default content spread over the campaigns instead of all paying the first.
 */
export function campaignOrder(
  campaigns: readonly CampaignConfig[],
  showingCampaignId: number | null,
  rotation: number,
): CampaignConfig[] {
  const count = campaigns.length;
  if (count === 0) return [];
  const showing = campaigns.findIndex((campaign) => campaign.campaignId === showingCampaignId);
  const start = showing >= 0 ? showing : ((rotation % count) + count) % count;
  return [...campaigns.slice(start), ...campaigns.slice(0, start)];
}

/**
 * A tap pays the campaign whose creative is on screen: its cash, else its fallback coupon, else its
 * thank-you ("already grabbed" past its cash cap). Another campaign pays only when the campaign on screen
 * says `fallThrough: true` (the advertiser's explicit choice); then, and while default content (or a
 * campaign not in the config) is on screen, the tap goes down campaignOrder: the first campaign that can
 * pay this wallet cash (a usable deck and the local cap not reached), else the first that still gives this
 * wallet its fallback coupon, else the first in the order, whose thank-you the tap then gets.
 * A campaign whose claimPaths leave out `tap` pays no tap (`offersPath`): it is never in the order, and
 * while it is on screen without fall-through the tap gets no campaign (undefined), as with none at all.
 */
export function chooseCampaign(input: CampaignChoiceInput): CampaignConfig | undefined {
  const showing = input.campaigns.find((campaign) => campaign.campaignId === input.showingCampaignId);
  if (showing !== undefined && showing.fallThrough !== true)
    return offersPath(showing, 'tap') ? showing : undefined;
  const order = campaignOrder(input.campaigns, input.showingCampaignId, input.rotation).filter((campaign) =>
    offersPath(campaign, 'tap'),
  );
  return (
    order.find((campaign) => input.withDeck.has(campaign.campaignId) && !input.capped(campaign)) ??
    order.find((campaign) => input.givesCoupon(campaign)) ??
    order[0]
  );
}
