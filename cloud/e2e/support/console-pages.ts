// Browser contexts and pages of the console as the browser tests open them.
import { expect, type Browser, type Page } from '@playwright/test';
import type { Credentials } from './seed.ts';

/** Contexts made in a test do not inherit the config's `use`; no animations keeps screenshots settled. */
export const CONSOLE_CONTEXT = {
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
  reducedMotion: 'reduce',
} as const;

/**
 * Signs a console user in on the (Chinese) login page of a new context and waits for the signed-in
 * shell; `watch` sees the page before it loads anything.
 */
export async function signIn(
  browser: Browser,
  baseUrl: string,
  user: Credentials,
  watch: (page: Page) => unknown = () => undefined,
): Promise<Page> {
  const context = await browser.newContext({ ...CONSOLE_CONTEXT, baseURL: baseUrl });
  const page = await context.newPage();
  watch(page);
  await page.goto('/login');
  await page.getByLabel('邮箱').fill(user.email);
  await page.getByLabel('密码').fill(user.password);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('button', { name: '退出登录' })).toBeVisible();
  return page;
}
