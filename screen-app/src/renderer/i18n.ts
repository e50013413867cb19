// Every string the screen shows, in Chinese and English. The screen's locale is the big line; the
// other language runs underneath in smaller type, since commuters read both.
import type { UiLocale } from '../ui-api/channels.ts';

export interface Phrase {
  zh: string;
  en: string;
}

export const text = {
  ctaTitle: { zh: '碰一碰 抢红包', en: 'Tap to grab a red packet' },
  ctaHint: { zh: '手机轻触此处', en: 'Hold your phone to the screen' },
  // The claim ticket's QR code, for phones without the wallet app (docs/kiosk.md §9).
  scanTitle: { zh: '扫码抢红包', en: 'Scan to grab' },
  brandTagline: { zh: '好运 一碰即来', en: 'Luck is one tap away' },
  offline: { zh: '离线', en: 'Offline' },
  // The cloud enrolled the screen and its broker login is still being set up (docs/protocol.md §5.9).
  connecting: { zh: '正在连接…', en: 'Connecting…' },
  readingTitle: { zh: '正在读取…', en: 'Reading…' },
  readingHint: { zh: '请保持手机靠近', en: 'Keep your phone close' },
  prizeTitle: { zh: '恭喜发财！', en: 'You got a red packet!' },
  prizeWallet: { zh: '已存入您的钱包', en: 'Sent to your wallet' },
  // When the kiosk cannot be sure the cloud pays what it shows: the amount, and no promise it is paid.
  confirmingTitle: { zh: '红包确认中', en: 'Checking your red packet' },
  confirmingHint: { zh: '确认中，结果以钱包为准', en: 'Confirming: your wallet shows the result' },
  couponOnlyTitle: { zh: '送您一张优惠券', en: 'A coupon for you!' },
  // A phone claimed this screen's QR code (or its reader as a tag) online, and the cloud paid it.
  claimedTitle: { zh: '已领取', en: 'Claimed by a phone' },
  claimedHint: { zh: '扫码抢红包，下一个就是你', en: 'Scan the code: the next one could be yours' },
  brandLabel: { zh: '红包来自', en: 'From' },
  couponLabel: { zh: '优惠券', en: 'Coupon' },
  alreadyTitle: { zh: '今天已经抢过啦', en: "You've had today's red packet" },
  alreadyHint: { zh: '明天再来碰一碰！', en: 'Come back tomorrow!' },
  tryAgainTitle: { zh: '请再碰一次', en: 'Please tap again' },
  tryAgainHint: { zh: '保持手机靠近，直到提示完成', en: 'Keep your phone close until it is done' },
  notSupportedTitle: { zh: '暂不支持此卡或手机', en: 'This card or phone is not supported' },
  notSupportedHint: { zh: '请使用 RedTap 钱包', en: 'Please use the RedTap wallet' },
  thankYouTitle: { zh: '谢谢参与', en: 'Thanks for tapping!' },
  thankYouHint: { zh: '本轮红包已抢完，敬请期待', en: 'This round is all gone. More soon!' },
  unavailableTitle: { zh: '暂停服务', en: 'Temporarily unavailable' },
  unavailableHint: { zh: '请稍后再试', en: 'Please try again later' },
  outOfServiceTitle: { zh: '本屏幕暂停服务', en: 'This screen is out of service' },
  outOfServiceHint: { zh: '请使用其他屏幕碰一碰', en: 'Please tap at another screen' },
} as const satisfies Record<string, Phrase>;

export function primary(phrase: Phrase, locale: UiLocale): string {
  return phrase[locale];
}

export function secondary(phrase: Phrase, locale: UiLocale): string {
  return locale === 'zh' ? phrase.en : phrase.zh;
}

/** `?locale=en` on the page overrides the kiosk's configured language (for a quick check on site). */
export function localeOverride(search: string): UiLocale | null {
  const value = new URLSearchParams(search).get('locale');
  return value === 'zh' || value === 'en' ? value : null;
}
