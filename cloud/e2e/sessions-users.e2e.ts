// Sessions, users and the audit log in the browser, against a real cloud: a signed-in operator's second
// tab is signed in too; signing out ends the session on the server, so the copied cookie value (or a
// wallet's copied token) is worth nothing; a till opened in one tab serves every tab; an operator disables a brand user (whose open
// console and till key stop at once), resets a password the user then signs in with, and reads all of
// it in the audit log.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { OPERATOR, startConsoleCloud, type ConsoleCloud, callApi } from './support/console-cloud.ts';
import {
  browserErrorLog,
  createBrowserWallet,
  docScreenshot,
  newPhoneContext,
  signIn,
} from './support/console-pages.ts';
import { loginToken, seedAdvertiser } from './support/seed.ts';

const BRAND = { name: '奈雪的茶', email: 'staff@naixue.test', password: 'advertiser-pass-3' };
const NEW_PASSWORD = 'reset-password-9';

let env: ConsoleCloud;
let tillKey = '';
const { errors: browserErrors, watch } = browserErrorLog();

/** The session cookie's value as an attacker who copied it from the browser would hold it. */
async function sessionCookie(page: Page): Promise<string> {
  const cookies = await page.context().cookies();
  const session = cookies.find((cookie) => cookie.name === 'redtap_session');
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe('Strict');
  return session?.value ?? '';
}

async function meStatus(token: string): Promise<number> {
  const response = await fetch(`${env.url}/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
  return response.status;
}

async function signInOnPage(browser: Browser, user: { email: string; password: string }): Promise<Page> {
  return signIn(browser, env.url, user, watch);
}

test.describe.serial('sessions, users and the audit log', () => {
  test.beforeAll(async () => {
    env = await startConsoleCloud();
    const operator = await loginToken(env.url, OPERATOR);
    await seedAdvertiser(env.url, operator, BRAND);
    const brand = await loginToken(env.url, BRAND);
    const merchant = await callApi<{ id: number }>(env.url, '/v1/merchants', {
      token: brand,
      body: { name: '奈雪加盟' },
      status: 201,
    });
    const store = await callApi<{ id: number }>(env.url, `/v1/merchants/${merchant.id}/stores`, {
      token: brand,
      body: { name: '静安店', city: '上海', address: '南京西路 1 号' },
      status: 201,
    });
    tillKey = (
      await callApi<{ key: string }>(env.url, `/v1/stores/${store.id}/till-keys`, {
        token: brand,
        body: {},
        status: 201,
      })
    ).key;
  });

  test.afterAll(async () => {
    await env.stop();
  });

  test('a second tab is signed in; sign-out ends the session for the copied token', async ({ browser }) => {
    const first = await signInOnPage(browser, OPERATOR);
    const copied = await sessionCookie(first);
    expect(await meStatus(copied)).toBe(200);

    const second = watch(await first.context().newPage());
    await second.goto('/operator/advertisers');
    await expect(second.getByRole('button', { name: '退出登录' })).toBeVisible();
    await expect(second.getByRole('heading', { name: '广告主' })).toBeVisible();

    await first.getByRole('button', { name: '退出登录' }).click();
    await expect(first.getByRole('button', { name: '登录' })).toBeVisible();
    expect(await meStatus(copied)).toBe(401);
    // The other tab is signed out too, the next time it asks.
    await second.reload();
    await expect(second.getByRole('button', { name: '登录' })).toBeVisible();
    await first.context().close();
  });

  test('a wallet that signs out ends its session on the server for the copied token', async ({ browser }) => {
    const context = await newPhoneContext(browser, env.url);
    const phone = watch(await context.newPage());
    await createBrowserWallet(phone);
    // The e2e tsconfig has no DOM types: the page's storage is read as a plain string.
    const stored = await phone.evaluate<string | null>("sessionStorage.getItem('redtap.wallet.session')");
    const copied = (JSON.parse(stored ?? '{}') as { token?: string }).token ?? '';
    const walletMe = async () =>
      (await fetch(`${env.url}/v1/wallets/me`, { headers: { authorization: `Bearer ${copied}` } })).status;
    expect(await walletMe()).toBe(200);
    await phone.getByRole('button', { name: '退出登录' }).click();
    await expect(phone.getByTestId('wallet-balance')).toHaveCount(0);
    await expect.poll(walletMe).toBe(401);
    await context.close();
  });

  test('a till opened in one tab serves every tab of the browser', async ({ browser }) => {
    const context = await newPhoneContext(browser, env.url);
    const till = watch(await context.newPage());
    await till.goto('/till');
    await till.getByLabel('收银密钥').fill(tillKey);
    await till.getByRole('button', { name: '进入核销' }).click();
    await expect(till.getByTestId('till-store')).toHaveText('奈雪加盟 · 静安店');
    const cookies = await context.cookies();
    expect(cookies.find((cookie) => cookie.name === 'redtap_till')?.httpOnly).toBe(true);

    const other = watch(await context.newPage());
    await other.goto('/till');
    await expect(other.getByTestId('till-store')).toHaveText('奈雪加盟 · 静安店');
    await context.close();
  });

  test('an operator disables a brand user: their open console and till key stop at once', async ({
    browser,
  }) => {
    const brand = await signInOnPage(browser, BRAND);
    await expect(brand.getByRole('button', { name: '退出登录' })).toBeVisible();
    const tillContext = await newPhoneContext(browser, env.url);
    const till = watch(await tillContext.newPage());
    await till.goto('/till');
    await till.getByLabel('收银密钥').fill(tillKey);
    await till.getByRole('button', { name: '进入核销' }).click();
    await expect(till.getByTestId('till-store')).toBeVisible();

    const operator = await signInOnPage(browser, OPERATOR);
    await operator.getByRole('link', { name: '用户', exact: true }).click();
    const row = operator.locator(`[data-testid=user-row][data-email="${BRAND.email}"]`);
    await row.getByRole('button', { name: '停用' }).click();
    await expect(row.getByText('已停用')).toBeVisible();

    await brand.reload();
    await expect(brand.getByRole('button', { name: '登录' })).toBeVisible();
    await brand.getByLabel('邮箱').fill(BRAND.email);
    await brand.getByLabel('密码').fill(BRAND.password);
    await brand.getByRole('button', { name: '登录' }).click();
    await expect(brand.getByRole('alert')).toBeVisible();
    await till.reload();
    await expect(till.getByLabel('收银密钥')).toBeVisible();

    // Enabled again, the key the user issued works again; the old session stays ended.
    await row.getByRole('button', { name: '启用' }).click();
    await expect(row.getByText('正常')).toBeVisible();
    await docScreenshot(operator, 'users');
    await operator.context().close();
    await brand.context().close();
    await tillContext.close();
  });

  test('an operator resets a password; the user signs in with the new one', async ({ browser }) => {
    const brand = await signInOnPage(browser, BRAND);
    const operator = await signInOnPage(browser, OPERATOR);
    await operator.getByRole('link', { name: '用户', exact: true }).click();
    const row = operator.locator(`[data-testid=user-row][data-email="${BRAND.email}"]`);
    await row.getByRole('button', { name: '重置密码' }).click();
    const dialog = operator.getByRole('dialog');
    await dialog.getByLabel('新密码').fill(NEW_PASSWORD);
    await dialog.getByRole('button', { name: '设置密码' }).click();
    await expect(dialog).toBeHidden();

    // The brand's open session ended with the reset.
    await brand.reload();
    await expect(brand.getByRole('button', { name: '登录' })).toBeVisible();
    await brand.getByLabel('邮箱').fill(BRAND.email);
    await brand.getByLabel('密码').fill(BRAND.password);
    await brand.getByRole('button', { name: '登录' }).click();
    await expect(brand.getByRole('alert')).toBeVisible();
    await brand.getByLabel('密码').fill(NEW_PASSWORD);
    await brand.getByRole('button', { name: '登录' }).click();
    await expect(brand.getByRole('button', { name: '退出登录' })).toBeVisible();

    // The audit log shows what happened, newest first.
    await operator.getByRole('link', { name: '审计日志' }).click();
    const rows = operator.getByTestId('audit-row');
    await expect(rows.first()).toBeVisible();
    for (const action of [
      'user.password_reset',
      'user.disabled',
      'user.enabled',
      'auth.sign_in_failed',
      'auth.signed_out',
      'till_key.issued',
      'advertiser.created',
    ])
      await expect(
        operator.locator(`[data-testid=audit-row][data-action="${action}"]`).first(),
      ).toBeVisible();
    await expect(
      operator.locator('[data-testid=audit-row][data-action="user.password_reset"]').first(),
    ).toContainText('重置密码');
    await docScreenshot(operator, 'audit');
    await operator.context().close();
    await brand.context().close();
    expect(browserErrors).toEqual([]);
  });
});
