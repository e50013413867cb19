// Console money formatting and parsing agree with the shared implementation.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatFen as sharedFormat, parseYuan as sharedParse } from '@redtap/shared';
import { fenToYuanText, formatFen, parseYuan } from '../src/lib/money.ts';

describe('console money', () => {
  it('formats like the shared formatFen', () => {
    expect(formatFen(123_456)).toBe('¥1,234.56');
    expect(formatFen(-150)).toBe('-¥1.50');
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (fen) => formatFen(fen) === sharedFormat(fen)),
    );
  });

  it('parses yuan text into fen by string arithmetic', () => {
    expect(parseYuan('0.1')).toEqual({ ok: true, fen: 10 });
    expect(parseYuan('¥1,234.5')).toEqual({ ok: true, fen: 123_450 });
    expect(parseYuan('0.07')).toEqual({ ok: true, fen: 7 });
    expect(parseYuan('1.005').ok).toBe(false);
    expect(parseYuan('-1').ok).toBe(false);
    expect(parseYuan('42949672.96').ok).toBe(false);
    expect(fenToYuanText(123_450)).toBe('1234.50');
  });

  it('agrees with the shared parser on every amount it formats', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (fen) => {
        const text = formatFen(fen);
        const mine = parseYuan(text);
        const shared = sharedParse(text);
        return mine.ok && shared.ok && mine.fen === fen && shared.value === fen;
      }),
    );
  });
});
