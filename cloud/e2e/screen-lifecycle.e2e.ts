// The operator replaces and reinstates revoked screens from the screens page: each action asks for a
// confirmation, then shows the one-time enrolment code; the replaced row names its successor.
import { expect, test } from '@playwright/test';
import { callApi, OPERATOR, startConsoleCloud, type ConsoleCloud } from './support/console-cloud.ts';
import { signIn } from './support/console-pages.ts';
import { loginToken, seedScreen } from './support/seed.ts';

let env: ConsoleCloud;
let token = '';

async function revokedScreen(elevator: string): Promise<number> {
  const screenId = await seedScreen(env.url, token, {
    name: `Lobby ${elevator}`,
    city: 'Hangzhou',
    building: 'West Lake',
    elevator,
  });
  await callApi(env.url, `/v1/screens/${screenId}/revoke`, { token, body: {} });
  return screenId;
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  env = await startConsoleCloud();
  token = await loginToken(env.url, OPERATOR);
});

test.afterAll(async () => {
  await env.stop();
});

test('replace a revoked screen: confirm, get a code, the old row names the new screen', async ({
  browser,
}) => {
  const screenId = await revokedScreen('L1');
  const page = await signIn(browser, env.url, OPERATOR);
  await page.goto('/operator/screens');
  const row = page.getByTestId(`screen-row-${screenId}`);
  await row.getByRole('button', { name: '替换' }).click();
  const confirm = page.getByRole('dialog', { name: '替换' });
  await expect(confirm).toContainText(`Lobby L1`);
  await confirm.getByRole('button', { name: '替换' }).click();
  await expect(page.getByTestId('enrolment-code')).toHaveText(/^[0-9A-HJKMNP-TV-Z]{8}$/);
  await page.keyboard.press('Escape');
  await expect(row).toContainText(/已由 #\d+ 替换/);
  await expect(row.getByRole('button', { name: '替换' })).toHaveCount(0);
  await page.context().close();
});

test('reinstate a revoked screen: cancel changes nothing, confirm gives a code and a pending screen', async ({
  browser,
}) => {
  const screenId = await revokedScreen('L2');
  const page = await signIn(browser, env.url, OPERATOR);
  await page.goto('/operator/screens');
  const row = page.getByTestId(`screen-row-${screenId}`);
  await row.getByRole('button', { name: '恢复' }).click();
  await page.getByRole('dialog', { name: '恢复' }).getByRole('button', { name: '取消' }).click();
  await expect(row.getByRole('button', { name: '恢复' })).toBeVisible();

  await row.getByRole('button', { name: '恢复' }).click();
  await page.getByRole('dialog', { name: '恢复' }).getByRole('button', { name: '恢复' }).click();
  await expect(page.getByTestId('enrolment-code')).toHaveText(/^[0-9A-HJKMNP-TV-Z]{8}$/);
  await page.keyboard.press('Escape');
  await expect(row.getByRole('button', { name: '恢复' })).toHaveCount(0);
  await expect(row.getByRole('button', { name: '激活码' })).toBeVisible();
  await page.context().close();
});
