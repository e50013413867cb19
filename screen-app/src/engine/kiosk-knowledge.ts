// What the kiosk knows about a tap, in the shape of the shared judge's knowledge (@redtap/shared
// rules): the phone's signed day state when it sent one, merged with the screen's own counts, the
// campaigns of the config and the screen's own tap stream. The cloud judges the same tap with full
// knowledge; whatever the kiosk lacks makes its verdict uncertain, never different.
import {
  DayStateFlag,
  emptyWalletDay,
  type CampaignConfig,
  type CampaignFacts,
  type DayState,
  type ScreenTapState,
  type WalletDay,
  type WalletTravel,
} from '@redtap/shared';

/** What this screen gave one wallet of one campaign on the cap day (local_caps). */
export interface LocalCampaignCounts {
  campaignId: number;
  cash: number;
  coupons: number;
}

const TIME_MAX = 0xffffffff;

/**
 * The wallet's day as the kiosk knows it. Every count is the larger of the phone's and the screen's
 * own, so it is a lower bound of the cloud's. It is complete only with a day state that lists every
 * campaign, names each campaign's advertiser, and already holds every tap this screen gave the wallet
 * (a receipt the phone never got leaves it short).
 */
export function walletDayOf(input: {
  dayState: DayState | null;
  local: readonly LocalCampaignCounts[];
  screenId: number;
  /** The advertiser of a campaign of the config; undefined when the config does not say. */
  advertiserOf: (campaignId: number) => number | undefined;
}): WalletDay {
  const { dayState, local } = input;
  let complete = dayState !== null && (dayState.flags & DayStateFlag.campaignsTruncated) === 0;
  const day = emptyWalletDay(false);
  const advertisers = new Map<number, number>();
  const phoneCash = new Map<number, number>();
  for (const entry of dayState?.campaigns ?? []) {
    day.cashByCampaign.set(entry.campaignId, entry.cash);
    day.couponsByCampaign.set(entry.campaignId, entry.coupons);
    phoneCash.set(entry.campaignId, entry.cash);
    advertisers.set(entry.campaignId, entry.advertiserId);
  }
  for (const entry of local) {
    const cash = day.cashByCampaign.get(entry.campaignId) ?? 0;
    const coupons = day.couponsByCampaign.get(entry.campaignId) ?? 0;
    if (entry.cash > cash || entry.coupons > coupons) complete = false;
    day.cashByCampaign.set(entry.campaignId, Math.max(cash, entry.cash));
    day.couponsByCampaign.set(entry.campaignId, Math.max(coupons, entry.coupons));
    if (!advertisers.has(entry.campaignId)) {
      const advertiserId = input.advertiserOf(entry.campaignId);
      if (advertiserId === undefined) complete = false;
      else advertisers.set(entry.campaignId, advertiserId);
    }
  }
  let cashListed = 0;
  for (const [campaignId, cash] of day.cashByCampaign) {
    cashListed += cash;
    const advertiserId = advertisers.get(campaignId);
    if (advertiserId !== undefined)
      day.cashByAdvertiser.set(advertiserId, (day.cashByAdvertiser.get(advertiserId) ?? 0) + cash);
  }
  day.cashCount = Math.max(dayState?.cashCount ?? 0, cashListed);
  day.cashFen = dayState?.cashFen ?? 0;
  const localCash = local.some((entry) => entry.cash > 0);
  const phoneHere = dayState !== null && (dayState.flags & DayStateFlag.thisScreenHasCash) !== 0;
  if (phoneHere || localCash) day.cashScreens.add(input.screenId);
  day.cashScreensUnlisted = Math.max(0, (dayState?.screensWithCash ?? 0) - (phoneHere ? 1 : 0));
  day.complete = complete;
  return day;
}

/** Where the wallet last tapped, from its day state; null (unknown) without one. */
export function travelOf(dayState: DayState | null): WalletTravel | null {
  if (dayState === null) return null;
  if (dayState.lastTapTs === 0) return { lastTap: null };
  // The day state names the city of the last tap, not its screen; screen 0 is no screen.
  return { lastTap: { ts: dayState.lastTapTs, cityKey: dayState.lastCityKey, screenId: 0 } };
}

/**
 * A campaign of the config as the judge reads it. The config carries only running campaigns, so it is
 * active here; its schedule is the cloud's to judge (a deck's validity already bounds it).
 */
export function campaignFactsOf(campaign: CampaignConfig): CampaignFacts {
  return {
    campaignId: campaign.campaignId,
    advertiserId: campaign.advertiserId ?? 0,
    status: 'active',
    startsAt: 0,
    endsAt: TIME_MAX,
    cashPerWalletPerDay: campaign.cashPerWalletPerDay,
    // A config from before the coupon cap sets none on the kiosk.
    couponsPerWalletPerDay: campaign.couponsPerWalletPerDay ?? Number.MAX_SAFE_INTEGER,
    fallbackCouponOfferId: campaign.fallbackCouponOfferId,
    offers: new Map(
      campaign.couponOffers.map((offer) => [
        offer.couponOfferId,
        { validUntil: offer.validUntil ?? TIME_MAX },
      ]),
    ),
    // Absent in configs from before it: every path.
    ...(campaign.claimPaths === undefined ? {} : { claimPaths: campaign.claimPaths }),
  };
}

/**
 * The screen's own tap stream as the cloud's fraud state sees it when every counter arrives: the
 * highest counter, and the rate window, which opens at counter 1 and moves every `window` counters.
 * `tsOf` reads a committed tap's time; a tap pruned from the store is hours old, so its window cannot
 * be too fast and counts as time 0.
 */
export function screenTapStateOf(
  lastCommitted: number,
  window: number,
  tsOf: (counter: number) => number | null,
): ScreenTapState {
  if (lastCommitted === 0) return { counterMax: 0, tsAtCounterMax: 0, windowCounter: 0, windowTs: 0 };
  const windowCounter = 1 + window * Math.floor((lastCommitted - 1) / window);
  return {
    counterMax: lastCommitted,
    tsAtCounterMax: tsOf(lastCommitted) ?? 0,
    windowCounter,
    windowTs: tsOf(windowCounter) ?? 0,
  };
}
