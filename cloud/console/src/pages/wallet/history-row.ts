// What one wallet history row says: its title (the prize, the limit that stopped it, a coupon, "not
// paid" or a thank-you), its status badge and the words for its reason. Pure, so the wording rules are
// tested without a browser. A row says the tap's final result: only a held tap is under review, and a
// rejected tap says why it was not paid, never "held".
import type { HistoryItem } from '../../api/types.ts';

/** The cap reasons: the tap won nothing because a daily limit was already reached. */
export const CAP_REASONS: ReadonlySet<string> = new Set([
  'CAP_WALLET_DAILY_COUNT',
  'CAP_WALLET_DAILY_AMOUNT',
  'CAP_CAMPAIGN_WALLET',
  'CAP_ADVERTISER_WALLET',
]);

/** A history row; the cap's count and limit come with capped rows when the cloud reports them. */
export type HistoryRow = HistoryItem & { capCount?: number; capMax?: number };

export type HistoryTitle =
  | { kind: 'amount'; fen: number }
  | { kind: 'cap'; count: number; max: number }
  | { kind: 'cap' }
  | { kind: 'coupon'; title: string | null }
  | { kind: 'notPaid' }
  | { kind: 'thanks' };

export function historyTitle(item: HistoryRow): HistoryTitle {
  // A capped tap won nothing: say which limit stopped it (with the count when known), not "Thank you".
  if (item.reason !== null && CAP_REASONS.has(item.reason))
    return item.capCount !== undefined && item.capMax !== undefined
      ? { kind: 'cap', count: item.capCount, max: item.capMax }
      : { kind: 'cap' };
  // A rejected tap moved nothing, whatever its envelope held: neither an amount nor a coupon.
  if (item.status === 'rejected') return { kind: 'notPaid' };
  if (item.amountFen > 0) return { kind: 'amount', fen: item.amountFen };
  return item.couponOfferId !== null
    ? { kind: 'coupon', title: item.couponTitle ?? null }
    : { kind: 'thanks' };
}

/** The badge's status key: "credited" with nothing credited reads like a lost prize, so it is "noPrize". */
export function historyStatus(item: HistoryRow): string {
  return item.status === 'credited' && item.amountFen === 0 && item.couponOfferId === null
    ? 'noPrize'
    : item.status;
}

/**
 * The translation key of a row's reason, tried in order: the wallet's own words for the code, then the
 * console's words for any error code, then a plain sentence. Never the raw code.
 */
export function historyReasonKeys(item: HistoryRow): string[] {
  if (item.reason === null) return [];
  return [`wallet.reason.${item.reason}`, `errors.${item.reason}`, 'wallet.reason.unknown'];
}
