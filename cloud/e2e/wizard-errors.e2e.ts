// The campaign wizard's errors in the default Chinese UI. The wizard checks its form with the cloud's own
// schema, so each case is named on its field, in Chinese, before anything is sent: no creative, a text
// file uploaded (the cloud's refusal, on the upload), a seconds box that keeps what is typed, a past start,
// a daypart without days, more than 65,535 envelopes, a 300-character coupon title, negative or zero
// stock, a ¥0 coupon, negative days valid; the chosen fallback coupon stays chosen; no claim path at all,
// and a claim reserve above its bound. The review shows
// everything; an unsaved campaign survives a reload; a refusal of the cloud lands on its field; campaigns
// have a page with edit and duplicate; an overfunding says by how much; and the operator's approval card
// shows targeting, dayparts, coupons and caps.
import { expect, test } from '@playwright/test';
import { SECRET_SCRYPT } from '../src/auth/passwords.ts';
import { createAdvertiser } from '../src/services/accounts.ts';
import { callApi, OPERATOR, startConsoleCloud, type ConsoleCloud } from './support/console-cloud.ts';
import { docScreenshot, signIn } from './support/console-pages.ts';
import {
  loginToken,
  seedAdvertiser,
  seedCampaign,
  seedCreative,
  TEN_ONE_YUAN_ENVELOPES,
} from './support/seed.ts';

const ADVERTISER = { name: 'Tea Co', email: 'brand@tea.test', password: 'advertiser-pass-1' };
const ZONE = 'Asia/Shanghai (GMT+8)';
const DAY_S = 86_400;
/** A 1×1 PNG. */
const PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

let env: ConsoleCloud;
let advertiserId: number;
let operatorToken: string;
/** Signed in once: the cloud limits logins per minute, and each test signs in on the page too. */
let advertiserToken: string;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  env = await startConsoleCloud();
  operatorToken = await loginToken(env.url, OPERATOR);
  advertiserId = await seedAdvertiser(env.url, operatorToken, ADVERTISER);
  advertiserToken = await loginToken(env.url, ADVERTISER);
  const nowS = Math.floor(Date.now() / 1000);
  await seedCampaign(env.url, advertiserToken, {
    name: 'Listed',
    sponsor: 'Tea Co',
    startsAt: nowS,
    endsAt: nowS + DAY_S,
  });
});

test.afterAll(async () => {
  await env.stop();
});

test('the wizard says why Next is disabled, and which bound an amount or coupon misses', async ({
  browser,
}) => {
  // Every case of the form in one walk through it: long on a loaded machine.
  test.setTimeout(300_000);
  const page = await signIn(browser, env.url, ADVERTISER);
  await page.goto('/advertiser/campaigns');
  await expect(page.getByTestId('schedule-zone')).toContainText(ZONE);

  await page.goto('/advertiser/campaigns/new');
  const next = page.getByRole('button', { name: '下一步' });
  const blocked = page.getByTestId('next-blocked');
  await expect(next).toBeDisabled();
  await expect(blocked).toContainText('名称: 必填');
  await expect(blocked).toContainText('赞助品牌: 必填');
  // No creative: the screens would have nothing to play.
  await expect(blocked).toContainText('素材: 请至少上传一个素材：屏幕需要可播放的内容');
  await page.getByLabel('活动名称').fill('午间奶茶');
  await expect(blocked).not.toContainText('名称: 必填');
  await page.getByLabel('屏幕上显示的赞助品牌').fill('Tea Co');

  // A text file is refused by the cloud, and the refusal says what the screens can play.
  await page.locator('input[type=file]').setInputFiles({
    name: 'notes.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('meeting notes, not a poster'),
  });
  const refusal = page.getByRole('alert');
  await expect(refusal.locator('[data-field-code=CONTENT_TYPE_UNSUPPORTED]')).toHaveText(
    '文件: 该文件不是屏幕可播放的图片或视频，请上传 PNG, JPEG, WebP, MP4, WebM。',
  );
  await expect(refusal).not.toContainText('有字段缺失或无效');
  await page
    .locator('input[type=file]')
    .setInputFiles({ name: 'pixel.png', mimeType: 'image/png', buffer: PIXEL_PNG });
  await expect(page.getByTestId('creative')).toHaveCount(1);
  await expect(blocked).toBeHidden();

  // The seconds box keeps what is typed: emptied and retyped it reads 15, not 1510 and then 600.
  const seconds = page.getByLabel('播放秒数');
  await seconds.fill('');
  await seconds.pressSequentially('15');
  await seconds.blur();
  await expect(seconds).toHaveValue('15');
  await seconds.fill('1510');
  await seconds.blur();
  await expect(seconds).toHaveValue('1510');
  await expect(page.getByText('最多 600 秒', { exact: true })).toBeVisible();
  await expect(next).toBeDisabled();
  await seconds.fill('15');
  await expect(blocked).toBeHidden();
  await next.click();

  // Schedule: the inputs name the zone they are read in; a past start and a daypart without days are
  // named on their fields.
  const starts = page.getByLabel(`开始时间 (${ZONE})`);
  await expect(starts).toBeVisible();
  await expect(page.getByLabel(`结束时间 (${ZONE})`)).toBeVisible();
  await expect(page.getByTestId('wizard-zone-help')).toContainText(ZONE);
  const start = await starts.inputValue();
  await starts.fill('2020-01-01T10:00');
  await expect(page.getByText('开始时间已过，请选择现在之后的时间。', { exact: true })).toBeVisible();
  await expect(next).toBeDisabled();
  await starts.fill(start);
  await page.getByRole('button', { name: '添加时段' }).click();
  await expect(page.getByLabel('从 (屏幕当地时间)')).toBeVisible();
  for (const day of ['周一', '周二', '周三', '周四', '周五'])
    await page.getByTestId('daypart-1').getByText(day, { exact: true }).click();
  await expect(page.getByTestId('daypart-1')).toContainText('请至少选择一天');
  await expect(blocked).toContainText('时段 1 · 星期: 请至少选择一天');
  await page.getByTestId('daypart-1').getByText('周三', { exact: true }).click();
  await expect(blocked).toBeHidden();
  await next.click();
  await next.click();

  // Budget: negative and huge amounts get their own message; more than 65,535 envelopes is refused
  // as typed, not capped.
  const total = page.getByLabel('现金总额（预算）');
  await total.fill('-5');
  await expect(page.getByText('金额必须为正数，至少 ¥0.01', { exact: true })).toBeVisible();
  await expect(page.getByText('请输入以元为单位的金额', { exact: true })).toBeHidden();
  await expect(next).toBeDisabled();
  await expect(blocked).toContainText('请修正标红的金额');
  await total.fill('99999999999');
  await expect(page.getByText('金额最多为 ¥42,949,672.95', { exact: true })).toBeVisible();
  await total.fill('0');
  await expect(page.getByText('金额必须为正数，至少 ¥0.01', { exact: true })).toBeVisible();
  await total.fill('100');
  const envelopes = page.getByLabel('红包个数');
  await envelopes.fill('65536');
  await envelopes.blur();
  await expect(envelopes).toHaveValue('65536');
  await expect(blocked).toContainText('红包个数: 不能大于 65535');
  await envelopes.fill('100');
  await expect(blocked).toBeHidden();
  await next.click();

  // Coupons: each bound on its field, nothing rounded, clamped or made positive.
  await page.getByRole('button', { name: '添加优惠券' }).click();
  const title = page.getByLabel('标题 1');
  await title.fill('免'.repeat(300));
  await expect(page.getByTestId('coupon-1')).toContainText('最多 200 个字符');
  await title.fill('免费升杯');
  const stock = page.getByLabel('库存');
  await stock.fill('-5');
  await stock.blur();
  await expect(stock).toHaveValue('-5');
  await expect(page.getByTestId('coupon-1')).toContainText('不能小于 1');
  await stock.fill('0');
  await stock.blur();
  await expect(stock).toHaveValue('0');
  await expect(blocked).toContainText('优惠券 1 · 库存: 不能小于 1');
  await stock.fill('50');
  await page.getByLabel('面值').fill('0');
  await expect(page.getByTestId('coupon-1')).toContainText('金额必须为正数，至少 ¥0.01');
  await page.getByLabel('面值').fill('5');
  await page.getByLabel(`截止日期 (${ZONE})`).fill('2020-01-01');
  await expect(page.getByText('该日期已过或早于活动开始，请选择更晚的日期。', { exact: true })).toBeVisible();
  const days = page.getByLabel('领取后有效天数');
  await days.fill('-3');
  await days.blur();
  await expect(days).toHaveValue('-3');
  await expect(blocked).toContainText('优惠券 1 · 有效天数: 不能小于 1');
  await expect(blocked).toContainText('优惠券 1 · 截止日期: 该日期已过或早于活动开始，请选择更晚的日期。');
  await days.fill('0');
  await days.blur();
  await expect(days).toHaveValue('0');
  await expect(next).toBeDisabled();
  const later = new Date(Date.now() + 60 * DAY_S * 1000).toISOString().slice(0, 10);
  await page.getByLabel(`截止日期 (${ZONE})`).fill(later);
  await days.fill('30');
  await expect(blocked).toBeHidden();

  // The chosen fallback coupon stays chosen when it is picked again.
  const fallback = page.getByRole('textbox', { name: '现金达上限时发放的优惠券' });
  await fallback.click();
  await page.getByRole('option', { name: '免费升杯' }).click();
  await expect(fallback).toHaveValue('免费升杯');
  await fallback.click();
  await page.getByRole('option', { name: '免费升杯' }).click();
  await expect(fallback).toHaveValue('免费升杯');

  // Where people can win: every path to start with and the share kept for online claims; no path at all
  // is refused on its field; QR code only keeps the share, which has the cloud's bounds.
  const reserve = page.getByLabel('为在线领取保留的比例');
  await expect(reserve).toHaveValue('10 %');
  for (const path of ['App 碰一碰', '二维码', '读卡器标签', '贴纸'])
    await page.getByText(path, { exact: true }).click();
  await expect(blocked).toContainText('领取方式');
  await expect(reserve).toBeHidden();
  await page.getByText('二维码', { exact: true }).click();
  await expect(blocked).toBeHidden();
  await reserve.fill('60');
  await reserve.blur();
  await expect(blocked).toContainText('为在线领取保留的比例');
  await reserve.fill('20');
  await expect(blocked).toBeHidden();
  await next.click();

  // The review shows everything the campaign says.
  const review = page.getByTestId('wizard-review');
  await expect(review).toContainText('午间奶茶');
  await expect(page.getByTestId('wizard-dayparts')).toHaveText('周三 07:00–10:00');
  await expect(page.getByTestId('wizard-plan')).toHaveText(
    '拼手气：100 个红包，每个 ¥0.01–¥10.00，共 ¥100.00',
  );
  await expect(page.getByTestId('wizard-coupons')).toContainText(
    '免费升杯：面值 ¥5.00，库存 50 张，领取后 30 天内有效',
  );
  await expect(page.getByTestId('wizard-caps')).toHaveText('现金 1 个，仅券 1 次');
  await expect(page.getByTestId('wizard-fallback')).toHaveText('免费升杯');
  await expect(page.getByTestId('wizard-claim-paths')).toHaveText('二维码 (保留 20% 供在线领取)');
  await expect(page.getByTestId('wizard-targeting')).toHaveText('全部屏幕');
  await expect(page.getByTestId('wizard-creatives')).toHaveText('1 个素材，每轮 15 秒');
  await docScreenshot(page, 'campaign-wizard-review');

  // An unsaved campaign survives a reload.
  await page.reload();
  await expect(page.getByTestId('draft-restored')).toBeVisible();
  await expect(page.getByTestId('wizard-review')).toContainText('午间奶茶');
  await expect(page.getByTestId('wizard-fallback')).toHaveText('免费升杯');

  // A refusal of the cloud lands on its field, in Chinese, on the step that holds it.
  await page.route('**/v1/campaigns', (route) =>
    route.fulfill({
      status: 400,
      contentType: 'application/json',
      body: JSON.stringify({
        error: {
          code: 'VALIDATION_FAILED',
          message: 'couponOffers.0.title: Too big',
          fields: [
            { path: 'couponOffers.0.title', code: 'TOO_LONG', message: 'Too big', params: { maximum: 20 } },
          ],
        },
      }),
    }),
  );
  await page.getByRole('button', { name: '保存草稿' }).click();
  await expect(page.getByLabel('标题 1')).toBeVisible();
  await expect(page.getByTestId('coupon-1')).toContainText('最多 20 个字符');
  await expect(next).toBeDisabled();
  await page.unroute('**/v1/campaigns');
  // Changing the field clears the cloud's word on it.
  await page.getByLabel('标题 1').fill('免费');
  await expect(page.getByTestId('coupon-1')).not.toContainText('最多 20 个字符');
  await page.getByLabel('标题 1').fill('免费升杯');

  // A code this console does not know yet still reads as a sentence in Chinese.
  await next.click();
  await page.route('**/v1/campaigns', (route) =>
    route.fulfill({
      status: 422,
      contentType: 'application/json',
      body: JSON.stringify({ error: { code: 'SOMETHING_NEW', message: 'raw developer text' } }),
    }),
  );
  await page.getByRole('button', { name: '保存草稿' }).click();
  const alert = page.getByRole('alert').filter({ hasText: '出错了，请重试' });
  await expect(alert).toHaveAttribute('data-error-code', 'SOMETHING_NEW');
  await expect(alert).not.toContainText('raw developer text');
  await page.unroute('**/v1/campaigns');

  // Saved for real, the draft is gone from the browser.
  await page.getByRole('button', { name: '保存草稿' }).click();
  await expect(page).toHaveURL(/\/advertiser\/campaigns$/);
  await page.goto('/advertiser/campaigns/new');
  await expect(page.getByTestId('draft-restored')).toBeHidden();
  await expect(page.getByLabel('活动名称')).toHaveValue('');
  await page.context().close();
});

test('a campaign has a page, is edited while a draft, and is copied into a new one', async ({ browser }) => {
  const advertiser = advertiserToken;
  const { items } = await callApi<{ items: { id: number; name: string }[] }>(env.url, '/v1/campaigns', {
    token: advertiser,
  });
  const created = items.find((campaign) => campaign.name === '午间奶茶');
  expect(created).toBeDefined();
  const page = await signIn(browser, env.url, ADVERTISER);
  await page.goto('/advertiser/campaigns');
  await page
    .getByTestId(`campaign-row-${String(created?.id)}`)
    .getByRole('link', { name: '午间奶茶' })
    .click();
  await expect(page).toHaveURL(new RegExp(`/advertiser/campaigns/${String(created?.id)}$`));
  await expect(page.getByRole('heading', { name: '午间奶茶' })).toBeVisible();
  await expect(page.getByTestId('detail-dayparts')).toHaveText('周三 07:00–10:00');
  await expect(page.getByTestId('detail-fallback')).toHaveText('免费升杯');
  await docScreenshot(page, 'campaign-detail');

  await page.getByRole('link', { name: '编辑' }).click();
  await expect(page.getByLabel('活动名称')).toHaveValue('午间奶茶');
  await page.getByLabel('活动名称').fill('午后奶茶');
  const next = page.getByRole('button', { name: '下一步' });
  for (let step = 0; step < 5; step++) await next.click();
  await page.getByRole('button', { name: '保存修改' }).click();
  await expect(page.getByRole('heading', { name: '午后奶茶' })).toBeVisible();
  await expect(page.getByTestId('detail-coupons')).toContainText('免费升杯');

  await page.getByRole('link', { name: '复制' }).click();
  await expect(page.getByLabel('活动名称')).toHaveValue('午后奶茶（副本）');
  for (let step = 0; step < 5; step++) await next.click();
  await expect(page.getByTestId('wizard-fallback')).toHaveText('免费升杯');
  await page.getByRole('button', { name: '创建并提交审核' }).click();
  await expect(page).toHaveURL(/\/advertiser\/campaigns$/);
  const after = await callApi<{ items: { name: string; status: string }[] }>(env.url, '/v1/campaigns', {
    token: advertiser,
  });
  expect(after.items.map((campaign) => [campaign.name, campaign.status])).toEqual(
    expect.arrayContaining([
      ['午后奶茶', 'draft'],
      ['午后奶茶（副本）', 'submitted'],
    ]),
  );
  await page.context().close();
});

test("the operator's approval card shows targeting, dayparts, coupons and caps", async ({ browser }) => {
  const advertiser = advertiserToken;
  const nowS = Math.floor(Date.now() / 1000);
  const campaign = await seedCampaign(env.url, advertiser, {
    name: 'Evening rush',
    sponsor: 'Tea Co',
    startsAt: nowS + 3600,
    endsAt: nowS + 30 * DAY_S,
    dayparts: [{ days: [6, 7], startMinute: 17 * 60, endMinute: 19 * 60 }],
    targeting: { cities: ['上海'], buildings: ['国金中心'], screenGroupIds: [] },
    couponOffers: [
      { title: '第二杯半价', valueFen: 800, stock: 20, validUntil: nowS + 60 * DAY_S, validityDays: 7 },
    ],
    rules: { cashPerWalletPerDay: 2, couponsPerWalletPerDay: 3, fallbackCouponOfferIndex: 0 },
  });
  await callApi(env.url, `/v1/campaigns/${String(campaign.id)}/transitions`, {
    token: advertiser,
    body: { transition: 'submit' },
  });
  const page = await signIn(browser, env.url, OPERATOR);
  await page.goto('/operator/campaigns');
  const card = page.getByTestId(`review-${String(campaign.id)}`);
  await expect(card.getByTestId('review-targeting')).toHaveText('上海, 国金中心');
  await expect(card.getByTestId('review-dayparts')).toHaveText('周六 周日 17:00–19:00');
  await expect(card.getByTestId('review-coupons')).toContainText(
    '第二杯半价：面值 ¥8.00，库存 20 张，领取后 7 天内有效',
  );
  await expect(card.getByTestId('review-caps')).toHaveText('现金 2 个，仅券 3 次');
  await expect(card.getByTestId('review-fallback')).toHaveText('第二杯半价');
  await page.context().close();
});

test('an overfunding says how much the budget still takes, in yuan', async ({ browser }) => {
  const advertiser = advertiserToken;
  await callApi(env.url, `/v1/advertisers/${String(advertiserId)}/funding`, {
    token: operatorToken,
    body: { amountFen: 100_000, transferId: 700_001 },
  });
  const nowS = Math.floor(Date.now() / 1000);
  const campaign = await seedCampaign(env.url, advertiser, {
    name: 'Sixty yuan',
    sponsor: 'Tea Co',
    startsAt: nowS + 3600,
    endsAt: nowS + 30 * DAY_S,
    budgetFen: 6_000,
    prizePlan: { kind: 'tiers', tiers: [{ amountFen: 600, count: 10 }] },
  });
  await callApi(env.url, `/v1/campaigns/${String(campaign.id)}/funding`, {
    token: advertiser,
    body: { amountFen: 5_000, transferId: 700_002 },
  });
  const page = await signIn(browser, env.url, ADVERTISER);
  await page.goto('/advertiser/campaigns');
  await page
    .getByTestId(`campaign-row-${String(campaign.id)}`)
    .getByRole('button', { name: '注资预算' })
    .click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('金额').fill('20');
  await dialog.getByRole('button', { name: '注资预算' }).click();
  await expect(dialog.locator('[data-field-code=BUDGET_EXCEEDED]')).toHaveText(
    '金额: 预算为 ¥60.00，已注资 ¥50.00：最多还能注资 ¥10.00',
  );
  await page.context().close();
});

test('a paused campaign is edited only where no money moves', async ({ browser }) => {
  const advertiser = advertiserToken;
  const nowS = Math.floor(Date.now() / 1000);
  const campaign = await seedCampaign(env.url, advertiser, {
    name: 'Paused tea',
    sponsor: 'Tea Co',
    startsAt: nowS + 3600,
    endsAt: nowS + 30 * DAY_S,
  });
  const run = (transition: string, token: string) =>
    callApi(env.url, `/v1/campaigns/${String(campaign.id)}/transitions`, { token, body: { transition } });
  await run('submit', advertiser);
  await run('approve', operatorToken);
  await callApi(env.url, `/v1/campaigns/${String(campaign.id)}/funding`, {
    token: advertiser,
    body: { amountFen: TEN_ONE_YUAN_ENVELOPES.budgetFen, transferId: 700_010 },
  });
  await run('activate', advertiser);
  await run('pause', advertiser);

  const page = await signIn(browser, env.url, ADVERTISER);
  await page.goto(`/advertiser/campaigns/${String(campaign.id)}`);
  await page.getByRole('link', { name: '编辑' }).click();
  await expect(page.getByTestId('paused-help')).toBeVisible();
  await page.getByLabel('活动名称').fill('Paused tea, renamed');
  // Seeded with one creative, it gets a second: what it plays may change while paused.
  await expect(page.getByTestId('creative')).toHaveCount(1);
  await page
    .locator('input[type=file]')
    .setInputFiles({ name: 'pixel.png', mimeType: 'image/png', buffer: PIXEL_PNG });
  await expect(page.getByTestId('creative')).toHaveCount(2);
  const next = page.getByRole('button', { name: '下一步' });
  await next.click();
  await expect(page.getByLabel(`开始时间 (${ZONE})`)).toBeDisabled();
  await next.click();
  await next.click();
  await expect(page.getByRole('textbox', { name: '固定档位' }).or(page.getByLabel('金额 1'))).toBeDisabled();
  await next.click();
  await next.click();
  await page.getByRole('button', { name: '保存修改' }).click();
  await expect(page.getByRole('heading', { name: 'Paused tea, renamed' })).toBeVisible();
  await expect(page.getByTestId('campaign-status')).toHaveText('已暂停');
  await expect(page.getByTestId('detail-creatives')).toContainText('2 个素材');
  await page.context().close();
});

test('the API refuses the expired coupon the wizard would have refused, naming its field', async () => {
  const advertiser = advertiserToken;
  const nowS = Math.floor(Date.now() / 1000);
  const creatives = [{ sha256: await seedCreative(env.url, advertiser), durationMs: 15_000 }];
  const response = await fetch(`${env.url}/v1/campaigns`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${advertiser}` },
    body: JSON.stringify({
      name: 'Expired coupon',
      sponsor: 'Tea Co',
      startsAt: nowS,
      endsAt: nowS + DAY_S,
      ...TEN_ONE_YUAN_ENVELOPES,
      couponOffers: [{ title: 'Old', valueFen: 500, stock: 10, validUntil: nowS - DAY_S, validityDays: 30 }],
      creatives,
    }),
  });
  expect(response.status).toBe(400);
  const { error } = (await response.json()) as { error: { code: string; fields: { path: string }[] } };
  expect(error.code).toBe('COUPON_OFFER_EXPIRED');
  expect(error.fields.map((field) => field.path)).toEqual(['couponOffers.0.validUntil']);
});

test("the operator's advertiser picker offers every advertiser, past the API's page of 100", async ({
  browser,
}) => {
  // Seeded through the service with cheap password hashing: the picker is under test, not the 101
  // sign-up requests (each a login-strength scrypt, minutes together on a busy machine).
  let lastId = 0;
  for (let i = 0; i < 101; i++) {
    const { advertiser } = await createAdvertiser(
      env.cloud.database.db,
      {
        name: `Picker brand ${String(i)}`,
        email: `picker-${String(i)}@tea.test`,
        password: 'advertiser-pass-1',
      },
      SECRET_SCRYPT,
    );
    lastId = advertiser.id;
  }
  const page = await signIn(browser, env.url, OPERATOR);
  await page.goto('/advertiser/campaigns/new');
  const picker = page.getByRole('textbox', { name: '广告主' });
  await picker.click();
  await picker.fill('Picker brand 100');
  await expect(page.getByRole('option', { name: `#${String(lastId)} Picker brand 100` })).toBeVisible();
  await page.context().close();
});
