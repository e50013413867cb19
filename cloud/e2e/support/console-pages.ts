// Browser contexts and pages of the console as the browser tests open them.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { Credentials } from './seed.ts';

/** Contexts made in a test do not inherit the config's `use`; no animations keeps screenshots settled. */
export const CONSOLE_CONTEXT = {
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
  reducedMotion: 'reduce',
} as const;

/**
 * Saves a full-page screenshot as `console-<name>.png` in REDTAP_SCREENSHOT_DIR (the README's
 * docs/screenshots) and does nothing when it is not set, so an ordinary run never changes tracked files.
 * Toasts and hover tooltips are transient: they are kept out of the picture.
 */
export async function docScreenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.REDTAP_SCREENSHOT_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.mouse.move(0, 0);
  // A transition still running (a segmented control's indicator) is cut to its end.
  await page.addStyleTag({
    content:
      '.mantine-Notifications-root { display: none !important; } *, *::before, *::after { transition: none !important; }',
  });
  await page.screenshot({ path: join(dir, `console-${name}.png`), fullPage: true });
}

const PHONE_VIEWPORT = { width: 390, height: 844 };

/**
 * Records uncaught exceptions and Content Security Policy violations on every page given to `watch`
 * (which returns the page), so a test can assert at its end that `errors` stayed empty.
 */
export function browserErrorLog(): { errors: string[]; watch: (page: Page) => Page } {
  const errors: string[] = [];
  return {
    errors,
    watch: (page) => {
      page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' && /Content Security Policy/i.test(message.text()))
          errors.push(`${page.url()}: ${message.text()}`);
      });
      return page;
    },
  };
}

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

/** A new phone-sized touch context on the console's origin (the wallet, the till). */
export function newPhoneContext(browser: Browser, baseUrl: string): Promise<BrowserContext> {
  return browser.newContext({
    ...CONSOLE_CONTEXT,
    baseURL: baseUrl,
    viewport: PHONE_VIEWPORT,
    isMobile: true,
    hasTouch: true,
  });
}

/** What the wallet page exports: the phone's private key (JWK) and its credential. */
export interface ExportedWalletKey {
  jwk: Record<string, string>;
  walletId: number;
  credentialSerial: number;
}

/** Creates a browser wallet on the page (empty: ¥0.00) and returns the key it exports. */
export async function createBrowserWallet(phone: Page): Promise<ExportedWalletKey> {
  await phone.goto('/wallet');
  await phone.getByRole('button', { name: '在本设备创建钱包' }).click();
  await expect(phone.getByTestId('wallet-balance')).toHaveText('¥0.00');
  await phone.getByRole('button', { name: '导出手机密钥' }).click();
  const exported = JSON.parse(await phone.getByTestId('exported-key').inputValue()) as ExportedWalletKey;
  await phone.keyboard.press('Escape');
  return exported;
}
