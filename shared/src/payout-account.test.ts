import { describe, expect, it } from 'vitest';
import { luhnValid, maskHolderName, maskPayoutAccount, parsePayoutAccount } from './payout-account.ts';

describe('payout accounts', () => {
  it.each([
    ['138 0013 8000', '13800138000'],
    ['+86 139-1234-5678', '13912345678'],
    ['Li.Lei@Example.COM', 'li.lei@example.com'],
  ])('takes the Alipay account %j as %j', (account, normal) => {
    expect(parsePayoutAccount({ kind: 'alipay', account, holderName: '李雷' })).toEqual({
      ok: true,
      value: { kind: 'alipay', account: normal, holderName: '李雷', bankName: null },
    });
  });

  it.each(['12800138000', '1380013800', 'li lei@example.com', 'lilei@', ''])(
    'refuses the Alipay account %j',
    (account) => {
      expect(parsePayoutAccount({ kind: 'alipay', account, holderName: '李雷' })).toMatchObject({
        ok: false,
        code: 'ALIPAY_ACCOUNT_INVALID',
      });
    },
  );

  it('takes a card whose check digit is right and refuses one digit off, short or long numbers', () => {
    // 6222 0202 0000 0000 (16 digits) with its Luhn digit: 622202020000000 + d.
    const body = '622202020000000';
    const check = '0123456789'.split('').find((digit) => luhnValid(body + digit)) ?? '';
    const card = body + check;
    expect(
      parsePayoutAccount({
        kind: 'bank_card',
        account: `${card.slice(0, 4)} ${card.slice(4)}`,
        holderName: '韩梅梅',
        bankName: '中国工商银行',
      }),
    ).toEqual({
      ok: true,
      value: { kind: 'bank_card', account: card, holderName: '韩梅梅', bankName: '中国工商银行' },
    });
    const wrong = body + String((Number(check) + 1) % 10);
    for (const account of [wrong, card.slice(0, 15), `${card}1234`, 'abcd1234abcd1234'])
      expect(
        parsePayoutAccount({ kind: 'bank_card', account, holderName: '韩梅梅', bankName: '中国工商银行' }),
      ).toMatchObject({ ok: false, code: 'BANK_CARD_INVALID' });
    expect(
      parsePayoutAccount({ kind: 'bank_card', account: card, holderName: '韩梅梅', bankName: '' }),
    ).toMatchObject({ ok: false, code: 'BANK_NAME_INVALID' });
  });

  it.each(['', '张', 'Li3', '=cmd', '   '])('refuses the holder name %j', (holderName) => {
    expect(parsePayoutAccount({ kind: 'alipay', account: '13800138000', holderName })).toMatchObject({
      ok: false,
      code: 'HOLDER_NAME_INVALID',
    });
  });

  it('takes minority and Latin names', () => {
    for (const holderName of ['阿依古丽·买买提', 'Li Lei', "O'Neil Smith"])
      expect(parsePayoutAccount({ kind: 'alipay', account: '13800138000', holderName }).ok).toBe(true);
  });

  it('masks what a screen shows', () => {
    expect(maskPayoutAccount('alipay', '13800138000')).toBe('138****8000');
    expect(maskPayoutAccount('alipay', 'lilei@example.com')).toBe('l***@example.com');
    expect(maskPayoutAccount('bank_card', '6222020200000000123')).toBe('**** 0123');
    expect(maskHolderName('韩梅梅')).toBe('韩**');
  });

  it('checks Luhn against known numbers', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
    expect(luhnValid('4111111111111111')).toBe(true);
  });
});
