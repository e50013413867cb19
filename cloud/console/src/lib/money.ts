// Money in the console is integer fen, as everywhere in RedTap: formatted like the shared `formatFen`
// and parsed from what people type by string arithmetic, never through a float.

export const FEN_PER_YUAN = 100;
/** Amounts on the wire are u32 fen. */
export const FEN_MAX = 0xffffffff;

/** `88` → `¥0.88`, `-150` → `-¥1.50`, `123456` → `¥1,234.56`. */
export function formatFen(fen: number, symbol = '¥'): string {
  if (!Number.isSafeInteger(fen)) return '—';
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / FEN_PER_YUAN)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (abs % FEN_PER_YUAN).toString().padStart(2, '0');
  return `${sign}${symbol}${yuan}.${cents}`;
}

/** `1234.5` fen-free yuan text for an input box: `123450` → `1234.50`. */
export function fenToYuanText(fen: number): string {
  return formatFen(fen, '').replaceAll(',', '');
}

export type ParsedYuan = { ok: true; fen: number } | { ok: false; code: 'MONEY_INVALID' };

/** Parses a non-negative yuan amount such as `0.88`, `¥12`, `1,234.5` into fen. */
export function parseYuan(text: string): ParsedYuan {
  const match = /^\s*[¥￥]?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (match === null) return { ok: false, code: 'MONEY_INVALID' };
  const whole = (match[1] ?? '0').replaceAll(',', '').replace(/^0+(?=\d)/, '');
  const cents = (match[2] ?? '').padEnd(2, '0');
  if (whole.length > 10) return { ok: false, code: 'MONEY_INVALID' };
  const fen = Number(whole + cents);
  if (!Number.isSafeInteger(fen) || fen > FEN_MAX) return { ok: false, code: 'MONEY_INVALID' };
  return { ok: true, fen };
}
