// Integer fen → `¥1.23` for the screen. @redtap/shared's money module pulls in node:crypto, so the
// renderer gets this copy; a test keeps it identical to the shared formatFen.

const FEN_PER_YUAN = 100;

/** `88` → `¥0.88`, `123456` → `¥1,234.56`. Not an integer → empty string (the UI shows nothing). */
export function formatFen(fen: number, symbol = '¥'): string {
  if (!Number.isSafeInteger(fen)) return '';
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / FEN_PER_YUAN)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (abs % FEN_PER_YUAN).toString().padStart(2, '0');
  return `${sign}${symbol}${yuan}.${cents}`;
}
