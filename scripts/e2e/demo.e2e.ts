// `npm start`'s demo in Chromium: the launcher on ephemeral ports with a temporary data directory; the
// phone simulator taps a screen, the prize shows on that screen's page, and the wallet is credited; a
// phone opens its own wallet page (/wallet) through a one-time login link, and offline taps show pending.
// With REDTAP_SCREENSHOT_DIR set, it also saves the README's screenshots there.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { pino } from 'pino';
import { startDemo, type RunningDemo } from '../src/demo/launcher.ts';

const screenshotDir = process.env.REDTAP_SCREENSHOT_DIR;
const dir = mkdtempSync(join(tmpdir(), 'redtap-e2e-demo-'));
let demo: RunningDemo;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  demo = await startDemo({
    dataDir: dir,
    host: '127.0.0.1',
    httpPort: 0,
    mqttPort: 0,
    screenPort: 0,
    phonePort: 0,
    pcsc: false,
    locale: 'en',
    logLevel: 'warn',
    logger: pino({ level: 'silent' }),
    writeLogLine: () => undefined,
  });
});

test.afterAll(async () => {
  await demo.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('tapping a phone on a screen shows the prize there and credits the wallet', async ({ context }) => {
  const kiosk = demo.kiosks.find((candidate) => candidate.index === 2);
  if (kiosk?.url == null) throw new Error('screen 2 has no page');
  const screen = await context.newPage();
  await screen.goto(`${kiosk.url}?locale=en`);
  await expect(screen.locator('main[data-connected="true"]')).toBeVisible();

  const phone = await context.newPage();
  await phone.goto(demo.phoneSimulatorUrl);
  await expect(phone.getByTestId('screen-2')).toHaveAttribute('data-connected', 'true');
  await expect(phone.getByTestId('wallet-id')).toContainText('wallet');
  await expect(phone.getByTestId('balance')).toHaveText('¥0.00');

  await phone.getByTestId('tap-2').click();
  await expect(phone.getByTestId('last-tap')).toContainText('screen 2: completed');
  await expect(screen.getByTestId('tap-overlay')).toHaveAttribute('data-state', 'prize');
  const prize = (await screen.getByTestId('prize-amount').textContent()) ?? '';
  expect(prize).toMatch(/^¥\d+\.\d\d$/);
  if (screenshotDir !== undefined) await screen.screenshot({ path: join(screenshotDir, 'demo-screen.png') });

  // Settled through the cloud: the balance is the prize, and the history shows the credited tap.
  await expect(phone.getByTestId('balance')).toHaveText(prize);
  await expect(phone.getByTestId('history')).toContainText('credited');
  if (screenshotDir !== undefined)
    await phone.screenshot({ path: join(screenshotDir, 'demo-phone.png'), fullPage: true });
});

test('a phone opens its own wallet page from the simulator, sees the tap there and can withdraw', async ({
  context,
}) => {
  // The console's language (it defaults to Chinese) for every page this test opens.
  await context.addInitScript({ content: "localStorage.setItem('redtap.language', 'en');" });
  const phone = await context.newPage();
  await phone.goto(demo.phoneSimulatorUrl);
  await phone.locator('#new-phone-name').fill('bob');
  await phone.getByTestId('new-phone').click();
  await expect(phone.getByTestId('phone-select')).toHaveValue('bob');
  await expect(phone.getByTestId('screen-2')).toHaveAttribute('data-connected', 'true');
  await phone.getByTestId('tap-2').click();
  await expect(phone.getByTestId('last-tap')).toContainText('screen 2: completed');
  await expect(phone.getByTestId('history')).toContainText('credited');
  const balance = (await phone.getByTestId('balance').textContent()) ?? '';
  expect(balance).toMatch(/^¥\d+\.\d\d$/);

  const opened = phone.waitForEvent('popup');
  await phone.getByTestId('open-wallet').click();
  const wallet = await opened;
  await wallet.waitForURL(/\/wallet$/);
  // The one-time login is gone from the address bar once used.
  expect(wallet.url()).not.toContain('login=');
  await expect(wallet.getByTestId('wallet-balance')).toHaveText(balance);
  await expect(wallet.getByTestId('history-item')).toHaveCount(1);
  await expect(wallet.getByTestId('history-title')).toHaveText(balance);
  await expect(wallet.getByTestId('history-status')).toHaveText('Credited');
  const withdraw = wallet.getByRole('button', { name: 'Withdraw' });
  await expect(withdraw).toBeVisible();
  // The cloud's minimum withdrawal is ¥0.10; a smaller prize cannot be withdrawn yet.
  if (Number(balance.slice(1)) >= 0.1) await expect(withdraw).toBeEnabled();
  else await expect(withdraw).toBeDisabled();

  // Offline phone, screen without its link: the kiosk commits the tap, the cloud has not seen it, and
  // the simulator shows it as pending until the screen's outbox reaches the cloud.
  await phone.bringToFront();
  await phone.getByTestId('phone-online').uncheck();
  await expect(phone.getByTestId('wallet-id')).toContainText('offline');
  await phone.getByTestId('link-2').click();
  await expect(phone.getByTestId('link-2')).toHaveText('Restore link');
  await phone.getByTestId('tap-2').click();
  await expect(phone.getByTestId('last-tap')).toContainText('screen 2: completed');
  await expect(phone.getByTestId('pending-tap')).toHaveCount(1);
  await expect(phone.getByTestId('pending-tap')).toContainText('pending');
  await phone.getByTestId('link-2').click();
  await expect(phone.getByTestId('pending-tap')).toHaveCount(0);
  await wallet.bringToFront();
  await wallet.reload();
  await expect(wallet.getByTestId('history-item')).toHaveCount(2);
});

test('a wallet link logs in once: the same link a second time is refused', async ({ context }) => {
  const response = await fetch(new URL('api/phones/bob/wallet-link', demo.phoneSimulatorUrl), {
    method: 'POST',
  });
  const { url } = (await response.json()) as { url: string };
  expect(url).toMatch(/\/wallet#login=\d+\.[0-9a-f]{64}\.[0-9a-f]{128}$/);
  const first = await context.newPage();
  await first.goto(url);
  await expect(first.getByTestId('wallet-balance')).toBeVisible();
  // A tab of its own, so no session is carried over (sessionStorage is per tab).
  const second = await context.newPage();
  await second.goto(url);
  await expect(second.getByRole('alert')).toBeVisible();
  await expect(second.getByTestId('wallet-balance')).toHaveCount(0);
});
