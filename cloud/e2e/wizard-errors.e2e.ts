// The campaign wizard's errors in the default Chinese UI: a disabled "Next" says what is missing; budget
// boxes name the bound a negative or huge amount misses; a past coupon date and zero days valid are
// refused inline (not rounded up); schedule inputs and the campaign list name their time zone; and an
// API error shows its translated message, never the raw code or the API's developer text in fen.
import { expect, test } from '@playwright/test';
import { OPERATOR, startConsoleCloud, type ConsoleCloud } from './support/console-cloud.ts';
import { signIn } from './support/console-pages.ts';
import { loginToken, seedAdvertiser, seedCampaign, TEN_ONE_YUAN_ENVELOPES } from './support/seed.ts';

const ADVERTISER = { name: 'Tea Co', email: 'brand@tea.test', password: 'advertiser-pass-1' };
const ZONE = 'Asia/Shanghai (GMT+8)';

let env: ConsoleCloud;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  env = await startConsoleCloud();
  const operator = await loginToken(env.url, OPERATOR);
  await seedAdvertiser(env.url, operator, ADVERTISER);
  const advertiser = await loginToken(env.url, ADVERTISER);
  const nowS = Math.floor(Date.now() / 1000);
  await seedCampaign(env.url, advertiser, {
    name: 'Listed',
    sponsor: 'Tea Co',
    startsAt: nowS,
    endsAt: nowS + 86_400,
  });
});

test.afterAll(async () => {
  await env.stop();
});

test('the wizard says why Next is disabled, and which bound an amount or coupon misses', async ({
  browser,
}) => {
  const page = await signIn(browser, env.url, ADVERTISER);
  await page.goto('/advertiser/campaigns');
  await expect(page.getByTestId('schedule-zone')).toContainText(ZONE);

  await page.goto('/advertiser/campaigns/new');
  const next = page.getByRole('button', { name: '下一步' });
  const blocked = page.getByTestId('next-blocked');
  await expect(next).toBeDisabled();
  await expect(blocked).toContainText('请填写活动名称');
  await expect(blocked).toContainText('请填写屏幕上显示的赞助品牌');
  await page.getByLabel('活动名称').fill('午间奶茶');
  await expect(blocked).not.toContainText('请填写活动名称');
  await page.getByLabel('屏幕上显示的赞助品牌').fill('Tea Co');
  await expect(blocked).toBeHidden();
  await next.click();

  // Schedule: the inputs name the zone they are read in; dayparts say they follow the screen.
  await expect(page.getByLabel(`开始时间 (${ZONE})`)).toBeVisible();
  await expect(page.getByLabel(`结束时间 (${ZONE})`)).toBeVisible();
  await expect(page.getByTestId('wizard-zone-help')).toContainText(ZONE);
  await page.getByRole('button', { name: '添加时段' }).click();
  await expect(page.getByLabel('从 (屏幕当地时间)')).toBeVisible();
  await next.click();
  await next.click();

  // Budget: negative and huge amounts get their own message, not "enter an amount in yuan".
  const total = page.getByLabel('现金总额（预算）');
  await total.fill('-5');
  await expect(page.getByText('金额必须为正数，至少 ¥0.01')).toBeVisible();
  await expect(page.getByText('请输入以元为单位的金额')).toBeHidden();
  await expect(page.getByTestId('plan-problem')).toBeHidden();
  await expect(next).toBeDisabled();
  await expect(blocked).toContainText('请修正标红的金额');
  await total.fill('99999999999');
  await expect(page.getByText('金额最多为 ¥42,949,672.95')).toBeVisible();
  await total.fill('0');
  await expect(page.getByText('金额必须为正数，至少 ¥0.01')).toBeVisible();
  await total.fill('100');
  await expect(blocked).toBeHidden();
  await next.click();

  // Coupons: a past date and zero days are refused inline; zero is not rounded up to one.
  await page.getByRole('button', { name: '添加优惠券' }).click();
  await page.getByLabel('标题 1').fill('免费升杯');
  await page.getByLabel(`截止日期 (${ZONE})`).fill('2020-01-01');
  await expect(page.getByText('该日期已过或早于活动开始，请选择更晚的日期。')).toBeVisible();
  const days = page.getByLabel('领取后有效天数');
  await days.fill('0');
  await days.blur();
  await expect(days).toHaveValue('0');
  await expect(page.getByText('请输入 1 到 3650 之间的整数天数')).toBeVisible();
  await expect(next).toBeDisabled();
  await expect(blocked).toContainText('优惠券 1：请修正截止日期');
  await expect(blocked).toContainText('优惠券 1：请修正有效天数');
  const later = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel(`截止日期 (${ZONE})`).fill(later);
  await days.fill('30');
  await expect(blocked).toBeHidden();
  await next.click();

  // An API refusal shows its translated message, not the code or the developer text in fen.
  await page.route('**/v1/campaigns', (route) =>
    route.fulfill({
      status: 400,
      contentType: 'application/json',
      body: JSON.stringify({ error: { code: 'MONEY_INVALID', message: 'the budget is 17680 fen' } }),
    }),
  );
  await page.getByRole('button', { name: '保存草稿' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toHaveAttribute('data-error-code', 'MONEY_INVALID');
  await expect(alert).toContainText('金额无效');
  await expect(alert).not.toContainText('MONEY_INVALID');
  await expect(alert).not.toContainText('fen');

  // A code this console does not know yet still reads as a sentence in Chinese.
  await page.unroute('**/v1/campaigns');
  await page.route('**/v1/campaigns', (route) =>
    route.fulfill({
      status: 422,
      contentType: 'application/json',
      body: JSON.stringify({ error: { code: 'SOMETHING_NEW', message: 'raw developer text' } }),
    }),
  );
  await page.getByRole('button', { name: '保存草稿' }).click();
  await expect(alert).toHaveAttribute('data-error-code', 'SOMETHING_NEW');
  await expect(alert).toContainText('出错了，请重试');
  await expect(alert).not.toContainText('raw developer text');
  await page.context().close();
});

test('the API refuses the expired coupon the wizard would have refused', async () => {
  const advertiser = await loginToken(env.url, ADVERTISER);
  const nowS = Math.floor(Date.now() / 1000);
  const response = await fetch(`${env.url}/v1/campaigns`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${advertiser}` },
    body: JSON.stringify({
      name: 'Expired coupon',
      sponsor: 'Tea Co',
      startsAt: nowS,
      endsAt: nowS + 86_400,
      ...TEN_ONE_YUAN_ENVELOPES,
      couponOffers: [{ title: 'Old', valueFen: 500, stock: 10, validUntil: nowS - 86_400, validityDays: 30 }],
    }),
  });
  expect(response.status).toBe(400);
  expect(((await response.json()) as { error: { code: string } }).error.code).toBe('COUPON_OFFER_EXPIRED');
});
