// The wallet says each tap's final result, names the brand whose campaign it was for and speaks the
// reader's language, against a real cloud: a phone taps a Shanghai screen, then a Hangzhou screen
// minutes later (rejected by the travel rule: "not paid", with the travel check as the reason, never
// "held" nor a coupon), then Shanghai again until the campaign's daily limit stops it. Before that, the
// wizard and the approval card show the advertiser's fall-through choice, off unless chosen.
import { createPrivateKey, randomBytes } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { sql } from 'drizzle-orm';
import {
  decodeDeck,
  encodeChallenge,
  enrolmentMessage,
  generateKeyPair,
  sign,
  SignatureLabel,
  signTapToken,
  toHex,
  type Deck,
  type KeyPair,
} from '@redtap/shared';
import { queryRows } from '../src/db/rows.ts';
import {
  OPERATOR,
  startConsoleCloud,
  type ConsoleCloud,
  callApi,
  type ApiInit,
} from './support/console-cloud.ts';
import { browserErrorLog, createBrowserWallet, newPhoneContext, signIn } from './support/console-pages.ts';
import { loginToken, seedAdvertiser, seedCampaign, seedScreen } from './support/seed.ts';

const BRAND = { name: 'Tea Co 茶颜', email: 'brand@teaco.test', password: 'advertiser-pass-3' };
const SPONSOR = '茶颜悦色';
/** ¥0.50 envelopes, enough for a deck on each screen whatever the split. */
const ENVELOPE_FEN = 50;

interface EnrolledScreen {
  screenId: number;
  key: KeyPair;
  deck: Deck | null;
  /** The screen's last tap counter. */
  counter: number;
  /** The next envelope index its kiosk would draw. */
  nextEnvelope: number;
}

let env: ConsoleCloud;
let operatorToken = '';
let brandToken = '';
let campaignId = 0;
const screens: { shanghai?: EnrolledScreen; hangzhou?: EnrolledScreen } = {};
const { errors: browserErrors, watch } = browserErrorLog();

const api = <T>(path: string, init?: ApiInit): Promise<T> => callApi<T>(env.url, path, init);

async function enrolScreen(city: string, name: string): Promise<EnrolledScreen> {
  const screenId = await seedScreen(env.url, operatorToken, { name, city, building: name, elevator: 'A1' });
  const { code } = await api<{ code: string }>(`/v1/screens/${screenId}/enrolment-codes`, {
    token: operatorToken,
    body: {},
    status: 201,
  });
  const key = generateKeyPair();
  await api('/v1/enrol', {
    body: {
      code,
      publicKey: toHex(key.publicKeyRaw),
      signature: toHex(sign(SignatureLabel.enroll, enrolmentMessage(code, key.publicKeyRaw), key.privateKey)),
    },
    status: 201,
  });
  return { screenId, key, deck: null, counter: 0, nextEnvelope: 0 };
}

/** The deck the cloud issued to a screen at activation, as the kiosk would have received it. */
async function deckOf(screenId: number): Promise<Deck> {
  const rows = await queryRows<{ signed: string }>(
    env.cloud.database.db,
    sql`select signed from decks where campaign_id = ${campaignId} and screen_id = ${screenId} order by id limit 1`,
  );
  const signed = rows[0]?.signed;
  if (signed === undefined) throw new Error(`no deck for screen ${screenId}`);
  const decoded = decodeDeck(new Uint8Array(Buffer.from(signed, 'hex')));
  if (!decoded.ok) throw new Error(`bad deck: ${decoded.code}`);
  return decoded.value;
}

/** One phone-path tap on a screen with its next cash envelope, as its kiosk would sign it. */
async function tapCash(
  screen: EnrolledScreen,
  wallet: { walletKey: Parameters<typeof sign>[2]; walletId: number; credentialSerial: number },
  ts: number,
): Promise<{ status: string; code?: string }> {
  const deck = screen.deck;
  if (deck === null) throw new Error(`screen ${screen.screenId} holds no deck`);
  const envelopeIndex = deck.envelopes.findIndex(
    (envelope, index) => envelope.amountFen > 0 && index >= screen.nextEnvelope,
  );
  const envelope = deck.envelopes[envelopeIndex];
  if (envelope === undefined) throw new Error('the deck has no cash envelope left');
  screen.nextEnvelope = envelopeIndex + 1;
  screen.counter += 1;
  const challenge = {
    screenId: screen.screenId,
    counter: screen.counter,
    ts,
    nonce: new Uint8Array(randomBytes(16)),
    campaignId,
  };
  const { bytes } = signTapToken(
    {
      ...challenge,
      walletId: wallet.walletId,
      credentialSerial: wallet.credentialSerial,
      phoneSignature: sign(SignatureLabel.challenge, encodeChallenge(challenge), wallet.walletKey),
      deckId: deck.deckId,
      envelopeIndex,
      amountFen: envelope.amountFen,
      couponOfferId: envelope.couponOfferId,
      flags: 0,
    },
    screen.key.privateKey,
  );
  return api('/v1/redeem', { body: { token: toHex(bytes) } });
}

function historyItem(phone: Page, text: RegExp) {
  return phone.getByTestId('history-item').filter({ hasText: text });
}

test.describe.serial('wallet results', () => {
  test.beforeAll(async () => {
    env = await startConsoleCloud();
    operatorToken = await loginToken(env.url, OPERATOR);
    const brandId = await seedAdvertiser(env.url, operatorToken, BRAND);
    await api(`/v1/advertisers/${brandId}/funding`, {
      token: operatorToken,
      body: { amountFen: 100_000, transferId: 78_001 },
    });
    brandToken = await loginToken(env.url, BRAND);
    // Both screens are enrolled before activation, so each gets a deck when the campaign goes live.
    screens.shanghai = await enrolScreen('上海', '来福士 1 号梯');
    screens.hangzhou = await enrolScreen('杭州', '湖滨银泰 2 号梯');
    const nowS = Math.floor(Date.now() / 1000);
    const campaign = await seedCampaign(env.url, brandToken, {
      name: 'Spring tea',
      sponsor: SPONSOR,
      startsAt: nowS - 3600,
      endsAt: nowS + 30 * 86_400,
      targeting: { cities: ['上海', '杭州'], buildings: [], screenGroupIds: [] },
      budgetFen: 400 * ENVELOPE_FEN,
      prizePlan: { kind: 'tiers', tiers: [{ amountFen: ENVELOPE_FEN, count: 400 }] },
      rules: {
        cashPerWalletPerDay: 2,
        couponsPerWalletPerDay: 1,
        fallbackCouponOfferIndex: null,
        fallThrough: true,
      },
    });
    campaignId = campaign.id;
    await api(`/v1/campaigns/${campaignId}/transitions`, {
      token: brandToken,
      body: { transition: 'submit' },
    });
  });

  test.afterAll(async () => {
    await env.stop();
  });

  test('the wizard leaves fall-through off until the advertiser turns it on, and the review says which', async ({
    browser,
  }) => {
    const page = await signIn(browser, env.url, BRAND, watch);
    await page.goto('/advertiser/campaigns/new');
    const next = page.getByRole('button', { name: '下一步' });
    await page.getByLabel('活动名称').fill('晚高峰');
    await page.getByLabel('屏幕上显示的赞助品牌').fill(SPONSOR);
    // A campaign plays at least one creative.
    await page.locator('input[type=file]').setInputFiles({
      name: 'pixel.png',
      mimeType: 'image/png',
      buffer: Buffer.from(
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
        'base64',
      ),
    });
    await expect(page.getByTestId('creative')).toHaveCount(1);
    await next.click();
    await next.click();
    await next.click();
    await page.getByLabel('现金总额（预算）').fill('100');
    await next.click();
    const fallThrough = page.getByRole('switch', { name: '本活动无法发放时，允许其他活动代为发放' });
    await expect(fallThrough).not.toBeChecked();
    await next.click();
    await expect(page.getByTestId('wizard-fall-through')).toHaveText('否：仅由本活动发放');
    await page.getByRole('button', { name: '上一步' }).click();
    await page.locator('label', { hasText: '本活动无法发放时，允许其他活动代为发放' }).click();
    await expect(fallThrough).toBeChecked();
    await next.click();
    await expect(page.getByTestId('wizard-fall-through')).toHaveText('是：其他活动可代为发放');
    await page.getByRole('button', { name: '保存草稿' }).click();
    await expect(page).toHaveURL(/\/advertiser\/campaigns$/);
    const { items } = await api<{ items: { name: string; rules: { fallThrough?: boolean } }[] }>(
      '/v1/campaigns',
      { token: brandToken },
    );
    expect(items.find((campaign) => campaign.name === '晚高峰')?.rules.fallThrough).toBe(true);
    await page.context().close();
  });

  test("the approval card shows the advertiser's fall-through choice and per-wallet limits", async ({
    browser,
  }) => {
    const page = await signIn(browser, env.url, OPERATOR, watch);
    await page.goto('/operator/campaigns');
    const card = page.getByTestId(`review-${campaignId}`);
    await expect(card.getByTestId('review-fall-through')).toHaveText('是：其他活动可代为发放');
    await expect(card).toContainText('现金 2 个，仅券 1 次');
    await page.context().close();
  });

  test('a travel rejection and a capped tap say so in both languages, with the brand', async ({
    browser,
  }) => {
    const transition = (name: string, token: string) =>
      api(`/v1/campaigns/${campaignId}/transitions`, { token, body: { transition: name } });
    await transition('approve', operatorToken);
    await api(`/v1/campaigns/${campaignId}/funding`, {
      token: brandToken,
      body: { amountFen: 400 * ENVELOPE_FEN, transferId: 78_002 },
    });
    await transition('activate', brandToken);
    const { shanghai, hangzhou } = screens;
    if (shanghai === undefined || hangzhou === undefined) throw new Error('screens not enrolled');
    shanghai.deck = await deckOf(shanghai.screenId);
    hangzhou.deck = await deckOf(hangzhou.screenId);

    const context = await newPhoneContext(browser, env.url);
    const phone = watch(await context.newPage());
    const exported = await createBrowserWallet(phone);
    const wallet = {
      walletKey: createPrivateKey({ key: exported.jwk, format: 'jwk' }),
      walletId: exported.walletId,
      credentialSerial: exported.credentialSerial,
    };
    const startS = Math.floor(Date.now() / 1000) - 120;
    expect(await tapCash(shanghai, wallet, startS)).toMatchObject({ status: 'credited' });
    // Hangzhou a minute after Shanghai: too far too fast.
    expect(await tapCash(hangzhou, wallet, startS + 60)).toMatchObject({
      status: 'rejected',
      code: 'FRAUD_IMPOSSIBLE_TRAVEL',
    });
    expect(await tapCash(shanghai, wallet, startS + 70)).toMatchObject({ status: 'credited' });
    // The campaign pays this wallet 2 cash packets a day.
    expect(await tapCash(shanghai, wallet, startS + 80)).toMatchObject({
      status: 'rejected',
      code: 'CAP_CAMPAIGN_WALLET',
    });

    await phone.reload();
    await expect(phone.getByTestId('wallet-balance')).toHaveText('¥1.00');
    await expect(phone.getByTestId('history-item')).toHaveCount(4);
    // Every row names the brand whose campaign the tap was for.
    await expect(phone.getByTestId('history-brand')).toHaveText(Array.from({ length: 4 }, () => SPONSOR));

    const travel = historyItem(phone, /行程校验/);
    await expect(travel).toHaveCount(1);
    await expect(travel.getByTestId('history-title')).toHaveText('未发放');
    await expect(travel.getByTestId('history-status')).toHaveText('未发放');
    await expect(travel.getByTestId('history-reason')).toHaveText('行程校验：两次拍拍相距过远、间隔过短');
    await expect(travel).not.toContainText('审核');
    await expect(travel).not.toContainText('优惠券');
    await expect(travel).not.toContainText('FRAUD');

    const capped = historyItem(phone, /已达今日上限/);
    await expect(capped).toHaveCount(1);
    await expect(capped.getByTestId('history-title')).toHaveText('已达今日上限（2/2）');
    await expect(capped.getByTestId('history-reason')).toHaveText('今日该活动已领过');
    await expect(capped.getByTestId('history-status')).toHaveText('未发放');
    await expect(historyItem(phone, /¥0\.50/)).toHaveCount(2);

    // The same rows in English.
    await phone
      .locator('label.mantine-SegmentedControl-label')
      .filter({ hasText: /^English$/ })
      .click();
    const travelEn = historyItem(phone, /Travel check/);
    await expect(travelEn.getByTestId('history-title')).toHaveText('Not paid');
    await expect(travelEn.getByTestId('history-status')).toHaveText('Not paid');
    await expect(travelEn).not.toContainText('Held');
    await expect(travelEn).not.toContainText('Coupon');
    await expect(travelEn.getByTestId('history-brand')).toHaveText(SPONSOR);
    const cappedEn = historyItem(phone, /Daily limit reached/);
    await expect(cappedEn.getByTestId('history-title')).toHaveText('Daily limit reached (2 of 2)');
    await expect(cappedEn.getByTestId('history-reason')).toHaveText('Daily limit for this campaign reached');
    for (const row of await phone.getByTestId('history-item').all()) {
      await expect(row).not.toContainText(/[A-Z]{2,}_[A-Z_]+/);
      await expect(row).not.toContainText(/Held|Under review/);
    }
    expect(browserErrors).toEqual([]);
    await context.close();
  });
});
