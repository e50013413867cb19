// The till's refusal codes: the coupon subset of the shared ErrorCode table.
import { ErrorCode } from '@redtap/shared';

export const CouponErrorCode = {
  /** Wrong length, characters or check character: caught before any lookup. */
  COUPON_CODE_INVALID: ErrorCode.COUPON_CODE_INVALID,
  /** Well-formed, but no coupon has this code. */
  COUPON_UNKNOWN: ErrorCode.COUPON_UNKNOWN,
  /** Another brand's coupon, or an offer this store does not take. */
  COUPON_NOT_ACCEPTED_HERE: ErrorCode.COUPON_NOT_ACCEPTED_HERE,
  COUPON_EXPIRED: ErrorCode.COUPON_EXPIRED,
  COUPON_ALREADY_REDEEMED: ErrorCode.COUPON_ALREADY_REDEEMED,
} as const;
export type CouponErrorCode = (typeof CouponErrorCode)[keyof typeof CouponErrorCode];
