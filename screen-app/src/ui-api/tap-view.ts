// Kiosk side: turns what the tap engine and the reader reported into the one TapView the commuter
// sees. Pure and browser-safe (codes are matched as strings; a test pins them to their sources).
import type { TapCertainty, TapView } from './channels.ts';

/** The fields of the engine's TapPrize the screen needs (TapPrize satisfies it structurally). */
export interface TapPrizeLike {
  counter: number;
  campaignId: number;
  amountFen: number;
  couponOfferId: number;
  localCap: boolean;
  noDeck: boolean;
  /**
   * Whether the kiosk is sure the cloud pays what it awarded (TapCertainty). Absent from engines that
   * do not judge it yet: 'firm', as the screen has always spoken.
   */
  certainty?: TapCertainty;
}

/** Title of a coupon offer from the screen config, or null when unknown. */
export type CouponTitleOf = (campaignId: number, couponOfferId: number) => string | null;

/** Not a RedTap wallet, or a wallet credential this screen will never accept. */
const NOT_SUPPORTED_CODES: ReadonlySet<string> = new Set([
  'APDU_NOT_REDTAP',
  'CARD_NOT_ISO_DEP',
  'BAD_VERSION',
  'BAD_PUBLIC_KEY',
  'CREDENTIAL_ISSUER_UNKNOWN',
  'CREDENTIAL_SIGNATURE_INVALID',
  'CREDENTIAL_EXPIRED',
  'CREDENTIAL_REVOKED',
]);

/** The screen cannot take taps at all right now; retrying the phone will not help. */
const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  'NOT_ENROLLED',
  'NOT_CONFIGURED',
  'NO_ACTIVE_CAMPAIGN',
  // The campaign on screen is claimed by its QR code (or sticker), not by a tap of the app.
  'CLAIM_PATH_NOT_OFFERED',
  'STORE_UNAVAILABLE',
  'PCSC_UNAVAILABLE',
  'SCREEN_REVOKED',
]);

export const TAP_VIEW_CODES = { notSupported: NOT_SUPPORTED_CODES, unavailable: UNAVAILABLE_CODES } as const;

/** A committed tap. Only called after the engine returned a prize, i.e. after the durable commit. */
export function prizeView(tapId: number, prize: TapPrizeLike, couponTitleOf: CouponTitleOf): TapView {
  const couponTitle = prize.couponOfferId === 0 ? null : couponTitleOf(prize.campaignId, prize.couponOfferId);
  const certainty = prize.certainty ?? 'firm';
  // Without cash, only a coupon is promised: a thank-you promises nothing that could be unsure.
  const unsureCoupon = couponTitle !== null && certainty === 'confirming' ? { certainty } : {};
  if (prize.localCap)
    return { state: 'already-grabbed', tapId, counter: prize.counter, couponTitle, ...unsureCoupon };
  if (prize.noDeck || (prize.amountFen === 0 && prize.couponOfferId === 0))
    return { state: 'thank-you', tapId, counter: prize.counter, couponTitle, ...unsureCoupon };
  return {
    state: 'prize',
    tapId,
    counter: prize.counter,
    amountFen: prize.amountFen,
    couponTitle,
    certainty,
  };
}

/** A tap that recorded nothing, by its reason code (ErrorCode, KioskCode or TapReaderCode). */
export function refusalView(tapId: number, code: string): TapView {
  const reason = code.slice(0, 64);
  if (NOT_SUPPORTED_CODES.has(code)) return { state: 'not-supported', tapId, reason };
  if (UNAVAILABLE_CODES.has(code)) return { state: 'unavailable', tapId, reason };
  return { state: 'try-again', tapId, reason };
}

/** The end of an exchange as the reader reports it (a subset of tap-reader's ExchangeResult). */
export interface ExchangeOutcomeLike {
  outcome: 'completed' | 'undelivered' | 'aborted' | 'refused' | 'ignored';
  code: string | null;
  committed: boolean;
}

/**
 * One exchange → one view. A committed tap shows its prize even when the receipt did not reach the
 * phone: it is paid through the kiosk's own path. A foreign card is `not-supported`.
 */
export function exchangeView(
  tapId: number,
  result: ExchangeOutcomeLike,
  prize: TapPrizeLike | null,
  couponTitleOf: CouponTitleOf,
): TapView {
  if (result.committed && prize !== null) return prizeView(tapId, prize, couponTitleOf);
  if (result.outcome === 'ignored')
    return { state: 'not-supported', tapId, reason: result.code ?? 'IGNORED' };
  return refusalView(tapId, result.code ?? 'UNKNOWN');
}
