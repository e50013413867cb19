// The console's money helpers: the shared formatter with a non-throwing fallback, and input-box text.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatFen as sharedFormat, parseYuan } from '@redtap/shared/money';
import { fenToYuanText, formatFen, moneyInputProblem } from '../src/lib/money.ts';

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

describe('money input problems', () => {
  it('says "positive" for a minus sign or zero where at least ¥0.01 is needed', () => {
    expect(moneyInputProblem('-5', { minFen: 1 })).toEqual({ key: 'amountPositive' });
    expect(moneyInputProblem('¥-5.00', { minFen: 1 })).toEqual({ key: 'amountPositive' });
    expect(moneyInputProblem('-¥5', { minFen: 1 })).toEqual({ key: 'amountPositive' });
    expect(moneyInputProblem('0', { minFen: 1 })).toEqual({ key: 'amountPositive' });
    expect(moneyInputProblem('-1')).toEqual({ key: 'amountNotNegative' });
    expect(moneyInputProblem('0')).toBeNull();
  });

  it('names the maximum for huge amounts instead of asking for the format', () => {
    expect(moneyInputProblem('99999999999999999')).toEqual({ key: 'amountAtMost', max: '¥42,949,672.95' });
    expect(moneyInputProblem('42949673')).toEqual({ key: 'amountAtMost', max: '¥42,949,672.95' });
    expect(moneyInputProblem('1,000.01', { maxFen: 100_000 })).toEqual({
      key: 'amountAtMost',
      max: '¥1,000.00',
    });
    expect(moneyInputProblem('1,000', { maxFen: 100_000 })).toBeNull();
  });

  it('asks for the format only when the text is not an amount', () => {
    expect(moneyInputProblem('12.345')).toEqual({ key: 'amountInvalid' });
    expect(moneyInputProblem('abc')).toEqual({ key: 'amountInvalid' });
    expect(moneyInputProblem('  ')).toBeNull();
    expect(moneyInputProblem('5', { minFen: 1_000 })).toEqual({ key: 'amountAtLeast', min: '¥10.00' });
  });
});
