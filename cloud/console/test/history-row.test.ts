// The wallet history's wording: a capped tap names the limit that stopped it (with the count when the
// cloud sends one), and a credited row with nothing in it is "no prize", never a bare "credited".
import { describe, expect, it } from 'vitest';
import { historyStatus, historyTitle, type HistoryRow } from '../src/pages/wallet/history-row.ts';

const row = (over: Partial<HistoryRow>): HistoryRow => ({
  id: 1,
  screenId: 7,
  counter: 3,
  campaignId: 2,
  tapTs: 1_780_000_000,
  amountFen: 0,
  couponOfferId: null,
  status: 'credited',
  reason: null,
  ...over,
});

describe('wallet history rows', () => {
  it('shows a paid tap by its amount and status', () => {
    expect(historyTitle(row({ amountFen: 88 }))).toEqual({ kind: 'amount', fen: 88 });
    expect(historyStatus(row({ amountFen: 88 }))).toBe('credited');
  });

  it('names the daily limit for a capped tap, with the count and the cap when known', () => {
    const capped = row({ status: 'rejected', reason: 'CAP_WALLET_DAILY_COUNT' });
    expect(historyTitle(capped)).toEqual({ kind: 'cap' });
    expect(historyTitle({ ...capped, capCount: 10, capMax: 10 })).toEqual({
      kind: 'cap',
      count: 10,
      max: 10,
    });
    expect(historyTitle(row({ status: 'rejected', reason: 'CAP_CAMPAIGN_WALLET' }))).toEqual({ kind: 'cap' });
    expect(historyStatus(capped)).toBe('rejected');
  });

  it('says "no prize", not "credited", when nothing was credited', () => {
    expect(historyStatus(row({}))).toBe('noPrize');
    expect(historyTitle(row({}))).toEqual({ kind: 'thanks' });
    expect(historyStatus(row({ couponOfferId: 4 }))).toBe('credited');
    expect(historyTitle(row({ couponOfferId: 4 }))).toEqual({ kind: 'coupon' });
  });

  it('keeps other rejections and holds as they are', () => {
    expect(historyTitle(row({ status: 'held', amountFen: 50, reason: 'HELD_FOR_REVIEW' }))).toEqual({
      kind: 'amount',
      fen: 50,
    });
    expect(historyStatus(row({ status: 'rejected', reason: 'CLOCK_SKEW' }))).toBe('rejected');
  });
});
