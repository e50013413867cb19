// Money in the console is integer fen, as everywhere in RedTap. Formatting, parsing and prize plans come
// from the shared, browser-safe `@redtap/shared/money`; this adds only what the console's screens need.
import { formatFen as formatFenOrThrow } from '@redtap/shared/money';

/**
 * The shared formatFen (`123456` → `¥1,234.56`), except that a non-integer shows `—` instead of
 * throwing: API responses are typed, not validated, and one odd field must not take a page down.
 */
export function formatFen(fen: number, symbol = '¥'): string {
  return Number.isSafeInteger(fen) ? formatFenOrThrow(fen, symbol) : '—';
}

/** Yuan text for an input box, without symbol or grouping: `123450` → `1234.50`. */
export function fenToYuanText(fen: number): string {
  return formatFen(fen, '').replaceAll(',', '');
}
