// Kiosk-only result codes, alongside the shared ErrorCode set. They never travel in a token or an ack;
// they explain to the driver, the UI and the logs why a tap or an intake was refused.
import type { ErrorCode } from '@redtap/shared';

export const KioskCode = {
  /** No identity in the store: the screen has not been enrolled. */
  NOT_ENROLLED: 'NOT_ENROLLED',
  /** Enrolled, but no ScreenConfig has arrived yet. */
  NOT_CONFIGURED: 'NOT_CONFIGURED',
  /** The config lists no campaign, so there is nothing to sign a challenge for. */
  NO_ACTIVE_CAMPAIGN: 'NO_ACTIVE_CAMPAIGN',
  /** Another exchange held the screen's counter for longer than this one could wait. */
  SCREEN_BUSY: 'SCREEN_BUSY',
  /** The session is not the one holding the counter (expired, abandoned or already completed). */
  SESSION_STALE: 'SESSION_STALE',
  /** The committed counter moved since the challenge was issued; the phone must be challenged again. */
  COUNTER_OVERTAKEN: 'COUNTER_OVERTAKEN',
  DECK_ISSUER_UNKNOWN: 'DECK_ISSUER_UNKNOWN',
  DECK_SIGNATURE_INVALID: 'DECK_SIGNATURE_INVALID',
  /** A deck id arrived again with different bytes. */
  DECK_CONFLICT: 'DECK_CONFLICT',
  ALREADY_ENROLLED: 'ALREADY_ENROLLED',
  ENROLMENT_UNREACHABLE: 'ENROLMENT_UNREACHABLE',
  ENROLMENT_REPLY_INVALID: 'ENROLMENT_REPLY_INVALID',
  /** The screen key file is readable by others than its owner, or does not match the identity. */
  KEY_FILE_INSECURE: 'KEY_FILE_INSECURE',
  KEY_MISMATCH: 'KEY_MISMATCH',
  /** A message on the `claimed` topic that is too large, not JSON or not a claimed message (§5.7). */
  CLAIMED_MESSAGE_INVALID: 'CLAIMED_MESSAGE_INVALID',
  /**
   * A revocation page (docs/protocol.md §5.8) that is not JSON, fails its schema, covers another range
   * than asked, makes no progress, or whose signature does not verify under a trusted issuer key.
   */
  REVOCATION_PAGE_INVALID: 'REVOCATION_PAGE_INVALID',
  /** The revocation page could not be fetched: the cloud unreachable, a timeout or an HTTP error. */
  REVOCATION_FETCH_FAILED: 'REVOCATION_FETCH_FAILED',
  /**
   * The broker refused the screen's login and the cloud's status (docs/protocol.md §5.9) could not be
   * read: unreachable, a timeout, an HTTP error other than 401, or a reply that fails its schema.
   */
  SCREEN_STATUS_UNKNOWN: 'SCREEN_STATUS_UNKNOWN',
} as const;
export type KioskCode = (typeof KioskCode)[keyof typeof KioskCode];

export type KioskResultCode = ErrorCode | KioskCode;

export interface Refusal<C extends string = KioskResultCode> {
  ok: false;
  code: C;
  message: string;
}

export function refuse<C extends string>(code: C, message: string): Refusal<C> {
  return { ok: false, code, message };
}
