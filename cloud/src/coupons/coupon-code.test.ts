import { describe, expect, it } from 'vitest';
import {
  COUPON_ALPHABET,
  couponCheckCharacter,
  displayCouponCode,
  formatCouponCode,
  newCouponBody,
  parseCouponCode,
} from './coupon-code.ts';

describe('coupon codes', () => {
  it('draws 16 alphabet characters and formats them grouped with a check character', () => {
    const body = newCouponBody();
    expect(body).toMatch(/^[0-9A-HJKMNP-TV-Z]{16}$/);
    const shown = formatCouponCode(body);
    expect(shown).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$/);
    expect(parseCouponCode(shown)).toEqual({ ok: true, body });
    expect(displayCouponCode(body)).toBe(shown);
  });

  it('computes Luhn mod 32 over a known body', () => {
    // All zeros sum to zero, so the check character is the zero digit itself.
    expect(couponCheckCharacter('0000000000000000')).toBe('0');
    // "0000000000000001": the rightmost character is doubled: 2 → check (32 - 2) = 'Y' (index 30).
    expect(couponCheckCharacter('0000000000000001')).toBe(COUPON_ALPHABET.charAt(30));
  });

  it('accepts lower case, spaces and Crockford look-alikes', () => {
    const body = 'AB01CDEFGHJK1M0P';
    const shown = formatCouponCode(body);
    const sloppy = shown.toLowerCase().replaceAll('-', ' ').replace('0', 'o').replace('1', 'l');
    expect(parseCouponCode(sloppy)).toEqual({ ok: true, body });
  });

  it('catches every single-character substitution and adjacent swap of distinct characters', () => {
    for (let round = 0; round < 30; round++) {
      const body = newCouponBody();
      const full = body + couponCheckCharacter(body);
      for (let i = 0; i < full.length; i++) {
        for (const replacement of COUPON_ALPHABET) {
          if (replacement === full.charAt(i)) continue;
          const typo = full.slice(0, i) + replacement + full.slice(i + 1);
          expect(parseCouponCode(typo).ok, typo).toBe(false);
        }
      }
      let swapsCaught = 0;
      let swaps = 0;
      for (let i = 0; i + 1 < full.length; i++) {
        if (full.charAt(i) === full.charAt(i + 1)) continue;
        swaps += 1;
        const swapped = full.slice(0, i) + full.charAt(i + 1) + full.charAt(i) + full.slice(i + 2);
        if (!parseCouponCode(swapped).ok) swapsCaught += 1;
      }
      // Luhn mod N misses only the swap of `0` and `Z` (values 0 and N − 1).
      expect(swapsCaught).toBeGreaterThanOrEqual(swaps - 2);
    }
  });

  it('refuses wrong lengths, foreign characters and oversized input without throwing', () => {
    for (const input of ['', 'ABC', 'U'.repeat(17), '!'.repeat(17), 'A'.repeat(10_000), '\u0000'.repeat(17)])
      expect(parseCouponCode(input)).toEqual({ ok: false, code: 'COUPON_CODE_INVALID' });
  });
});
