// `npm start`'s demo in Chromium: the launcher on ephemeral ports with a temporary data directory; the
// phone simulator taps a screen, the prize shows on that screen's page, and the wallet is credited.
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
