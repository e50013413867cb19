// The phone's own log of its taps, kept from the receipts kiosks hand it, and the day state it signs
// from that log for a kiosk's GET DAY STATE (docs/protocol.md §4.4). Bounded by count and age.
import {
  DAY_STATE_CAMPAIGNS_MAX,
  DAY_STATE_COUNT_MAX,
  DayStateFlag,
  decodeReceiptExtra,
  decodeTapToken,
  type DayStateRequest,
  type UnsignedDayState,
} from '@redtap/shared';

/** One tap as the phone knows it: the receipt's token, and the long receipt's advertiser and city. */
export interface PhoneTap {
  screenId: number;
  counter: number;
  ts: number;
  campaignId: number;
  /** 0 when the receipt came without the extra bytes (a kiosk from before the day state). */
  advertiserId: number;
  cityKey: number;
  amountFen: number;
  couponOfferId: number;
}

export const PHONE_TAPS_MAX = 256;
/** Long enough for any cap day (at most 25 h) and the last tap before it. */
export const PHONE_TAP_AGE_MAX_S = 48 * 3600;
/** The longest local day (a day that gains an hour to daylight saving). */
const DAY_LENGTH_MAX_S = 25 * 3600;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;

/** The tap a receipt records, or null when the bytes are no receipt. */
export function phoneTapOf(token: Uint8Array, extra: Uint8Array | null): PhoneTap | null {
  const decoded = decodeTapToken(token);
  if (!decoded.ok) return null;
  const decodedExtra = extra === null ? null : decodeReceiptExtra(extra);
  const { screenId, counter, ts, campaignId, amountFen, couponOfferId } = decoded.value;
  return {
    screenId,
    counter,
    ts,
    campaignId,
    advertiserId: decodedExtra?.ok === true ? decodedExtra.value.advertiserId : 0,
    cityKey: decodedExtra?.ok === true ? decodedExtra.value.cityKey : 0,
    amountFen,
    couponOfferId,
  };
}

export class PhoneTapLog {
  private readonly taps: PhoneTap[] = [];
  private readonly tapsMax: number;
  private readonly ageMaxS: number;

  constructor(options: { tapsMax?: number; ageMaxS?: number; taps?: readonly PhoneTap[] } = {}) {
    this.tapsMax = options.tapsMax ?? PHONE_TAPS_MAX;
    this.ageMaxS = options.ageMaxS ?? PHONE_TAP_AGE_MAX_S;
    for (const tap of options.taps ?? []) this.add(tap);
  }

  get size(): number {
    return this.taps.length;
  }

  entries(): readonly PhoneTap[] {
    return this.taps;
  }

  /** Records a tap once (by screen and counter), keeping the newest taps within the age bound. */
  add(tap: PhoneTap): void {
    if (tap.ts === 0) return;
    if (this.taps.some((known) => known.screenId === tap.screenId && known.counter === tap.counter)) return;
    const at = this.taps.findIndex((known) => known.ts > tap.ts);
    this.taps.splice(at === -1 ? this.taps.length : at, 0, { ...tap });
    const newestTs = this.taps.at(-1)?.ts ?? tap.ts;
    while (this.taps.length > this.tapsMax || (this.taps[0]?.ts ?? newestTs) < newestTs - this.ageMaxS)
      this.taps.shift();
  }

  /**
   * What this log says about the cap day starting at `request.dayStart`: the day's cash totals, the
   * screens that paid cash, per-campaign counts (cash, and coupons without cash, as the cloud counts
   * them) and the latest tap of all. The phone knows no time zone, so the day is read as the 25 h after
   * its start; a later tap would come from a kiosk whose clock runs ahead, and counting it is cautious.
   */
  dayState(walletId: number, request: DayStateRequest): UnsignedDayState {
    const dayEnd = request.dayStart + DAY_LENGTH_MAX_S;
    let cashCount = 0;
    let cashFen = 0;
    const cashScreens = new Set<number>();
    const campaigns = new Map<
      number,
      { advertiserId: number; cash: number; coupons: number; lastTs: number }
    >();
    for (const tap of this.taps) {
      if (tap.ts < request.dayStart || tap.ts >= dayEnd) continue;
      const hasCash = tap.amountFen > 0;
      const hasCouponOnly = !hasCash && tap.couponOfferId !== 0;
      if (!hasCash && !hasCouponOnly) continue;
      const campaign = campaigns.get(tap.campaignId) ?? { advertiserId: 0, cash: 0, coupons: 0, lastTs: 0 };
      if (tap.advertiserId !== 0) campaign.advertiserId = tap.advertiserId;
      campaign.lastTs = Math.max(campaign.lastTs, tap.ts);
      if (hasCash) {
        cashCount = Math.min(U16_MAX, cashCount + 1);
        cashFen = Math.min(U32_MAX, cashFen + tap.amountFen);
        cashScreens.add(tap.screenId);
        campaign.cash = Math.min(DAY_STATE_COUNT_MAX, campaign.cash + 1);
      } else {
        campaign.coupons = Math.min(DAY_STATE_COUNT_MAX, campaign.coupons + 1);
      }
      campaigns.set(tap.campaignId, campaign);
    }
    // Past 16 campaigns the most recently tapped ones are listed, and the flag says the list is partial.
    const listed = [...campaigns.entries()]
      .sort(([, a], [, b]) => b.lastTs - a.lastTs)
      .slice(0, DAY_STATE_CAMPAIGNS_MAX)
      .sort(([a], [b]) => a - b)
      .map(([campaignId, counts]) => ({
        campaignId,
        advertiserId: counts.advertiserId,
        cash: counts.cash,
        coupons: counts.coupons,
      }));
    let flags = 0;
    if (cashScreens.has(request.screenId)) flags |= DayStateFlag.thisScreenHasCash;
    if (campaigns.size > listed.length) flags |= DayStateFlag.campaignsTruncated;
    // The latest tap that paid cash, whatever its day: travel is judged against it (docs/protocol.md §4.4).
    let last: PhoneTap | undefined;
    for (const tap of this.taps) if (tap.amountFen > 0 && (last === undefined || tap.ts >= last.ts)) last = tap;
    return {
      walletId,
      dayStart: request.dayStart,
      cashCount,
      cashFen,
      screensWithCash: Math.min(DAY_STATE_COUNT_MAX, cashScreens.size),
      flags,
      lastTapTs: last?.ts ?? 0,
      lastCityKey: last?.cityKey ?? 0,
      campaigns: listed,
    };
  }
}
