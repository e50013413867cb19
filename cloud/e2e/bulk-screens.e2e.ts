// Bulk provisioning in the operator console against a real cloud: a CSV file is dry-run (the bad row is
// named with its column and a translated problem, and nothing is written), fixed, dry-run clean and
// imported; the import's enrolment codes are issued on the sheet page with each screen's place, code and
// QR code, printed, and a code from the sheet enrols a kiosk. Then the list filtered to a city, a bulk
// move of its screens confirmed at the server's count, and the dispatcher's progress until it is done.
import { expect, test } from '@playwright/test';
import {
  enrolmentMessage,
  generateKeyPair,
  isEnrolmentCode,
  sign,
  SignatureLabel,
  toHex,
} from '@redtap/shared';
import {
  OPERATOR,
  startConsoleCloud,
  callApi,
  type ApiInit,
  type ConsoleCloud,
} from './support/console-cloud.ts';
import { browserErrorLog, signIn } from './support/console-pages.ts';
import { loginToken } from './support/seed.ts';

let env: ConsoleCloud;
const { errors: browserErrors, watch } = browserErrorLog();
const api = <T>(path: string, init?: ApiInit): Promise<T> => callApi<T>(env.url, path, init);

const HEADER = '名称,城市,楼宇,电梯,时区,分组';
const GOOD_ROWS = [
  '静安嘉里 1 号梯,上海,静安嘉里中心,E1,Asia/Shanghai,大堂',
  '静安嘉里 2 号梯,上海,静安嘉里中心,E2,,大堂',
];
const csvFile = (rows: string[]) => ({
  name: 'screens.csv',
  mimeType: 'text/csv',
  buffer: Buffer.from(`${[HEADER, ...rows].join('\n')}\n`),
});

test.describe.serial('bulk provisioning', () => {
  test.beforeAll(async () => {
    env = await startConsoleCloud();
    const token = await loginToken(env.url, OPERATOR);
    await api('/v1/screen-groups', { token, body: { name: '大堂' }, status: 201 });
  });

  test.afterAll(async () => {
    await env.stop();
  });

  test('an operator dry-runs a CSV, imports it and prints the enrolment sheet', async ({ browser }) => {
    const page = await signIn(browser, env.url, OPERATOR, watch);
    await page.goto('/operator/screens');
    await page.getByRole('button', { name: '导入 CSV' }).click();
    const dialog = page.getByRole('dialog');
    const fileInput = dialog.locator('input[type="file"]');

    await fileInput.setInputFiles(csvFile([...GOOD_ROWS, '国金 3 号梯,上海,国金中心,E3,Mars/Base,']));
    await dialog.getByRole('button', { name: '试运行' }).click();
    await expect(dialog.getByTestId('import-summary')).toContainText('共 3 行：2 行无问题，1 行有问题');
    const bad = dialog.getByTestId('import-error-4');
    await expect(bad).toContainText('时区');
    await expect(bad).toContainText('不是有效的时区');
    await expect(dialog.getByRole('button', { name: /^导入/ })).toBeDisabled();
    const screens = await api<{ items: unknown[] }>('/v1/screens?city=上海', {
      token: await loginToken(env.url, OPERATOR),
    });
    expect(screens.items).toHaveLength(0);

    await fileInput.setInputFiles(csvFile([...GOOD_ROWS, '国金 3 号梯,上海,国金中心,E3,Asia/Shanghai,']));
    await dialog.getByRole('button', { name: '试运行' }).click();
    await expect(dialog.getByTestId('import-summary')).toContainText('全部 3 行均无问题');
    await dialog.getByRole('button', { name: '导入 3 块屏幕' }).click();
    await expect(dialog.getByTestId('import-done')).toContainText('已导入 3 块屏幕');

    await dialog.getByRole('link', { name: '打印注册码' }).click();
    await expect(page).toHaveURL(/\/operator\/screens\/enrolment-sheet\?importId=\d+/);
    await page.getByRole('button', { name: /为前 \d+ 块屏幕生成注册码/ }).click();
    const sheet = page.getByTestId('enrolment-sheet');
    await expect(sheet.locator('[data-testid^="sheet-item-"]')).toHaveCount(3);
    await expect(page.getByTestId('sheet-status')).toContainText('最后一张：3 个注册码');
    await expect(sheet).toContainText('静安嘉里 1 号梯');
    await expect(sheet).toContainText('上海 · 国金中心 · E3');
    await expect(sheet.getByTestId('qr-code')).toHaveCount(3);
    const codes = await sheet.getByTestId('sheet-code').allTextContents();
    expect(codes.every((code) => isEnrolmentCode(code))).toBe(true);

    // Printing prints this page, with the console's chrome hidden by its print style.
    await page.evaluate(() => {
      const printable = globalThis as unknown as { printed: number; print: () => void };
      printable.printed = 0;
      printable.print = () => {
        printable.printed += 1;
      };
    });
    await page.getByRole('button', { name: '打印', exact: true }).click();
    expect(await page.evaluate(() => (globalThis as unknown as { printed: number }).printed)).toBe(1);
    await page.emulateMedia({ media: 'print' });
    await expect(page.getByRole('button', { name: '打印', exact: true })).toBeHidden();
    await expect(sheet).toBeVisible();
    await page.emulateMedia({ media: 'screen' });

    // A code from the sheet enrols a kiosk.
    const code = codes[0] ?? '';
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
    expect(browserErrors).toEqual([]);
  });

  test('an operator moves the screens the list filter selects, confirming the counted screens, and sees the configs go out', async ({
    browser,
  }) => {
    const token = await loginToken(env.url, OPERATOR);
    // A screen the filter leaves out, which must stay where it is.
    await api('/v1/screens', {
      token,
      body: { name: '国贸 1 号梯', city: '北京', building: '国贸三期', elevator: 'E1' },
      status: 201,
    });
    const page = await signIn(browser, env.url, OPERATOR, watch);
    await page.goto(`/operator/screens?city=${encodeURIComponent('上海')}`);
    await page.getByRole('button', { name: '批量操作' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('bulk-kind').click();
    await page.getByRole('option', { name: '移动（城市、楼宇、时区）' }).click();
    await dialog.getByLabel('城市').fill('杭州');
    await dialog.getByLabel('时区').fill('Asia/Tokyo');
    // The server's count for this filter and this move: the three Shanghai screens, not the Beijing one.
    await expect(dialog.getByTestId('bulk-preview')).toHaveText('筛选出 3 块屏幕；其中 3 块将被修改。');
    const confirm = dialog.getByTestId('bulk-confirm');
    await expect(confirm).toHaveText('移动 3 块屏幕');
    await expect(confirm).toBeEnabled();
    await confirm.click();

    const progress = dialog.getByTestId('bulk-progress');
    await expect(progress).toContainText('已修改 3 块屏幕。');
    // One of them enrolled (the first test), so one config is republished by the dispatcher.
    await expect(progress).toContainText('已重新发布配置：1 / 1', { timeout: 60_000 });
    await expect(dialog.getByTestId('bulk-done')).toBeVisible({ timeout: 60_000 });

    const moved = await api<{ items: { city: string; timezone: string }[] }>(
      `/v1/screens?city=${encodeURIComponent('杭州')}`,
      { token },
    );
    expect(moved.items).toHaveLength(3);
    expect(moved.items.every((screen) => screen.timezone === 'Asia/Tokyo')).toBe(true);
    const left = await api<{ items: unknown[] }>(`/v1/screens?city=${encodeURIComponent('北京')}`, { token });
    expect(left.items).toHaveLength(1);
    expect(browserErrors).toEqual([]);
  });
});
