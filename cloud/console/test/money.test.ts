// The console's money helpers: the shared formatter with a non-throwing fallback, and input-box text.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatFen as sharedFormat, parseYuan } from '@redtap/shared/money';
import { fenToYuanText, formatFen } from '../src/lib/money.ts';

describe('console money', () => {
  it('formats every integer like the shared formatFen', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (fen) => formatFen(fen) === sharedFormat(fen)),
    );
  });

  it('shows a dash for a malformed amount instead of throwing inside a render', () => {
    expect(formatFen(1.5)).toBe('—');
    expect(formatFen(Number.NaN)).toBe('—');
  });

  it('writes input-box text that parses back to the same fen', () => {
    expect(fenToYuanText(123_450)).toBe('1234.50');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (fen) => {
        expect(parseYuan(fenToYuanText(fen))).toEqual({ ok: true, value: fen });
      }),
    );
  });
});
