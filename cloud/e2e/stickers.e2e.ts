// Sticker tags in the operator console against a real cloud: importing a batch (a dry run names the
// bad row, then a clean import), binding a sticker to a screen from its page, seeing it listed and
// unbinding it; a screen with an online claim shows how long ago and by which path, on its page and in
// the screens list.
import { randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import {
  encodeTicketText,
  enrolmentMessage,
  generateKeyPair,
  loginMessage,
  sign,
  SignatureLabel,
  signTicket,
  TicketPath,
  toHex,
} from '@redtap/shared';
import {
  OPERATOR,
  startConsoleCloud,
  type ConsoleCloud,
  callApi,
  type ApiInit,
} from './support/console-cloud.ts';
import { browserErrorLog, signIn } from './support/console-pages.ts';
import { loginToken, seedAdvertiser, seedCampaign, seedScreen } from './support/seed.ts';

const BRAND = { name: 'Sticker Tea', email: 'brand@stickers.test', password: 'advertiser-pass-5' };
const ENVELOPE_FEN = 50;
const UID = '04c0ffee00aa01';
const OTHER_UID = '04c0ffee00aa02';

let env: ConsoleCloud;
let screenId = 0;
const { errors: browserErrors, watch } = browserErrorLog();

const api = <T>(path: string, init?: ApiInit): Promise<T> => callApi<T>(env.url, path, init);

/** A phone-key wallet signed in through the API, as a phone without the app would be. */
async function walletToken(): Promise<string> {
  const phone = generateKeyPair();
  const { walletId } = await api<{ walletId: number }>('/v1/wallets', {
    body: { publicKey: toHex(phone.publicKeyRaw) },
  });
  const { nonce } = await api<{ nonce: string }>(`/v1/wallets/${walletId}/login-challenge`);
  const signature = sign(
    SignatureLabel.login,
    loginMessage(walletId, Buffer.from(nonce, 'hex')),
    phone.privateKey,
  );
  const { token } = await api<{ token: string }>(`/v1/wallets/${walletId}/login`, {
    body: { nonce, signature: toHex(signature) },
  });
  return token;
}

test.describe.serial('sticker tags', () => {
  test.beforeAll(async () => {
    env = await startConsoleCloud();
    const operatorToken = await loginToken(env.url, OPERATOR);
    const brandId = await seedAdvertiser(env.url, operatorToken, BRAND);
    await api(`/v1/advertisers/${brandId}/funding`, {
      token: operatorToken,
      body: { amountFen: 100_000, transferId: 81_001 },
    });
    const brandToken = await loginToken(env.url, BRAND);
    screenId = await seedScreen(env.url, operatorToken, {
      name: '国金中心 5 号梯',
      city: '上海',
      building: '国金中心',
      elevator: 'E5',
    });
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
        signature: toHex(
          sign(SignatureLabel.enroll, enrolmentMessage(code, key.publicKeyRaw), key.privateKey),
        ),
      },
      status: 201,
    });
    const nowS = Math.floor(Date.now() / 1000);
    const campaign = await seedCampaign(env.url, brandToken, {
      name: 'Sticker spring',
      sponsor: '贴纸茶',
      startsAt: nowS - 3600,
      endsAt: nowS + 30 * 86_400,
      targeting: { cities: ['上海'], buildings: [], screenGroupIds: [] },
      budgetFen: 400 * ENVELOPE_FEN,
      prizePlan: { kind: 'tiers', tiers: [{ amountFen: ENVELOPE_FEN, count: 400 }] },
      rules: { cashPerWalletPerDay: 2, couponsPerWalletPerDay: 1, fallbackCouponOfferIndex: null },
    });
    const transition = (name: string, token: string) =>
      api(`/v1/campaigns/${campaign.id}/transitions`, { token, body: { transition: name } });
    await transition('submit', brandToken);
    await transition('approve', operatorToken);
    await api(`/v1/campaigns/${campaign.id}/funding`, {
      token: brandToken,
      body: { amountFen: 400 * ENVELOPE_FEN, transferId: 81_002 },
    });
    await transition('activate', brandToken);
    // One claim of the screen's QR ticket, as a phone that scanned it would make.
    const { bytes } = signTicket(
      {
        screenId,
        ticketSeq: 1,
        ts: Math.floor(Date.now() / 1000),
        campaignId: campaign.id,
        path: TicketPath.screenQr,
        nonce: new Uint8Array(randomBytes(8)),
      },
      key.privateKey,
    );
    const claimed = await api<{ status: string; code: string | null }>('/v1/wallet/claims', {
      token: await walletToken(),
      body: { ticket: encodeTicketText(bytes) },
    });
    expect(claimed).toMatchObject({ status: 'credited', code: null });
  });

  test.afterAll(async () => {
    await env.stop();
  });

  test('an operator imports a batch after a dry run, binds a sticker, sees it and unbinds it', async ({
    browser,
  }) => {
    const page = await signIn(browser, env.url, OPERATOR, watch);
    await page.getByRole('link', { name: '贴纸标签' }).click();
    await page.getByLabel('批次名称').fill('Bezels 2026');
    await page.getByLabel('批次密钥（十六进制）').fill('00112233445566778899aabbccddeeff');
    const uids = page.getByLabel('UID 列表');
    await uids.fill(`${UID}\n04-not-a-uid\n${OTHER_UID}`);
    await page.getByRole('button', { name: '试运行' }).click();
    const dryRun = page.getByTestId('dry-run-result');
    await expect(dryRun).toContainText('1 行被拒绝，2 行有效');
    await expect(page.getByTestId('row-error-2')).toContainText('04-not-a-uid');
    await expect(page.getByTestId('row-error-2')).toContainText('标签 UID 无效');

    await uids.fill(`${UID}\n${OTHER_UID}`);
    await page.getByRole('button', { name: '试运行' }).click();
    await expect(dryRun).toContainText('全部 2 行都有效');
    await page.getByRole('button', { name: '导入', exact: true }).click();
    await expect(page.getByText('已导入，共 2 个标签')).toBeVisible();
    const batchRow = page.locator('[data-testid^="batch-"]');
    await expect(batchRow).toHaveCount(1);
    await expect(batchRow).toContainText('Bezels 2026');

    await page.goto(`/operator/screens/${screenId}`);
    const stickers = page.getByTestId('screen-stickers');
    await expect(stickers).toContainText('这块屏幕还没有绑定贴纸');
    await stickers.getByLabel('标签 UID').fill('zz');
    await stickers.getByRole('button', { name: '绑定' }).click();
    await expect(stickers).toContainText('标签 UID 是 14 个十六进制字符');
    await stickers.getByLabel('标签 UID').fill('04ffffffffffff');
    await stickers.getByRole('button', { name: '绑定' }).click();
    await expect(stickers).toContainText('没有导入过这个 UID 的贴纸');
    // A printed UID with colons is read as its hex.
    await stickers.getByLabel('标签 UID').fill('04:C0:FF:EE:00:AA:01');
    await stickers.getByRole('button', { name: '绑定' }).click();
    await expect(page.getByTestId(`sticker-${UID}`)).toBeVisible();
    await expect(page.getByTestId('sticker-count')).toHaveText('1');
    await expect(page.getByTestId(`sticker-${UID}`)).toContainText('从未读取');

    await page.goto('/operator/screens');
    await expect(page.getByTestId(`stickers-${screenId}`)).toHaveText('1');

    await page.goto(`/operator/screens/${screenId}`);
    await page.getByTestId(`sticker-${UID}`).getByRole('button', { name: '解绑' }).click();
    await expect(page.getByTestId(`sticker-${UID}`)).toHaveCount(0);
    await expect(page.getByTestId('sticker-count')).toHaveText('0');
    await expect(stickers).toContainText('这块屏幕还没有绑定贴纸');
    expect(browserErrors).toEqual([]);
  });

  test('a screen with a claim shows its last claim and its path, on its page and in the list', async ({
    browser,
  }) => {
    const page = await signIn(browser, env.url, OPERATOR, watch);
    await page.goto(`/operator/screens/${screenId}`);
    const lastClaim = page.getByTestId('screen-last-claim');
    await expect(lastClaim).toContainText('二维码');
    await expect(lastClaim).not.toContainText('还没有领取');
    await page.goto('/operator/screens');
    await expect(page.getByTestId(`last-claim-${screenId}`)).toContainText('二维码');
    expect(browserErrors).toEqual([]);
  });
});
