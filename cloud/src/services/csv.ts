// The one CSV writer every export uses (reports, coupon reports, payout batches). Files are UTF-8 with a
// byte order mark, which Excel needs to read Chinese names as UTF-8 rather than GBK. Text cells are
// escaped against formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that starts with
// = + - @, a tab or a carriage return as a formula, and names, cities and titles come from tenants.

export type CsvCell = string | number | null;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell: numbers as they are, null as empty, text neutralised and quoted when it must be. */
export function csvCell(value: CsvCell): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  // The leading ' makes the spreadsheet show the text instead of evaluating it; quoting keeps the
  // prefix inside the cell whatever the delimiter.
  if (FORMULA_START.test(value)) return `"'${value.replaceAll('"', '""')}"`;
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export const UTF8_BOM = '\uFEFF';

/** A whole file: the byte order mark, the header, then one line per row, newline-terminated. */
export function csvText(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) lines.push(row.map(csvCell).join(','));
  return `${UTF8_BOM}${lines.join('\n')}\n`;
}

/** Fen as a yuan cell (`1234` → `12.34`), by integer arithmetic, for the column beside the fen one. */
export function csvYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${String(Math.floor(abs / 100))}.${String(abs % 100).padStart(2, '0')}`;
}

/** A ratio as a percentage cell (`12.5%`), or empty when it is unknown. */
export function csvPercent(ratio: number | null): string {
  return ratio === null ? '' : `${String(Math.round(ratio * 1000) / 10)}%`;
}
