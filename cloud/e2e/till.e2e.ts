// Coupons end to end in the browser, against a real cloud: a phone-path tap whose token carries a coupon
// puts it in the browser wallet; the brand registers a merchant and store in the console, picks the offer
// it accepts and issues a till key (shown once); a cashier opens /till on a phone-sized screen with that
// key, types the code (sloppily) and redeems it, and a second attempt and a typo are refused with their
// reasons; the wallet shows the coupon redeemed and the brand's report shows the redemption.
import { createPrivateKey } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import {
  encodeChallenge,
  enrolmentMessage,
  ENVELOPE_INDEX_NONE,
  generateKeyPair,
  loginMessage,
  sign,
  SignatureLabel,
  signTapToken,
  toHex,
  type KeyPair,
} from '@redtap/shared';
import {
  OPERATOR,
  startConsoleCloud,
  type ConsoleCloud,
  callApi,
  type ApiInit,
} from './support/console-cloud.ts';
import { browserErrorLog, createBrowserWallet, newPhoneContext, signIn } from './support/console-pages.ts';
import { loginToken, seedAdvertiser, seedCampaign, seedScreen } from './support/seed.ts';

const BRAND = { name: '喜茶 HEYTEA', email: 'brand@heytea.test', password: 'advertiser-pass-2' };

let env: ConsoleCloud;
let screenId = 0;
let screenKey: KeyPair;
let campaignId = 0;
let offerId = 0;
let brandToken = '';
const { errors: browserErrors, watch } = browserErrorLog();

const api = <T>(path: string, init?: ApiInit): Promise<T> => callApi<T>(env.url, path, init);

test.describe.serial('coupons at the till', () => {
  test.beforeAll(async () => {
    env = await startConsoleCloud();
    // The brand, an enrolled screen and an active campaign with one coupon offer, through the API (the
    // console flows for these have their own test).
    const operator = await loginToken(env.url, OPERATOR);
    const brandId = await seedAdvertiser(env.url, operator, BRAND);
    await api(`/v1/advertisers/${brandId}/funding`, {
      token: operator,
      body: { amountFen: 100_000, transferId: 77_001 },
    });
    brandToken = await loginToken(env.url, BRAND);
    const nowS = Math.floor(Date.now() / 1000);
    const campaign = await seedCampaign(env.url, brandToken, {
      name: 'Summer tea',
      sponsor: '喜茶',
      startsAt: nowS - 3600,
      endsAt: nowS + 30 * 86_400,
      targeting: { cities: ['上海'], buildings: [], screenGroupIds: [] },
      couponOffers: [
        {
          title: '第二杯半价',
          valueFen: 1_500,
          stock: 1_000,
          validUntil: nowS + 60 * 86_400,
          validityDays: 7,
          terms: '限堂食',
        },
      ],
      rules: { cashPerWalletPerDay: 1, couponsPerWalletPerDay: 3, fallbackCouponOfferIndex: 0 },
    });
    campaignId = campaign.id;
    offerId = campaign.couponOffers[0]?.id ?? 0;
    const transition = (name: string, token: string) =>
      api(`/v1/campaigns/${campaignId}/transitions`, { token, body: { transition: name } });
    await transition('submit', brandToken);
    await transition('approve', operator);
    await api(`/v1/campaigns/${campaignId}/funding`, {
      token: brandToken,
      body: { amountFen: 1_000, transferId: 77_002 },
    });
    await transition('activate', brandToken);
    // The screen joins after activation; the deck it is then issued takes a fallback allotment of about
    // 135 coupons (its demand at the default rate), so the stock of 1,000 leaves the fallback coupon
    // this test taps for in the pool.
    screenId = await seedScreen(env.url, operator, {
      name: '来福士 3 号梯',
      city: '上海',
      building: '来福士',
      elevator: 'C3',
    });
    const { code } = await api<{ code: string }>(`/v1/screens/${screenId}/enrolment-codes`, {
      token: operator,
      body: {},
      status: 201,
    });
    screenKey = generateKeyPair();
    await api('/v1/enrol', {
      body: {
        code,
        publicKey: toHex(screenKey.publicKeyRaw),
        signature: toHex(
          sign(SignatureLabel.enroll, enrolmentMessage(code, screenKey.publicKeyRaw), screenKey.privateKey),
        ),
      },
      status: 201,
    });
  });

  test.afterAll(async () => {
    await env.stop();
  });

  test('a tapped coupon is redeemed at the till by typing its code, and the report shows it', async ({
    browser,
  }) => {
    // 1. The phone: a browser wallet, and a coupon-only tap on the phone path.
    const phoneContext = await newPhoneContext(browser, env.url);
    const phone = watch(await phoneContext.newPage());
    const exported = await createBrowserWallet(phone);
    const challenge = {
      screenId,
      counter: 1,
      ts: Math.floor(Date.now() / 1000) - 5,
      nonce: new Uint8Array(16).fill(7),
      campaignId,
    };
    const walletKey = createPrivateKey({ key: exported.jwk, format: 'jwk' });
    const { bytes } = signTapToken(
      {
        ...challenge,
        walletId: exported.walletId,
        credentialSerial: exported.credentialSerial,
        phoneSignature: sign(SignatureLabel.challenge, encodeChallenge(challenge), walletKey),
        deckId: 0,
        envelopeIndex: ENVELOPE_INDEX_NONE,
        amountFen: 0,
        couponOfferId: offerId,
        flags: 2,
      },
      screenKey.privateKey,
    );
    // The won code is only shown to the owning wallet's session, so the phone signs in with its key.
    const { nonce } = await api<{ nonce: string }>(`/v1/wallets/${exported.walletId}/login-challenge`);
    const session = await api<{ token: string }>(`/v1/wallets/${exported.walletId}/login`, {
      body: {
        nonce,
        signature: toHex(
          sign(SignatureLabel.login, loginMessage(exported.walletId, Buffer.from(nonce, 'hex')), walletKey),
        ),
      },
    });
    const won = await api<{ status: string; couponCode: string }>('/v1/redeem', {
      token: session.token,
      body: { token: toHex(bytes) },
    });
    expect(won.status).toBe('credited');
    expect(won.couponCode).toMatch(/^([0-9A-Z]{4}-){4}[0-9A-Z]$/);
    await phone.reload();
    await phone
      .locator('label.mantine-SegmentedControl-label')
      .filter({ hasText: /^优惠券$/ })
      .click();
    const card = phone.getByTestId('coupon');
    await expect(card).toContainText(won.couponCode);
    await expect(card.getByRole('img', { name: `券码 ${won.couponCode}` })).toBeVisible();

    // 2. The brand registers a merchant and store, accepts the offer and issues a till key.
    const brandPage = await signIn(browser, env.url, BRAND, watch);
    await brandPage.getByRole('link', { name: '商户与门店' }).click();
    await brandPage.getByLabel('商户名称').fill('喜茶加盟');
    await brandPage.getByRole('button', { name: '登记商户' }).click();
    await brandPage.getByRole('button', { name: '新增门店' }).click();
    const dialog = brandPage.getByRole('dialog');
    await dialog.getByLabel('门店名称').fill('来福士店');
    await dialog.getByLabel('城市').fill('上海');
    await dialog.getByLabel('地址').fill('西藏中路 268 号 B1');
    await dialog.getByRole('button', { name: '创建' }).click();
    const row = brandPage.locator('[data-testid^=store-row-]').first();
    await row.getByRole('textbox', { name: '可核销的券' }).click();
    await brandPage.getByRole('option', { name: /第二杯半价/ }).click();
    await brandPage.keyboard.press('Escape');
    await row.getByRole('button', { name: '保存' }).click();
    await expect(row.getByRole('button', { name: '保存' })).toHaveCount(0);
    await row.getByRole('button', { name: '发放收银密钥' }).click();
    const tillKey = (await brandPage.getByTestId('till-key').textContent()) ?? '';
    expect(tillKey).toMatch(/^rttk_/);
    await brandPage.keyboard.press('Escape');
    await expect(row).toContainText('1 个有效');

    // 3. The cashier, on a phone-sized till: a typo is caught locally, the real code is redeemed once.
    const tillContext = await newPhoneContext(browser, env.url);
    const till = watch(await tillContext.newPage());
    await till.goto('/till');
    await till.getByLabel('收银密钥').fill(tillKey);
    await till.getByRole('button', { name: '进入核销' }).click();
    await expect(till.getByTestId('till-store')).toHaveText('喜茶加盟 · 来福士店');
    const codeInput = till.getByLabel('券码');
    const body = won.couponCode.replaceAll('-', '');
    const typo = `${body.slice(0, 5)}${body.charAt(5) === 'A' ? 'B' : 'A'}${body.slice(6)}`;
    await codeInput.fill(typo);
    await till.getByRole('button', { name: '查询' }).click();
    await expect(till.getByTestId('till-reason')).toHaveAttribute('data-code', 'COUPON_CODE_INVALID');
    await expect(till.getByTestId('till-reason')).toHaveText('券码输入有误，请逐位核对后重试。');

    await codeInput.fill(won.couponCode.toLowerCase().replaceAll('-', ' '));
    await till.getByRole('button', { name: '查询' }).click();
    await expect(till.getByTestId('till-valid')).toBeVisible();
    await expect(till.getByTestId('till-coupon')).toContainText('第二杯半价');
    await till.getByRole('button', { name: '核销 ¥15.00' }).click();
    await expect(till.getByTestId('till-redeemed')).toBeVisible();

    await till.getByRole('button', { name: '下一位顾客' }).click();
    await codeInput.fill(won.couponCode);
    await till.getByRole('button', { name: '查询' }).click();
    await expect(till.getByTestId('till-reason')).toHaveAttribute('data-code', 'COUPON_ALREADY_REDEEMED');
    await segmentEnglish(till);
    await expect(till.getByTestId('till-reason')).toHaveText('This coupon was already redeemed.');

    // 4. The wallet shows it redeemed; the brand's report counts the redemption.
    await phone.reload();
    await phone
      .locator('label.mantine-SegmentedControl-label')
      .filter({ hasText: /^优惠券$/ })
      .click();
    await expect(phone.getByTestId('coupon-redeemed')).toHaveText('已核销');
    await brandPage.goto('/reports');
    const campaignRow = brandPage.getByTestId(`coupon-row-campaign-${campaignId}`);
    await expect(campaignRow.getByTestId('coupon-redeemed')).toHaveText('1');
    await brandPage
      .locator('label.mantine-SegmentedControl-label')
      .filter({ hasText: /^按门店$/ })
      .click();
    await expect(
      brandPage.locator('[data-testid^=coupon-row-store-]').getByTestId('coupon-redeemed'),
    ).toHaveText('1');
    const download = brandPage.waitForEvent('download');
    await brandPage.getByRole('button', { name: '导出优惠券 CSV' }).click();
    const csv = await (await download).createReadStream();
    let text = '';
    for await (const chunk of csv) text += String(chunk);
    // UTF-8 with a byte order mark, so Excel reads the Chinese store names.
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text.slice(1).split('\n')[0]).toBe(
      'store,label,issued,redeemed,expired,redemption_rate,redeem_median_s,redeem_p90_s',
    );
    expect(browserErrors).toEqual([]);
    await phoneContext.close();
    await tillContext.close();
    await brandPage.context().close();
  });
});

async function segmentEnglish(page: Page): Promise<void> {
  await page
    .locator('label.mantine-SegmentedControl-label')
    .filter({ hasText: /^English$/ })
    .click();
}
