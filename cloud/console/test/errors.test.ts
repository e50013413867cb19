// Every error code the API can send has a message in both languages, so a new code cannot reach a person
// as a raw code; unknown codes get the generic message, never the API's developer text.
import { describe, expect, it } from 'vitest';
import i18next from 'i18next';
import { errorCodes } from '@redtap/shared';
import { ApiError } from '../src/api/client.ts';
import { errorText } from '../src/lib/errors.ts';
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

const messages = { en: en.errors as Record<string, string>, 'zh-CN': zhCN.errors as Record<string, string> };

describe('error messages', () => {
  it.each(['en', 'zh-CN'] as const)('translate every ErrorCode in %s', (language) => {
    const missing = errorCodes.filter((code) => (messages[language][code] ?? '').trim() === '');
    expect(missing).toEqual([]);
  });

  it('never show a raw code or fen in a message', () => {
    for (const table of Object.values(messages))
      for (const text of Object.values(table)) {
        expect(text).not.toMatch(/[A-Z]{2,}_[A-Z_]+/);
        expect(text).not.toMatch(/\bfen\b/);
      }
  });

  it('do not print the raw code in the till’s catch-all refusal', () => {
    expect(en.till.reason.other).not.toContain('{{code}}');
    expect(zhCN.till.reason.other).not.toContain('{{code}}');
  });

  it('shows the translation of a known code instead of the developer message', async () => {
    const zh = await translator('zh-CN');
    const error = new ApiError(403, 'WITHDRAWAL_DAILY_LIMIT', 'daily withdrawal limit of 50000 fen reached');
    expect(errorText(error, zh)).toBe(zhCN.errors.WITHDRAWAL_DAILY_LIMIT);
    const en18n = await translator('en');
    expect(errorText(new ApiError(400, 'MONEY_INVALID', 'the budget is 17680 fen'), en18n)).toBe(
      en.errors.MONEY_INVALID,
    );
  });

  it('falls back to the generic message for unknown codes and non-API errors', async () => {
    const zh = await translator('zh-CN');
    expect(errorText(new ApiError(418, 'SOMETHING_NEW', 'raw developer text'), zh)).toBe(zhCN.errors.unknown);
    expect(errorText(new ApiError(502, 'HTTP_502', 'Bad Gateway'), zh)).toBe(zhCN.errors.unknown);
    expect(errorText(new Error('the campaign is incomplete'), zh)).toBe(zhCN.errors.unknown);
    expect(errorText(new ApiError(0, 'NETWORK', 'fetch failed'), zh)).toBe(zhCN.errors.NETWORK);
  });
});
