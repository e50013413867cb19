// The shared CSV writer: formula injection (OWASP) neutralised, quoting, numbers and empty cells.
import { describe, expect, it } from 'vitest';
import { csvCell, csvPercent, csvText, csvYuan } from '../src/services/csv.ts';

describe('CSV writer', () => {
  it('prefixes and quotes every cell a spreadsheet would run as a formula', () => {
    for (const cell of ['=1+1', '+1', '-1+1', '@SUM(A1)', '\t=1', '\r=1', '=HYPERLINK("http://x")'])
      expect(csvCell(cell), JSON.stringify(cell)).toBe(`"'${cell.replaceAll('"', '""')}"`);
  });

  it('quotes separators, quotes and line breaks and leaves plain text and numbers alone', () => {
    expect(csvCell('Lift A')).toBe('Lift A');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(null)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
  });

  it('writes a UTF-8 byte order mark (for Excel), a header and rows, newline-terminated, and percentages', () => {
    expect(csvText(['day (Asia/Shanghai)', 'n'], [['2026-06-15', 3]])).toBe(
      '\uFEFFday (Asia/Shanghai),n\n2026-06-15,3\n',
    );
    expect(csvYuan(123_456)).toBe('1234.56');
    expect(csvYuan(5)).toBe('0.05');
    expect(csvYuan(-150)).toBe('-1.50');
    expect(csvPercent(0.125)).toBe('12.5%');
    expect(csvPercent(1 / 3)).toBe('33.3%');
    expect(csvPercent(null)).toBe('');
  });
});
