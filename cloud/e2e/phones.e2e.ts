// Revoking a lost phone in the operator console against a real cloud: the Phones page checks its fields,
// shows a refused revocation's translated error, says in its confirmation what revoking does, and then
// follows the revocation to the fleet: published to both active screens, confirmed by the one whose
// kiosk runs, while the other (enrolled, never connected) stays unconfirmed under the note that says so.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { enrolmentMessage, generateKeyPair, sign, SignatureLabel, toHex } from '@redtap/shared';
import { enrollKiosk, startKioskAgent, type KioskAgent } from '@redtap/screen-app';
import {
  OPERATOR,
  callApi,
  startConsoleCloud,
  type ApiInit,
  type ConsoleCloud,
} from './support/console-cloud.ts';
import { browserErrorLog, signIn } from './support/console-pages.ts';
import { loginToken, seedScreen } from './support/seed.ts';

let env: ConsoleCloud;
let kioskDir: string;
let agent: KioskAgent | undefined;
const { errors: browserErrors, watch } = browserErrorLog();
const api = <T>(path: string, init?: ApiInit): Promise<T> => callApi<T>(env.url, path, init);

test.describe.serial('phone revocation', () => {
  test.beforeAll(async () => {
    env = await startConsoleCloud();
    kioskDir = mkdtempSync(join(tmpdir(), 'redtap-phones-kiosk-'));
  });

  test.afterAll(async () => {
    await agent?.stop();
    await env.stop();
    rmSync(kioskDir, { recursive: true, force: true });
  });

  test('an operator revokes a lost phone and watches the revocation reach the screens', async ({
    browser,
  }) => {
    // Two enrolments, a kiosk start and the dispatcher's publishes on a busy machine.
    test.setTimeout(240_000);
    const token = await loginToken(env.url, OPERATOR);
    const enrolmentCode = async (screenId: number) =>
      (
        await api<{ code: string }>(`/v1/screens/${String(screenId)}/enrolment-codes`, {
          token,
          body: {},
        })
      ).code;
    // A screen whose kiosk runs (it confirms what it holds in its heartbeats)…
    const running = await seedScreen(env.url, token, {
      name: '陆家嘴 1 号梯',
      city: '上海',
      building: '环球金融中心',
      elevator: 'E1',
    });
    const enrolled = await enrollKiosk({
      dataDir: kioskDir,
      cloudUrl: env.url,
      code: await enrolmentCode(running),
    });
    expect(enrolled.ok).toBe(true);
    const started = await startKioskAgent({
      dataDir: kioskDir,
      mqttUrl: env.cloud.mqttUrl,
      syncLimits: { heartbeatIntervalMs: 1_000, maintenanceIntervalMs: 500 },
    });
    expect(started.ok).toBe(true);
    if (started.ok) agent = started.agent;
    // …and one enrolled whose kiosk never connects: its config is published, it never confirms.
    const offline = await seedScreen(env.url, token, {
      name: '陆家嘴 2 号梯',
      city: '上海',
      building: '环球金融中心',
      elevator: 'E2',
    });
    const code = await enrolmentCode(offline);
    const kiosk = generateKeyPair();
    await api('/v1/enrol', {
      body: {
        code,
        publicKey: toHex(kiosk.publicKeyRaw),
        signature: toHex(
          sign(SignatureLabel.enroll, enrolmentMessage(code, kiosk.publicKeyRaw), kiosk.privateKey),
        ),
      },
      status: 201,
    });
    // The phone: a wallet registered for its key.
    const phone = generateKeyPair();
    const wallet = await api<{ walletId: number; credentialSerial: number }>('/v1/wallets', {
      body: { publicKey: toHex(phone.publicKeyRaw) },
      status: 201,
    });

    const page = await signIn(browser, env.url, OPERATOR, watch);
    await page.getByRole('link', { name: '手机' }).click();
    await expect(page).toHaveURL(/\/operator\/phones$/);
    await expect(page.getByRole('heading', { name: '手机', level: 2 })).toBeVisible();

    const walletField = page.getByLabel('钱包编号');
    const serialField = page.getByLabel('凭证序列号');
    const revoke = page.getByRole('button', { name: '吊销手机…' });
    const dialog = page.getByRole('dialog');

    // Only positive whole numbers are sent.
    await walletField.fill('0');
    await serialField.fill('1.5');
    await revoke.click();
    await expect(page.getByText('请输入正整数')).toHaveCount(2);
    await expect(dialog).toBeHidden();

    // A credential the cloud does not know: its error, translated, in the confirmation.
    await walletField.fill(String(wallet.walletId + 1_000));
    await serialField.fill(String(wallet.credentialSerial));
    await revoke.click();
    await dialog.getByTestId('revoke-confirm').click();
    await expect(dialog.getByRole('alert')).toHaveAttribute('data-error-code', 'NOT_FOUND');
    await dialog.getByRole('button', { name: '取消' }).click();
    await expect(dialog).toBeHidden();

    await walletField.fill(String(wallet.walletId));
    await revoke.click();
    const consequences = dialog.getByTestId('revoke-consequences');
    await expect(consequences).toContainText(`钱包 #${String(wallet.walletId)} 的全部凭证都将被吊销`);
    await expect(consequences).toContainText('无法再拍屏领取，也无法登录钱包');
    await expect(consequences).toContainText('每块屏幕都会收到新的吊销名单');
    await dialog.getByRole('button', { name: `吊销钱包 #${String(wallet.walletId)}` }).click();
    await expect(dialog).toBeHidden();

    const outcome = page.getByTestId('revocation-outcome');
    await expect(outcome).toContainText(`钱包 #${String(wallet.walletId)} 已于`);
    await expect(outcome).toContainText('共吊销 1 个凭证');
    await expect(page.getByTestId('published-progress')).toHaveText('已发布到 2 / 2 块屏幕', {
      timeout: 60_000,
    });
    await expect(page.getByTestId('confirmed-progress')).toHaveText('已生效（屏幕已确认）：1 / 2 块屏幕', {
      timeout: 60_000,
    });
    // The screen that never connected cannot confirm: the page says why the figure stays below 100 %.
    await expect(page.getByTestId('confirm-note')).toContainText('离线的屏幕会在重新连网后收到吊销并确认');
    await expect(page.getByTestId('revocation-done')).toHaveCount(0);

    // The cloud's own figures agree with the page.
    const progress = await api<{ screens: number; applied: number; confirmed: number | null }>(
      '/v1/screen-configs/progress',
      { token },
    );
    expect(progress).toMatchObject({ screens: 2, applied: 2 });
    expect(browserErrors).toEqual([]);
  });
});
