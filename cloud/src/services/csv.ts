// The one CSV writer every export uses (reports, coupon reports, settlement files). Text cells are
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

/** A whole file: the header, then one line per row, newline-terminated. */
export function csvText(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) lines.push(row.map(csvCell).join(','));
  return `${lines.join('\n')}\n`;
}

/** A ratio as a percentage cell (`12.5%`), or empty when it is unknown. */
export function csvPercent(ratio: number | null): string {
  return ratio === null ? '' : `${String(Math.round(ratio * 1000) / 10)}%`;
}
