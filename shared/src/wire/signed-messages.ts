// Small signed messages outside the tap path (docs/protocol.md §3.7): kiosk enrolment and wallet login.
import { ByteWriter } from '../bytes.ts';
import { PUBLIC_KEY_LENGTH } from '../crypto.ts';

export const ENROLMENT_CODE_LENGTH = 8;
/** Crockford-style alphabet: no I, L, O or U, so codes survive being read aloud or typed. */
export const ENROLMENT_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const LOGIN_NONCE_LENGTH = 32;

export function isEnrolmentCode(code: string): boolean {
  if (code.length !== ENROLMENT_CODE_LENGTH) return false;
  for (const char of code) if (!ENROLMENT_CODE_ALPHABET.includes(char)) return false;
  return true;
}

/** Signed with label `enroll`: ASCII code (8 B) ‖ kiosk public key (65 B). */
export function enrolmentMessage(code: string, publicKeyRaw: Uint8Array): Uint8Array {
  return new ByteWriter(ENROLMENT_CODE_LENGTH + PUBLIC_KEY_LENGTH)
    .raw(new TextEncoder().encode(code), ENROLMENT_CODE_LENGTH)
    .raw(publicKeyRaw, PUBLIC_KEY_LENGTH)
    .finish();
}

/** Signed with label `login`: u64 walletId ‖ server nonce (32 B). */
export function loginMessage(walletId: number, nonce: Uint8Array): Uint8Array {
  return new ByteWriter(8 + LOGIN_NONCE_LENGTH).u64(walletId).raw(nonce, LOGIN_NONCE_LENGTH).finish();
}
