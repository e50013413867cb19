// What the judge reads about one tap: plain data a tier loads before judging (the cloud from its
// database, the kiosk from its store and the phone's day state). `null` means "not known here": a
// step that needs it is `unknown`, and a verdict that rests on one is not certain.
import type { ClaimPath } from '../campaign-body.ts';
import type { ErrorCode } from '../errors.ts';

/** The tap as signed by the screen, with where and when it is judged. */
export interface TapFacts {
  screenId: number;
  counter: number;
  ts: number;
  campaignId: number;
  walletId: number;
  deckId: number;
  /** ENVELOPE_INDEX_NONE for a tap without an envelope. */
  envelopeIndex: number;
  amountFen: number;
  /** 0 = none. */
  couponOfferId: number;
  /** Unix seconds the tap is judged at: the cloud's receive time, the kiosk's clock at the tap. */
  receivedAt: number;
  /** `cityKey` of the screen's city. */
  cityKey: number;
  /** The first of §7 steps 1–4 that failed (signatures, credential), judged before the judge; else null. */
  priorCode: ErrorCode | null;
}

/**
 * The wallet's totals for the tap's cap day (`capDay(tap.ts, rules)`), over the taps that count:
 * credited, held or released. A cash tap counts as cash; a tap with a coupon and no cash as a coupon.
 */
export interface WalletDay {
  /**
   * False when the counts are only a lower bound (a kiosk's own counts without the phone's day state):
   * a cap they already reach refuses for certain, one they do not reach is unknown.
   */
  complete: boolean;
  cashCount: number;
  cashFen: number;
  cashByCampaign: Map<number, number>;
  couponsByCampaign: Map<number, number>;
  /**
   * The cloud's: when each counted coupon tap was made, per campaign. With it a fallback coupon is
   * capped by the coupon taps made before it (by tap time), so the order in which taps reach the cloud
   * does not change a verdict the kiosk gave in tap order from the phone's day state. Counted taps
   * beyond the listed times are taken as earlier. Absent (the kiosk): every counted tap is earlier.
   */
  couponTimesByCampaign?: Map<number, number[]>;
  /**
   * The cloud's: fallback coupons issued, per campaign. Whatever the tap times, a day never holds more
   * than the campaign's coupon cap of them, so taps sent in reverse time order cannot pass the cap.
   */
  fallbacksByCampaign?: Map<number, number>;
  cashByAdvertiser: Map<number, number>;
  /** Screens known by id to have paid the wallet cash that day. */
  cashScreens: Set<number>;
  /** Further screens that paid cash that day, not known by id (a day state carries only their count). */
  cashScreensUnlisted: number;
}

/**
 * The wallet's latest tap that paid cash (credited or held). Only cash can be a fraud's gain, and a tap
 * whose cash a screen withheld for travel must not make the tap that caused it look impossible when it
 * reaches the cloud later: an offline screen's tap often arrives after the next screen's.
 */
export interface LastTap {
  ts: number;
  cityKey: number;
  screenId: number;
}

/** Where the wallet last had cash; `lastTap` null = it has no such tap known. */
export interface WalletTravel {
  lastTap: LastTap | null;
}

export interface OfferFacts {
  /** No coupon of the offer is issued for a tap at or after this. */
  validUntil: number;
}

export interface CampaignFacts {
  campaignId: number;
  advertiserId: number;
  status: string;
  startsAt: number;
  endsAt: number;
  cashPerWalletPerDay: number;
  couponsPerWalletPerDay: number;
  /** 0 = none. */
  fallbackCouponOfferId: number;
  offers: Map<number, OfferFacts>;
  /**
   * Where the campaign's prizes may be won (its rules' claimPaths); absent = every path. A tap token of
   * a campaign that does not offer `tap` is refused (pathStep). A claim's one-envelope judgement leaves it
   * out: the claim order checks the claim's own path first (docs/protocol.md §7a).
   */
  claimPaths?: readonly ClaimPath[] | undefined;
}

export interface DeckFacts {
  deckId: number;
  campaignId: number;
  screenId: number;
  validFrom: number;
  validUntil: number;
  envelopeCount: number;
  /** Envelopes [envelopeCount − fallbackCount, envelopeCount) are the fallback-coupon allotment. */
  fallbackCount: number;
  /** `[amountFen, couponOfferId]` of envelope `index`, or undefined out of range. */
  envelope(index: number): readonly [number, number] | undefined;
  /** Consumed before this snapshot was taken. */
  used(index: number): boolean;
  /** Consumed since (applyVerdict adds to it). */
  usedNow: Set<number>;
  /** 'open' or 'settled'. */
  status: string;
  /** From a signed close report: envelopes at or above it are never redeemable. */
  closedUsedCount: number | null;
  /** The highest counter that consumed one of the deck's cash envelopes, and its index (order rule). */
  lastCounter: number;
  lastEnvelopeIndex: number;
}

/** Per screen: the highest counter seen and a sliding window for the tap-rate rule. */
export interface ScreenTapState {
  counterMax: number;
  tsAtCounterMax: number;
  /** 0 = no window opened yet. */
  windowCounter: number;
  windowTs: number;
}

/** Stock of a campaign's fallback offer left in its pool (deck-less coupon taps of older kiosks). */
export interface FallbackPool {
  available: number;
}

export interface TapKnowledge {
  walletDay: WalletDay | null;
  travel: WalletTravel | null;
  /** The tap's campaign (the deck's, when it names an envelope); null = no such campaign. */
  campaign: CampaignFacts | null;
  /** The deck the tap names; null with an envelope index = no such deck. */
  deck: DeckFacts | null;
  /** Whether the campaign's targeting covers the tap's screen (read for deck-less coupons only). */
  targetsScreen: boolean | null;
  /** Read for deck-less coupons only. */
  fallbackPool: FallbackPool | null;
  /** When the tap's wallet credential was issued (read for deck-less taps only). */
  credentialIssuedAt: number | null;
  screen: ScreenTapState | null;
}

/** A WalletDay with nothing counted yet. */
export function emptyWalletDay(complete = true): WalletDay {
  return {
    complete,
    cashCount: 0,
    cashFen: 0,
    cashByCampaign: new Map(),
    couponsByCampaign: new Map(),
    cashByAdvertiser: new Map(),
    cashScreens: new Set(),
    cashScreensUnlisted: 0,
  };
}

/** Deck facts over an in-memory envelope list, e.g. a decoded deck or a loaded row. */
export function deckFactsOf(input: {
  deckId: number;
  campaignId: number;
  screenId: number;
  validFrom: number;
  validUntil: number;
  envelopes: readonly (readonly [number, number])[];
  fallbackCount: number;
  used: (index: number) => boolean;
  status: string;
  closedUsedCount: number | null;
  lastCounter: number;
  lastEnvelopeIndex: number;
}): DeckFacts {
  const { envelopes, ...rest } = input;
  return {
    ...rest,
    envelopeCount: envelopes.length,
    envelope: (index) => envelopes[index],
    usedNow: new Set(),
  };
}
