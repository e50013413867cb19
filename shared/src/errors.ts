// Stable error and reject codes shared by every component. Codes are part of the public contract:
// add new ones, never rename or reuse one.

export const ErrorCode = {
  // Decoding of untrusted bytes (docs/protocol.md §2).
  TRUNCATED: 'TRUNCATED',
  BAD_LENGTH: 'BAD_LENGTH',
  BAD_VERSION: 'BAD_VERSION',
  U64_OUT_OF_RANGE: 'U64_OUT_OF_RANGE',
  RESERVED_FLAGS: 'RESERVED_FLAGS',
  TOKEN_INCONSISTENT: 'TOKEN_INCONSISTENT',
  DECK_EMPTY: 'DECK_EMPTY',
  BATCH_EMPTY: 'BATCH_EMPTY',
  BATCH_TOO_LARGE: 'BATCH_TOO_LARGE',
  BAD_PUBLIC_KEY: 'BAD_PUBLIC_KEY',
  // A claim URL (docs/protocol.md §3.8) that is not `…/claim?t=` with one ticket in base64url.
  TICKET_URL_INVALID: 'TICKET_URL_INVALID',

  // APDU exchange (docs/protocol.md §4).
  APDU_MALFORMED: 'APDU_MALFORMED',
  APDU_NOT_REDTAP: 'APDU_NOT_REDTAP',
  APDU_REFUSED: 'APDU_REFUSED',
  APDU_STATUS: 'APDU_STATUS',
  APDU_TIMEOUT: 'APDU_TIMEOUT',
  CARD_REMOVED: 'CARD_REMOVED',
  READER_ERROR: 'READER_ERROR',

  // Redemption, in the order the rules are applied (docs/protocol.md §7).
  SCREEN_UNKNOWN: 'SCREEN_UNKNOWN',
  SCREEN_REVOKED: 'SCREEN_REVOKED',
  SCREEN_SIGNATURE_INVALID: 'SCREEN_SIGNATURE_INVALID',
  SCREEN_MISMATCH: 'SCREEN_MISMATCH',
  CREDENTIAL_ISSUER_UNKNOWN: 'CREDENTIAL_ISSUER_UNKNOWN',
  CREDENTIAL_SIGNATURE_INVALID: 'CREDENTIAL_SIGNATURE_INVALID',
  CREDENTIAL_EXPIRED: 'CREDENTIAL_EXPIRED',
  CREDENTIAL_REVOKED: 'CREDENTIAL_REVOKED',
  CREDENTIAL_MISMATCH: 'CREDENTIAL_MISMATCH',
  PHONE_SIGNATURE_INVALID: 'PHONE_SIGNATURE_INVALID',
  DECK_UNKNOWN: 'DECK_UNKNOWN',
  DECK_WRONG_SCREEN: 'DECK_WRONG_SCREEN',
  DECK_EXPIRED: 'DECK_EXPIRED',
  ENVELOPE_OUT_OF_RANGE: 'ENVELOPE_OUT_OF_RANGE',
  ENVELOPE_MISMATCH: 'ENVELOPE_MISMATCH',
  ENVELOPE_REUSED: 'ENVELOPE_REUSED',
  CLOCK_SKEW: 'CLOCK_SKEW',
  CAP_WALLET_DAILY_COUNT: 'CAP_WALLET_DAILY_COUNT',
  CAP_WALLET_DAILY_AMOUNT: 'CAP_WALLET_DAILY_AMOUNT',
  CAP_CAMPAIGN_WALLET: 'CAP_CAMPAIGN_WALLET',
  CAP_ADVERTISER_WALLET: 'CAP_ADVERTISER_WALLET',
  FRAUD_IMPOSSIBLE_TRAVEL: 'FRAUD_IMPOSSIBLE_TRAVEL',
  FRAUD_TAP_RATE: 'FRAUD_TAP_RATE',
  FRAUD_COUNTER_GAP: 'FRAUD_COUNTER_GAP',
  FRAUD_COUNTER_ROLLBACK: 'FRAUD_COUNTER_ROLLBACK',
  FRAUD_ENVELOPE_ORDER: 'FRAUD_ENVELOPE_ORDER',
  FRAUD_TOO_MANY_SCREENS: 'FRAUD_TOO_MANY_SCREENS',
  HELD_FOR_REVIEW: 'HELD_FOR_REVIEW',
  // A signed token whose field does not fit the database column it is recorded in (e.g. a couponOfferId
  // above 2^31 - 1): rejected alone, so it cannot fail the transaction of the other tokens with it.
  TOKEN_FIELD_OUT_OF_RANGE: 'TOKEN_FIELD_OUT_OF_RANGE',
  // A coupon on a tap without an envelope that no deck grants: only the campaign's fallback offer, while
  // the campaign runs and targets the screen, may be issued that way.
  COUPON_NOT_GRANTED: 'COUPON_NOT_GRANTED',
  // The fallback offer's stock in the campaign's pool is used up.
  COUPON_OUT_OF_STOCK: 'COUPON_OUT_OF_STOCK',
  // Coupon stock beyond what the campaign's envelope pool may hold.
  COUPON_STOCK_TOO_LARGE: 'COUPON_STOCK_TOO_LARGE',
  // A tap without an envelope has no deck to date it; it is bounded by what it claims (§7 step 6):
  // dated before its campaign started, before its wallet credential was issued, or older than the
  // network's decklessTapAgeMaxS when it reaches the cloud.
  TAP_BEFORE_CAMPAIGN: 'TAP_BEFORE_CAMPAIGN',
  TAP_BEFORE_CREDENTIAL: 'TAP_BEFORE_CREDENTIAL',
  TAP_TOO_OLD: 'TAP_TOO_OLD',
  // A deck's fallback-coupon allotment slot that does not hold the campaign's fallback coupon alone.
  FALLBACK_NOT_ALLOTTED: 'FALLBACK_NOT_ALLOTTED',

  // Kiosk.
  NO_DECK: 'NO_DECK',
  LOCAL_CAP: 'LOCAL_CAP',
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',

  // HTTP and accounts.
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  // A screen group that a campaign not yet ended targets cannot be deleted: the campaign would lose it.
  SCREEN_GROUP_IN_USE: 'SCREEN_GROUP_IN_USE',
  // A group a bulk action or an import would fill past its bound (SCREEN_GROUP_SIZE_MAX screens).
  SCREEN_GROUP_FULL: 'SCREEN_GROUP_FULL',
  // A campaign whose activation would give a screen more running campaigns than its config carries
  // (SCREEN_CAMPAIGNS_MAX): refused rather than left out of some screens' configs.
  SCREEN_CAMPAIGNS_FULL: 'SCREEN_CAMPAIGNS_FULL',
  // A screen CSV import with rows refused: nothing was imported; the dry run lists the rows.
  SCREEN_IMPORT_INVALID: 'SCREEN_IMPORT_INVALID',
  // A screen CSV import whose header lacks a required column, repeats one or names an unknown one.
  SCREEN_IMPORT_COLUMNS_INVALID: 'SCREEN_IMPORT_COLUMNS_INVALID',
  // A screen CSV import that is not UTF-8 (Excel's plain CSV in a Chinese locale is GBK): save as CSV UTF-8.
  SCREEN_IMPORT_NOT_UTF8: 'SCREEN_IMPORT_NOT_UTF8',
  // A screen CSV import over its bound of rows or bytes: split the file.
  SCREEN_IMPORT_TOO_LARGE: 'SCREEN_IMPORT_TOO_LARGE',
  // A bulk action whose filter no longer selects the count the operator confirmed.
  SCREEN_SELECTION_CHANGED: 'SCREEN_SELECTION_CHANGED',
  // A report with more rows than one answer holds: asked again for fewer days, one campaign or a
  // coarser grouping, rather than answered with its first rows only.
  REPORT_TOO_LARGE: 'REPORT_TOO_LARGE',
  RATE_LIMITED: 'RATE_LIMITED',
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  INTERNAL: 'INTERNAL',
  ENROLMENT_CODE_INVALID: 'ENROLMENT_CODE_INVALID',
  ENROLMENT_CODE_EXPIRED: 'ENROLMENT_CODE_EXPIRED',
  ENROLMENT_CODE_USED: 'ENROLMENT_CODE_USED',
  ENROLMENT_SIGNATURE_INVALID: 'ENROLMENT_SIGNATURE_INVALID',
  LOGIN_CHALLENGE_INVALID: 'LOGIN_CHALLENGE_INVALID',
  WALLET_REVOKED: 'WALLET_REVOKED',
  // Wallet passkeys (WebAuthn, docs/threat-model.md). The challenge is unknown, used, expired or for
  // another ceremony or wallet.
  PASSKEY_CHALLENGE_INVALID: 'PASSKEY_CHALLENGE_INVALID',
  // The response does not verify: origin, RP id, user presence or verification, or signature.
  PASSKEY_INVALID: 'PASSKEY_INVALID',
  // The credential's key is not ES256 (ECDSA P-256 with SHA-256), the only algorithm accepted.
  PASSKEY_ALGORITHM_UNSUPPORTED: 'PASSKEY_ALGORITHM_UNSUPPORTED',
  // The authenticator's signature counter did not rise: a cloned authenticator, or a replayed assertion.
  PASSKEY_COUNTER_REGRESSED: 'PASSKEY_COUNTER_REGRESSED',
  // No wallet has this passkey (never registered here, or registered on another deployment).
  PASSKEY_UNKNOWN: 'PASSKEY_UNKNOWN',
  // The passkey is registered already (to this wallet or another).
  PASSKEY_EXISTS: 'PASSKEY_EXISTS',
  SESSION_REVOKED: 'SESSION_REVOKED',
  INSUFFICIENT_FUNDS: 'INSUFFICIENT_FUNDS',
  TRANSFER_CONFLICT: 'TRANSFER_CONFLICT',
  WITHDRAWAL_TOO_SMALL: 'WITHDRAWAL_TOO_SMALL',
  WITHDRAWAL_DAILY_LIMIT: 'WITHDRAWAL_DAILY_LIMIT',
  MONEY_INVALID: 'MONEY_INVALID',

  // Payouts: the account a wallet is paid to, and the provider's result file (docs/operations.md).
  ALIPAY_ACCOUNT_INVALID: 'ALIPAY_ACCOUNT_INVALID',
  BANK_CARD_INVALID: 'BANK_CARD_INVALID',
  BANK_NAME_INVALID: 'BANK_NAME_INVALID',
  HOLDER_NAME_INVALID: 'HOLDER_NAME_INVALID',
  PAYOUT_ACCOUNT_MISSING: 'PAYOUT_ACCOUNT_MISSING',
  // A result file that is not the agreed CSV (header, columns, values); the message names the line.
  PAYOUT_FILE_INVALID: 'PAYOUT_FILE_INVALID',
  // A result row for a withdrawal that is not in the batch being imported.
  PAYOUT_RESULT_UNKNOWN: 'PAYOUT_RESULT_UNKNOWN',
  // A result that contradicts the one already recorded (paid, then failed, or another reference).
  PAYOUT_RESULT_CONFLICT: 'PAYOUT_RESULT_CONFLICT',

  // Coupons at the till.
  COUPON_CODE_INVALID: 'COUPON_CODE_INVALID',
  COUPON_UNKNOWN: 'COUPON_UNKNOWN',
  COUPON_NOT_ACCEPTED_HERE: 'COUPON_NOT_ACCEPTED_HERE',
  COUPON_ALREADY_REDEEMED: 'COUPON_ALREADY_REDEEMED',
  COUPON_EXPIRED: 'COUPON_EXPIRED',
  // A coupon offer whose validUntil is already past (or before the campaign starts): every coupon
  // it handed out would be expired at once.
  COUPON_OFFER_EXPIRED: 'COUPON_OFFER_EXPIRED',

  // NTAG 424 DNA SUN sticker reads and the tag registry (docs/protocol.md §9).
  // The read's parameters are not hex of the right lengths (or name no batch).
  SUN_MALFORMED: 'SUN_MALFORMED',
  // The PICC data does not decrypt to a UID and counter, or the SDMMAC does not verify.
  SUN_MAC_INVALID: 'SUN_MAC_INVALID',
  // No imported tag has this UID in the batch the read names (or no such batch).
  SUN_UNKNOWN_TAG: 'SUN_UNKNOWN_TAG',
  // The tag is authentic but bound to no screen.
  SUN_TAG_UNBOUND: 'SUN_TAG_UNBOUND',
  // The read's counter is not above the tag's last accepted one: a copied or replayed URL.
  SUN_COUNTER_REPLAYED: 'SUN_COUNTER_REPLAYED',
  // A tag import row whose UID is not 7 bytes of hex.
  TAG_UID_INVALID: 'TAG_UID_INVALID',
  // A tag import row whose UID repeats an earlier row or a tag already registered.
  TAG_UID_DUPLICATE: 'TAG_UID_DUPLICATE',
  // Online claims of a screen's claim ticket or a sticker read (docs/protocol.md §7a), in claim order.
  // The ticket's screen signature does not verify (or the screen has no key).
  TICKET_FORGED: 'TICKET_FORGED',
  // The ticket is older than the claim window, counted on the screen's clock as its heartbeats report it.
  TICKET_EXPIRED: 'TICKET_EXPIRED',
  // The ticket is dated ahead of the cloud's clock by more than the screen's reported skew allows.
  TICKET_FROM_FUTURE: 'TICKET_FROM_FUTURE',
  // Another wallet claimed this ticket (or this sticker read) first.
  TICKET_ALREADY_CLAIMED: 'TICKET_ALREADY_CLAIMED',
  // The screen's claims in the last minute reached its bound.
  CLAIM_RATE_LIMITED: 'CLAIM_RATE_LIMITED',
  // The campaign does not offer prizes on this claim path (its rules.claimPaths).
  CLAIM_PATH_NOT_OFFERED: 'CLAIM_PATH_NOT_OFFERED',
  // No campaign on the screen can pay: none named, none targeting it, or its pool has no cash left.
  CAMPAIGN_EXHAUSTED: 'CAMPAIGN_EXHAUSTED',
  // Multi-account signals (cloud account-signals.ts): held for an operator's review, never refused.
  // The claim's browser (its device cookie) has signed in or claimed for too many wallets.
  HOLD_DEVICE_WALLETS: 'HOLD_DEVICE_WALLETS',
  // Too many wallets claimed from the claim's network address within the window.
  HOLD_ADDRESS_WALLETS: 'HOLD_ADDRESS_WALLETS',
  // The withdrawal's payout account is linked to too many wallets.
  HOLD_PAYOUT_ACCOUNT_SHARED: 'HOLD_PAYOUT_ACCOUNT_SHARED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const errorCodes: readonly ErrorCode[] = Object.values(ErrorCode);

/** The result of decoding untrusted input: decoders return it and never throw. */
export type Result<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail(code: ErrorCode, message: string): { ok: false; code: ErrorCode; message: string } {
  return { ok: false, code, message };
}

/** Programmer errors: crash loudly. Expected failures use Result instead. */
export function assert(condition: unknown, message = 'assertion failed'): asserts condition {
  if (!condition) throw new AssertionError(message);
}

export class AssertionError extends Error {
  override name = 'AssertionError';
}
