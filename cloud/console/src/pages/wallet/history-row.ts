// What one wallet history row says: its title (the prize, the limit that stopped it, a coupon or a
// thank-you) and its status badge. Pure, so the wording rules are tested without a browser.
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
  | { kind: 'coupon' }
  | { kind: 'thanks' };

export function historyTitle(item: HistoryRow): HistoryTitle {
  if (item.amountFen > 0) return { kind: 'amount', fen: item.amountFen };
  // A capped tap won nothing: say which limit stopped it (with the count when known), not "Thank you".
  if (item.reason !== null && CAP_REASONS.has(item.reason))
    return item.capCount !== undefined && item.capMax !== undefined
      ? { kind: 'cap', count: item.capCount, max: item.capMax }
      : { kind: 'cap' };
  return item.couponOfferId !== null ? { kind: 'coupon' } : { kind: 'thanks' };
}

/** The badge's status key: "credited" with nothing credited reads like a lost prize, so it is "noPrize". */
export function historyStatus(item: HistoryRow): string {
  return item.status === 'credited' && item.amountFen === 0 && item.couponOfferId === null
    ? 'noPrize'
    : item.status;
}
