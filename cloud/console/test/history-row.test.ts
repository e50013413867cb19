// The wallet history's wording: each row says the tap's final result in the reader's language. A capped
// tap names the limit that stopped it (with the count when the cloud sends one), a rejected tap says it
// was not paid and why (never "held", never a coupon it did not get), only a held tap is under review,
// no reason reaches a person as a raw code, and a credited row with nothing in it is "no prize".
import { describe, expect, it } from 'vitest';
import i18next from 'i18next';
import { errorCodes } from '@redtap/shared';
import { en } from '../src/locales/en.ts';
import { zhCN } from '../src/locales/zh-cn.ts';
import {
  historyReasonKeys,
  historyStatus,
  historyTitle,
  type HistoryRow,
} from '../src/pages/wallet/history-row.ts';

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
  brand: 'Tea Co',
  couponTitle: null,
  path: 'tap',
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

  it('says "no prize", not "credited", when nothing was credited, and names a coupon', () => {
    expect(historyStatus(row({}))).toBe('noPrize');
    expect(historyTitle(row({}))).toEqual({ kind: 'thanks' });
    expect(historyStatus(row({ couponOfferId: 4 }))).toBe('credited');
    expect(historyTitle(row({ couponOfferId: 4 }))).toEqual({ kind: 'coupon', title: null });
    expect(historyTitle(row({ couponOfferId: 4, couponTitle: '¥2 off' }))).toEqual({
      kind: 'coupon',
      title: '¥2 off',
    });
  });

  it('says a rejected tap was not paid, whatever its envelope held', () => {
    // The travel rejection of a cash-and-coupon envelope: no amount moved and no coupon was issued.
    const travel = row({ status: 'rejected', reason: 'FRAUD_IMPOSSIBLE_TRAVEL', couponOfferId: 5 });
    expect(historyTitle(travel)).toEqual({ kind: 'notPaid' });
    expect(historyStatus(travel)).toBe('rejected');
    expect(historyTitle(row({ status: 'rejected', reason: 'CLOCK_SKEW' }))).toEqual({ kind: 'notPaid' });
  });

  it('keeps a held tap as its amount, under review', () => {
    const held = row({ status: 'held', amountFen: 50, reason: 'FRAUD_COUNTER_GAP' });
    expect(historyTitle(held)).toEqual({ kind: 'amount', fen: 50 });
    expect(historyStatus(held)).toBe('held');
    expect(en.wallet.status.held).toBe('Under review');
  });

  it('finds words for every reason, never the raw code', async () => {
    for (const language of ['en', 'zh-CN']) {
      const i18n = i18next.createInstance();
      await i18n.init({
        resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
        lng: language,
        fallbackLng: false,
        interpolation: { escapeValue: false },
      });
      for (const code of [...errorCodes, 'SOMETHING_NEW']) {
        const key = historyReasonKeys(row({ status: 'rejected', reason: code })).find((k) => i18n.exists(k));
        expect(key, code).toBeDefined();
        expect(i18n.t(key ?? '')).not.toMatch(/[A-Z]{2,}_[A-Z_]+|\{\{code\}\}/);
      }
    }
    expect(historyReasonKeys(row({}))).toEqual([]);
  });

  it('never words a reason as a hold: the status badge says whether the tap is under review', () => {
    for (const table of [en.wallet.reason, zhCN.wallet.reason])
      for (const text of Object.values(table as Record<string, string>)) {
        expect(text).not.toMatch(/held|hold|审核|冻结/i);
      }
  });
});
