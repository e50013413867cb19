// Money in the console is integer fen, as everywhere in RedTap. Formatting, parsing and prize plans come
// from the shared, browser-safe `@redtap/shared/money`; this adds only what the console's screens need.
import { FEN_MAX, formatFen as formatFenOrThrow, parseYuan } from '@redtap/shared/money';

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

/** Why a yuan input box's text is not an amount in [minFen, maxFen], as a `common.*` message key. */
export type MoneyInputProblem =
  | { key: 'amountInvalid' }
  | { key: 'amountPositive' }
  | { key: 'amountNotNegative' }
  | { key: 'amountAtLeast'; min: string }
  | { key: 'amountAtMost'; max: string };

/**
 * The problem with `text` in an input box that takes [minFen, maxFen], or null when it is empty (required
 * is the form's business) or fine. A minus sign or a too-long number is a well-formed amount the box
 * cannot take, so it names the bound instead of asking for the format again.
 */
export function moneyInputProblem(
  text: string,
  bounds: { minFen?: number; maxFen?: number } = {},
): MoneyInputProblem | null {
  const minFen = bounds.minFen ?? 0;
  const maxFen = bounds.maxFen ?? FEN_MAX;
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const belowMin = (): MoneyInputProblem =>
    minFen === 1
      ? { key: 'amountPositive' }
      : minFen === 0
        ? { key: 'amountNotNegative' }
        : { key: 'amountAtLeast', min: formatFen(minFen) };
  if (/^[¥￥]?\s*-/.test(trimmed) || /^-\s*[¥￥]/.test(trimmed)) return belowMin();
  const parsed = parseYuan(trimmed);
  if (!parsed.ok) {
    // Digits in the right shape that still did not parse are too large for fen.
    return /^[¥￥]?\s*[\d,]+(\.\d{1,2})?$/.test(trimmed)
      ? { key: 'amountAtMost', max: formatFen(maxFen) }
      : { key: 'amountInvalid' };
  }
  if (parsed.value < minFen) return belowMin();
  if (parsed.value > maxFen) return { key: 'amountAtMost', max: formatFen(maxFen) };
  return null;
}
