// Every field code the API can send has a message in both languages; amounts read in yuan and seconds in
// seconds; a field path reads as the form's own words.
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { FieldCode } from '@redtap/shared/field-issues';
import { ApiError } from '../src/api/client.ts';
import { errorFields, fieldIssueText, fieldLabel } from '../src/lib/errors.ts';
import { en } from '../src/locales/en.ts';
import { zhCN } from '../src/locales/zh-cn.ts';

async function translator(language: 'en' | 'zh-CN') {
  const instance = i18next.createInstance();
  await instance.init({
    resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
    lng: language,
    fallbackLng: false,
    interpolation: { escapeValue: false },
  });
  return instance;
}

describe('field error messages', () => {
  it.each([
    ['en', en.fieldErrors],
    ['zh-CN', zhCN.fieldErrors],
  ] as const)('translate every FieldCode in %s', (_language, table) => {
    const messages = table as Record<string, string>;
    expect(Object.values(FieldCode).filter((code) => (messages[code] ?? '').trim() === '')).toEqual([]);
    for (const text of Object.values(messages)) expect(text).not.toMatch(/[A-Z]{2,}_[A-Z_]+|\bfen\b/);
  });

  it('write the amounts of an overfunding in yuan', async () => {
    const zh = await translator('zh-CN');
    const issue = {
      path: 'amountFen',
      code: FieldCode.BUDGET_EXCEEDED,
      message: 'more than the budget has room for',
      params: { budgetFen: 6_000, balanceFen: 5_000, roomFen: 1_000 },
    };
    expect(fieldIssueText(issue, zh)).toBe('预算为 ¥60.00，已注资 ¥50.00：最多还能注资 ¥10.00');
  });

  it('word bounds in the unit of their field', async () => {
    const english = await translator('en');
    const text = (path: string, code: string, params: Record<string, number>) =>
      fieldIssueText({ path, code, message: '', params }, english);
    expect(text('couponOffers.0.title', 'TOO_LONG', { maximum: 200 })).toBe('At most 200 characters');
    expect(text('couponOffers.0.valueFen', 'TOO_SMALL', { minimum: 1 })).toBe('Must be at least ¥0.01');
    expect(text('creatives.0.durationMs', 'TOO_BIG', { maximum: 600_000 })).toBe('Enter at most 600 seconds');
    expect(fieldLabel('couponOffers.0.title', english)).toBe('Coupon offer 1 · Title');
    expect(fieldLabel('rules.fallbackCouponOfferIndex', english)).toBe('Coupon when cash is capped');
  });

  it('come from the API reply, checked', () => {
    const error = new ApiError(400, 'VALIDATION_FAILED', 'x', {
      fields: [{ path: 'name', code: 'REQUIRED', message: 'Required' }],
    });
    expect(errorFields(error)).toEqual([{ path: 'name', code: 'REQUIRED', message: 'Required' }]);
    expect(errorFields(new Error('plain'))).toEqual([]);
  });
});
