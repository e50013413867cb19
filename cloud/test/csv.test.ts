// The shared CSV writer: formula injection (OWASP) neutralised, quoting, numbers and empty cells.
import { describe, expect, it } from 'vitest';
import { csvCell, csvPercent, csvText } from '../src/services/csv.ts';

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

  it('writes a header and rows, newline-terminated, and percentages', () => {
    expect(csvText(['day (Asia/Shanghai)', 'n'], [['2026-06-15', 3]])).toBe(
      'day (Asia/Shanghai),n\n2026-06-15,3\n',
    );
    expect(csvPercent(0.125)).toBe('12.5%');
    expect(csvPercent(1 / 3)).toBe('33.3%');
    expect(csvPercent(null)).toBe('');
  });
});
