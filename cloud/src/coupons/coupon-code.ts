// Coupon codes: 80 random bits as 16 Crockford base32 characters (no I, L, O, U), plus one Luhn mod 32
// check character so a mistyped code is refused at the till before any lookup. Shown grouped
// (`7K3M-9QXD-A2BC-E4FG-K`); stored as the 16-character body, since the check character adds nothing.
import { randomBytes } from 'node:crypto';

export const COUPON_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const COUPON_BODY_LENGTH = 16;
/** Longest input a till may send; anything longer is refused before it is normalised. */
export const COUPON_INPUT_LENGTH_MAX = 64;
const RADIX = COUPON_ALPHABET.length;
const BODY_PATTERN = new RegExp(`^[${COUPON_ALPHABET}]{${COUPON_BODY_LENGTH}}$`);

/** A new code body: 16 characters from 80 bits of the OS CSPRNG. */
export function newCouponBody(): string {
  const bytes = randomBytes(10);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += COUPON_ALPHABET.charAt((value >>> (bits - 5)) & 31);
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

/** Luhn mod N (N = 32) over the alphabet: catches every single-character error and most swaps. */
export function couponCheckCharacter(body: string): string {
  let factor = 2;
  let sum = 0;
  for (let i = body.length - 1; i >= 0; i--) {
    const addend = factor * COUPON_ALPHABET.indexOf(body.charAt(i));
    factor = factor === 2 ? 1 : 2;
    sum += Math.floor(addend / RADIX) + (addend % RADIX);
  }
  return COUPON_ALPHABET.charAt((RADIX - (sum % RADIX)) % RADIX);
}

/** The code as people see it (wallet, QR, till): grouped body then the check character. */
export function formatCouponCode(body: string): string {
  const groups = body.match(/.{1,4}/g) ?? [];
  return [...groups, couponCheckCharacter(body)].join('-');
}

export type ParsedCouponCode = { ok: true; body: string } | { ok: false; code: 'COUPON_CODE_INVALID' };

/**
 * What a cashier typed or a camera read, to the stored body. Accepts lower case, spaces and dashes, and
 * Crockford's look-alikes (O → 0, I and L → 1). Never throws.
 */
export function parseCouponCode(input: string): ParsedCouponCode {
  if (input.length > COUPON_INPUT_LENGTH_MAX) return { ok: false, code: 'COUPON_CODE_INVALID' };
  const compact = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (compact.length !== COUPON_BODY_LENGTH + 1) return { ok: false, code: 'COUPON_CODE_INVALID' };
  const body = compact.slice(0, COUPON_BODY_LENGTH);
  if (!BODY_PATTERN.test(body) || couponCheckCharacter(body) !== compact.charAt(COUPON_BODY_LENGTH))
    return { ok: false, code: 'COUPON_CODE_INVALID' };
  return { ok: true, body };
}

/** A stored body in display form; anything that is not a body (never expected) is shown as is. */
export function displayCouponCode(stored: string): string {
  return BODY_PATTERN.test(stored) ? formatCouponCode(stored) : stored;
}
