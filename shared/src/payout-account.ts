// The account a wallet's withdrawals are paid to, as the payout provider needs it: an Alipay account
// (a mainland mobile number or an email) or a mainland bank card (UnionPay-style 16–19 digits with a
// valid Luhn check digit, ISO/IEC 7812-1 Annex B), with the holder's real name, which the provider
// matches against the account. Browser-safe (exported alone as `@redtap/shared/payout-account`): the
// wallet page checks a form with the same rules the cloud enforces.
import { ErrorCode, fail, ok, type Result } from './errors.ts';

export const payoutAccountKinds = ['alipay', 'bank_card'] as const;
export type PayoutAccountKind = (typeof payoutAccountKinds)[number];

export interface PayoutAccountInput {
  kind: PayoutAccountKind;
  account: string;
  holderName: string;
  bankName?: string | null | undefined;
}

/** Normalised: digits only for phones and cards, lower-case emails, trimmed names. */
export interface PayoutAccount {
  kind: PayoutAccountKind;
  account: string;
  holderName: string;
  bankName: string | null;
}

export const BANK_CARD_DIGITS_MIN = 16;
export const BANK_CARD_DIGITS_MAX = 19;
export const EMAIL_LENGTH_MAX = 100;
export const BANK_NAME_LENGTH_MAX = 40;

/** A mainland mobile number: 11 digits starting 13–19, written with or without +86, spaces or dashes. */
const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;
// Deliberately plain: one @, a dot in the domain, no spaces (the provider is the final judge).
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;
/** Chinese names (with the middle dot of minority names) or Latin ones, as on an ID card or passport. */
const HAN_NAME = /^[\p{Script=Han}][\p{Script=Han}·•]{0,18}[\p{Script=Han}]$/u;
const LATIN_NAME = /^[A-Za-z][A-Za-z .'-]{0,38}[A-Za-z]$/;
const BANK_NAME = /^[\p{Script=Han}A-Za-z0-9 ()（）·.&-]+$/u;

/** The Luhn (mod 10) check over a string of digits. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function mobileDigits(text: string): string | null {
  const digits = text.replace(/[\s-]/g, '').replace(/^(?:\+86|0086)/, '');
  return MAINLAND_MOBILE.test(digits) ? digits : null;
}

/** Checks and normalises a payout account; never throws. */
export function parsePayoutAccount(input: PayoutAccountInput): Result<PayoutAccount> {
  const holderName = input.holderName.trim().replace(/\s+/g, ' ');
  if (!HAN_NAME.test(holderName) && !LATIN_NAME.test(holderName))
    return fail(ErrorCode.HOLDER_NAME_INVALID, 'the holder name must be a real name (2–40 letters)');
  if (input.kind === 'alipay') {
    const text = input.account.trim();
    const phone = mobileDigits(text);
    if (phone !== null) return ok({ kind: 'alipay', account: phone, holderName, bankName: null });
    if (text.length <= EMAIL_LENGTH_MAX && EMAIL.test(text))
      return ok({ kind: 'alipay', account: text.toLowerCase(), holderName, bankName: null });
    return fail(
      ErrorCode.ALIPAY_ACCOUNT_INVALID,
      'an Alipay account is a mainland mobile number (11 digits) or an email address',
    );
  }
  // A bank card.
  const digits = input.account.replace(/[\s-]/g, '');
  if (
    !/^\d+$/.test(digits) ||
    digits.length < BANK_CARD_DIGITS_MIN ||
    digits.length > BANK_CARD_DIGITS_MAX ||
    !luhnValid(digits)
  )
    return fail(
      ErrorCode.BANK_CARD_INVALID,
      `a bank card number has ${BANK_CARD_DIGITS_MIN}–${BANK_CARD_DIGITS_MAX} digits and a valid check digit`,
    );
  const bankName = (input.bankName ?? '').trim();
  if (bankName.length < 2 || bankName.length > BANK_NAME_LENGTH_MAX || !BANK_NAME.test(bankName))
    return fail(ErrorCode.BANK_NAME_INVALID, 'name the bank that issued the card');
  return ok({ kind: 'bank_card', account: digits, holderName, bankName });
}

/** What a screen shows of an account: `138****5678`, `a***@example.com`, `**** 1234`. */
export function maskPayoutAccount(kind: PayoutAccountKind, account: string): string {
  if (kind === 'bank_card') return `**** ${account.slice(-4)}`;
  const at = account.indexOf('@');
  if (at > 0) return `${account.slice(0, 1)}***${account.slice(at)}`;
  if (account.length === 11) return `${account.slice(0, 3)}****${account.slice(-4)}`;
  return `***${account.slice(-2)}`;
}

/** `张三丰` → `张**`, `Li Lei` → `L*****`: the first character stays. */
export function maskHolderName(name: string): string {
  // Names are letters of one script (parsePayoutAccount), so code points are characters here.
  const characters = Array.from(name);
  return `${characters[0] ?? ''}${'*'.repeat(Math.max(1, characters.length - 1))}`;
}
