// The console's main flows for every role against a real cloud and a real kiosk agent: the operator
// provisions a screen (code + QR) that a kiosk then enrols with; an advertiser builds a campaign in the
// wizard and submits it; the operator approves, funds and activates it and a deck reaches the kiosk; a
// phone-path tap (a token signed with the kiosk's key over the browser wallet's exported key) changes
// the wallet and the report; a fraud rule holds a tap that the operator releases; the wallet
// withdraws; the operator exports the settlement and sees the ledger balanced. Each main page is
// screenshotted (to docs/screenshots when REDTAP_SCREENSHOT_DIR points there).
import { createPrivateKey, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import {
  decodeDeck,
  encodeChallenge,
  generateKeyPair,
  sign,
  SignatureLabel,
  signTapToken,
  toHex,
  type Deck,
} from '@redtap/shared';
import { enrollKiosk, loadScreenKey, startKioskAgent, type KioskAgent } from '@redtap/screen-app';
import {
  eventually,
  OPERATOR,
  startConsoleCloud,
  type ConsoleCloud,
  callApi,
  type ApiInit,
} from './support/console-cloud.ts';
import {
  browserErrorLog,
  CONSOLE_CONTEXT,
  createBrowserWallet,
  newPhoneContext,
} from './support/console-pages.ts';

// The README's screenshots are refreshed with REDTAP_SCREENSHOT_DIR=docs/screenshots; otherwise they go to
// a temp dir, so a test run never changes tracked files.
const SCREENSHOT_DIR = process.env.REDTAP_SCREENSHOT_DIR ?? join(tmpdir(), 'redtap-screenshots');
const ADVERTISER = { name: '瑞幸咖啡 Luckin', email: 'brand@luckin.test', password: 'advertiser-pass-1' };

let env: ConsoleCloud;
let kioskDir: string;
let agent: KioskAgent | undefined;
let screenId = 0;
let campaignId = 0;
/** Uncaught exceptions and CSP violations in any console page; the last test asserts there were none. */
const { errors: browserErrors, watch } = browserErrorLog();

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // Toasts and hover tooltips are transient: keep them out of the documentation.
  await page.mouse.move(0, 0);
  await page.addStyleTag({ content: '.mantine-Notifications-root { display: none !important; }' });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `console-${name}.png`), fullPage: true });
}

/** One option of a segmented control (language switch, wallet tabs), by its visible label. */
function segment(page: Page, label: string) {
  return page
    .locator('label.mantine-SegmentedControl-label')
    .filter({ hasText: new RegExp(`^${label}$`) })
    .first();
}

async function signIn(browser: Browser, email: string, password: string): Promise<Page> {
  const context = await browser.newContext({ ...CONSOLE_CONTEXT, baseURL: env.url });
  const page = watch(await context.newPage());
  await page.goto('/login');
  await page.getByLabel(/邮箱|Email/).fill(email);
  await page.getByLabel(/密码|Password/).fill(password);
  await page.getByRole('button', { name: /登录|Sign in/ }).click();
  await expect(page.getByRole('button', { name: /退出登录|Sign out/ })).toBeVisible();
  return page;
}

const api = <T>(path: string, init?: ApiInit): Promise<T> => callApi<T>(env.url, path, init);

/** A poster creative rendered by the browser itself, small enough for the upload limit. */
async function posterJpeg(browser: Browser): Promise<Buffer> {
  const page = await browser.newPage({ ...CONSOLE_CONTEXT, viewport: { width: 270, height: 480 } });
  await page.setContent(
    `<body style="margin:0;height:480px;background:linear-gradient(160deg,#e23229,#9d1211);color:#f8d568;font:700 34px sans-serif;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:16px">
      <div style="font-size:64px">☕</div><div>瑞幸咖啡</div><div style="font-size:18px;color:#fff">碰一碰 抢红包</div></body>`,
  );
  const bytes = await page.screenshot({ type: 'jpeg', quality: 70 });
  await page.close();
  return bytes;
}

/** A tap token as a kiosk would sign it, over a challenge the wallet's key signed (docs/protocol.md §3). */
function tapToken(input: {
  screenKey: Parameters<typeof signTapToken>[1];
  walletKey: Parameters<typeof sign>[2];
  walletId: number;
  credentialSerial: number;
  deck: Deck;
  counter: number;
  envelopeIndex: number;
}): string {
  const envelope = input.deck.envelopes[input.envelopeIndex];
  if (envelope === undefined) throw new Error(`deck has no envelope ${input.envelopeIndex}`);
  const challenge = {
    screenId: input.deck.screenId,
    counter: input.counter,
    ts: Math.floor(Date.now() / 1000),
    nonce: new Uint8Array(randomBytes(16)),
    campaignId: input.deck.campaignId,
  };
  const phoneSignature = sign(SignatureLabel.challenge, encodeChallenge(challenge), input.walletKey);
  const { bytes } = signTapToken(
    {
      ...challenge,
      walletId: input.walletId,
      credentialSerial: input.credentialSerial,
      phoneSignature,
      deckId: input.deck.deckId,
      envelopeIndex: input.envelopeIndex,
      amountFen: envelope.amountFen,
      couponOfferId: envelope.couponOfferId,
      flags: 0,
    },
    input.screenKey,
  );
  return toHex(bytes);
}

test.describe.serial('web console', () => {
  test.beforeAll(async () => {
    env = await startConsoleCloud();
    kioskDir = mkdtempSync(join(tmpdir(), 'redtap-console-kiosk-'));
  });

  test.afterAll(async () => {
    await agent?.stop();
    await env.stop();
    rmSync(kioskDir, { recursive: true, force: true });
  });

  test('serves the console with a CSP, immutable assets and an SPA fallback outside the API', async ({
    request,
  }) => {
    const deep = await request.get(`${env.url}/operator/screens`);
    expect(deep.status()).toBe(200);
    expect(deep.headers()['content-type']).toContain('text/html');
    expect(deep.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(deep.headers()['cache-control']).toBe('no-cache');
    const asset = /\/assets\/[^"]+\.js/.exec(await deep.text())?.[0];
    expect(asset).toBeDefined();
    const script = await request.get(`${env.url}${asset ?? ''}`);
    expect(script.headers()['cache-control']).toContain('immutable');
    const unknownApi = await request.get(`${env.url}/v1/no-such-route`);
    expect(unknownApi.status()).toBe(404);
    expect(((await unknownApi.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    expect((await request.get(`${env.url}/assets/missing-0000.js`)).status()).toBe(404);
    expect((await request.get(`${env.url}/healthz`)).status()).toBe(200);
    expect((await request.get(`${env.url}/..%2f..%2fetc%2fpasswd.txt`)).status()).toBe(404);
  });

  test('operator: a wrong password shows a translated error, with the code kept for support', async ({
    browser,
  }) => {
    const page = await (await browser.newContext({ ...CONSOLE_CONTEXT, baseURL: env.url })).newPage();
    await page.goto('/login');
    await page.getByLabel('邮箱').fill(OPERATOR.email);
    await page.getByLabel('密码').fill('not-the-password');
    await page.getByRole('button', { name: '登录' }).click();
    await expect(page.getByRole('alert')).toHaveAttribute('data-error-code', 'UNAUTHENTICATED');
    await expect(page.getByTestId('error-message')).toContainText('请检查邮箱和密码');
    await expect(page.getByRole('alert')).not.toContainText('UNAUTHENTICATED');
    await shot(page, 'login');
  });

  test('operator provisions a screen, sees its code and QR, and a kiosk enrols with that code', async ({
    browser,
  }) => {
    const page = await signIn(browser, OPERATOR.email, OPERATOR.password);
    await expect(page.getByText('还没有屏幕')).toBeVisible();
    await page.getByRole('button', { name: '新增屏幕' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('名称').fill('国贸三期 A 座 1 号梯');
    await dialog.getByLabel('城市').fill('上海');
    await dialog.getByLabel('楼宇').fill('国金中心');
    await dialog.getByLabel('电梯').fill('A1');
    await dialog.getByRole('button', { name: '创建' }).click();
    const code = (await page.getByTestId('enrolment-code').textContent()) ?? '';
    expect(code).toMatch(/^[A-Z0-9]{8}$/);
    await expect(page.getByRole('img', { name: `激活码 ${code}` })).toBeVisible();
    await shot(page, 'enrolment-code');

    const enrolled = await enrollKiosk({ dataDir: kioskDir, cloudUrl: env.url, code });
    expect(enrolled.ok).toBe(true);
    if (!enrolled.ok) return;
    screenId = enrolled.identity.screenId;
    const started = await startKioskAgent({
      dataDir: kioskDir,
      mqttUrl: env.cloud.mqttUrl,
      syncLimits: { heartbeatIntervalMs: 1_000, maintenanceIntervalMs: 500 },
    });
    expect(started.ok).toBe(true);
    if (started.ok) agent = started.agent;

    await page.keyboard.press('Escape');
    // The list refreshes on its own every 15 s; reloading shows the first heartbeat sooner.
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId(`screen-row-${screenId}`).getByText('在线')).toBeVisible({
        timeout: 1_000,
      });
    }).toPass({ timeout: 20_000 });

    // A second screen stays pending, so the dashboard shows both states and grouping.
    await page.getByRole('button', { name: '新增屏幕' }).first().click();
    await dialog.getByLabel('名称').fill('环球港 B2 货梯');
    await dialog.getByLabel('城市').fill('北京');
    await dialog.getByLabel('楼宇').fill('国贸三期');
    await dialog.getByLabel('电梯').fill('B2');
    await dialog.getByRole('button', { name: '创建' }).click();
    await expect(page.getByTestId('enrolment-code')).toBeVisible();
    await page.keyboard.press('Escape');

    await page.goto('/operator/advertisers');
    await page.getByRole('button', { name: '新建广告主' }).click();
    await dialog.getByLabel('名称').fill(ADVERTISER.name);
    await dialog.getByLabel('首个用户邮箱').fill(ADVERTISER.email);
    await dialog.getByLabel('首个用户密码').fill(ADVERTISER.password);
    await dialog.getByRole('button', { name: '创建' }).click();
    await page.getByRole('button', { name: '充值', exact: true }).click();
    await dialog.getByLabel('金额').fill('1,000');
    // Funding is confirmed on a second step before any money moves.
    await dialog.getByRole('button', { name: '核对' }).click();
    await expect(dialog.getByTestId('fund-confirm')).toContainText('¥1,000.00');
    await expect(page.locator('[data-testid^=advertiser-balance-]')).toHaveText('¥0.00');
    await dialog.getByRole('button', { name: '确认充值' }).click();
    await expect(page.locator('[data-testid^=advertiser-balance-]')).toHaveText('¥1,000.00');
    await page.getByRole('button', { name: '资金流水' }).click();
    const line = dialog.getByTestId('funding-line');
    await expect(line).toHaveCount(1);
    await expect(line).toContainText(OPERATOR.email);
    await expect(line.locator('td').nth(4)).toHaveText('¥1,000.00');
    await page.keyboard.press('Escape');
    await shot(page, 'advertisers');

    await page.goto('/operator/groups');
    await page.getByLabel('名称').fill('上海写字楼');
    await page.getByRole('button', { name: '新建分组' }).click();
    await expect(page.getByRole('cell', { name: '上海写字楼' })).toBeVisible();
    await page.context().close();
  });

  test('advertiser builds a campaign in the wizard, sees the prize chart and submits it', async ({
    browser,
  }) => {
    const poster = await posterJpeg(browser);
    const page = await signIn(browser, ADVERTISER.email, ADVERTISER.password);
    await segment(page, 'English').click();
    await expect(page.getByRole('heading', { name: 'Campaigns' })).toBeVisible();
    await page.getByRole('link', { name: 'New campaign' }).first().click();

    await page.getByLabel('Campaign name').fill('Morning coffee red packets');
    await page.getByLabel('Sponsor shown on screen').fill('瑞幸咖啡');
    await page
      .locator('input[type=file]')
      .setInputFiles({ name: 'poster.jpg', mimeType: 'image/jpeg', buffer: poster });
    await expect(page.getByTestId('creative')).toHaveCount(1);
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('button', { name: 'Add daypart' }).click();
    await page.getByRole('button', { name: 'Next' }).click();

    // The pickers list what the network holds; the advertiser searches and picks rather than types.
    await page.getByRole('textbox', { name: 'Cities' }).click();
    await page.getByRole('option', { name: '北京' }).click();
    await page.getByRole('textbox', { name: 'Cities' }).fill('上');
    await page.getByRole('option', { name: '上海' }).click();
    await page.getByRole('textbox', { name: 'Cities' }).press('Escape');
    await page.getByRole('textbox', { name: 'Buildings' }).click();
    await expect(page.getByRole('option', { name: '国贸三期 · 北京' })).toBeVisible();
    await page.getByRole('option', { name: '国金中心 · 上海' }).click();
    await page.getByRole('textbox', { name: 'Buildings' }).press('Escape');
    // Dropping a city drops its buildings: only Shanghai is targeted.
    await page.getByRole('textbox', { name: 'Cities' }).click();
    await page.getByRole('option', { name: '北京' }).click();
    await page.getByRole('textbox', { name: 'Cities' }).press('Escape');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByLabel('Envelopes').fill('100');
    await page.getByLabel('Total cash (budget)').fill('100');
    await page.getByLabel('Smallest envelope').fill('0.50');
    await page.getByLabel('Largest envelope').fill('2.00');
    await expect(page.getByTestId('wizard-budget')).toHaveText('¥100.00');
    await expect(page.getByTestId('prize-chart').locator('.recharts-bar-rectangle').first()).toBeVisible();
    await expect(page.getByTestId('plan-Total')).toHaveText('¥100.00');
    await page.getByLabel('Largest envelope').fill('0.90');
    await expect(page.getByTestId('plan-problem')).toContainText('above envelopes × largest');
    await page.getByLabel('Largest envelope').fill('2.00');
    await shot(page, 'campaign-wizard-prizes');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('button', { name: 'Add coupon offer' }).click();
    await page.getByLabel('Title 1').fill('Free upsize');
    await page.getByLabel('Stock').fill('5');
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(page.getByTestId('wizard-review')).toContainText('¥100.00');
    await expect(page.getByTestId('wizard-review')).toContainText('上海, 国金中心 · 上海');
    // Schedule times are instants shown in the browser's zone, and say which.
    await expect(page.getByTestId('wizard-review')).toContainText('(Asia/Shanghai (GMT+8))');
    await page.getByRole('button', { name: 'Create and submit for approval' }).click();

    await expect(page).toHaveURL(/\/advertiser\/campaigns$/);
    const row = page.locator('[data-testid^=campaign-row-]').first();
    await expect(row.getByTestId('campaign-status')).toHaveText('Submitted');
    campaignId = Number((await row.getAttribute('data-testid'))?.replace('campaign-row-', ''));
    await shot(page, 'advertiser-campaigns');
    await page.context().close();
  });

  test('operator approves, funds and activates; a deck reaches the kiosk', async ({ browser }) => {
    const page = await signIn(browser, OPERATOR.email, OPERATOR.password);
    await page.goto('/operator/campaigns');
    const card = page.getByTestId(`review-${campaignId}`);
    await expect(card.getByRole('img').first()).toBeVisible();
    await expect(card).toContainText('(Asia/Shanghai (GMT+8))');
    await shot(page, 'approvals');
    await card.getByRole('button', { name: '通过' }).click();
    const row = page.getByTestId(`campaign-row-${campaignId}`);
    await expect(row.getByTestId('campaign-status')).toHaveText('已通过');
    await row.getByRole('button', { name: '注资预算' }).click();
    await page.getByRole('dialog').getByRole('button', { name: '注资预算' }).click();
    await expect(row).toContainText('已注资 ¥100.00');
    await row.getByRole('button', { name: '上线' }).click();
    await expect(row.getByTestId('campaign-status')).toHaveText('进行中');

    const kiosk = agent;
    if (kiosk === undefined) throw new Error('the kiosk agent did not start');
    await eventually(
      () =>
        (kiosk.store.sqlite.prepare('select count(*) as n from decks').get() as { n: number }).n > 0 ||
        undefined,
      'a deck at the kiosk',
    );
    await page.goto('/operator/screens');
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId(`screen-row-${screenId}`).getByLabel(/^deck /)).toBeVisible({
        timeout: 1_000,
      });
    }).toPass({ timeout: 20_000 });
    await shot(page, 'screens');
    await page.context().close();
  });

  test('wallet: taps change the balance and history, a held tap is released, and the wallet withdraws', async ({
    browser,
  }) => {
    const kiosk = agent;
    if (kiosk === undefined) throw new Error('the kiosk agent did not start');
    const context = await newPhoneContext(browser, env.url);
    const phone = watch(await context.newPage());
    const exported = await createBrowserWallet(phone);

    const row = kiosk.store.sqlite
      .prepare(
        'select b.bytes from decks d join deck_bytes b on b.deck_id = d.deck_id where d.campaign_id = ? order by d.deck_id limit 1',
      )
      .get(campaignId) as { bytes: Buffer } | undefined;
    const decoded = decodeDeck(new Uint8Array(row?.bytes ?? Buffer.alloc(0)));
    if (!decoded.ok) throw new Error(`bad deck: ${decoded.code}`);
    const deck = decoded.value;
    const key = loadScreenKey(kiosk.identity.keyPath);
    if (!key.ok) throw new Error(key.message);
    const walletKey = createPrivateKey({ key: exported.jwk, format: 'jwk' });
    const cash = deck.envelopes.flatMap((envelope, index) => (envelope.amountFen > 0 ? [index] : []));
    const [first, second, third] = cash;
    if (first === undefined || second === undefined || third === undefined)
      throw new Error('deck has too few cash envelopes');
    const redeem = (token: string) =>
      api<{ status: string; code?: string; amountFen?: number }>('/v1/redeem', { body: { token } });

    const credited = await redeem(
      tapToken({
        screenKey: key.value.privateKey,
        walletKey,
        walletId: exported.walletId,
        credentialSerial: exported.credentialSerial,
        deck,
        counter: 1,
        envelopeIndex: first,
      }),
    );
    expect(credited.status).toBe('credited');
    // A second cash tap the same day breaks the campaign's one-per-wallet rule.
    const capped = await redeem(
      tapToken({
        screenKey: key.value.privateKey,
        walletKey,
        walletId: exported.walletId,
        credentialSerial: exported.credentialSerial,
        deck,
        counter: 2,
        envelopeIndex: second,
      }),
    );
    expect(capped).toMatchObject({ status: 'rejected', code: 'CAP_CAMPAIGN_WALLET' });

    // Another wallet's tap with a counter far beyond the last one trips the counter-gap rule: held.
    const other = generateKeyPair();
    const otherWallet = await api<{ walletId: number; credentialSerial: number }>('/v1/wallets', {
      body: { publicKey: toHex(other.publicKeyRaw) },
    });
    const held = await redeem(
      tapToken({
        screenKey: key.value.privateKey,
        walletKey: other.privateKey,
        walletId: otherWallet.walletId,
        credentialSerial: otherWallet.credentialSerial,
        deck,
        counter: 20_003,
        envelopeIndex: third,
      }),
    );
    expect(held).toMatchObject({ status: 'held', code: 'FRAUD_COUNTER_GAP' });

    const amount = deck.envelopes[first]?.amountFen ?? 0;
    const yuan = `¥${Math.floor(amount / 100)}.${String(amount % 100).padStart(2, '0')}`;
    await phone.reload();
    await expect(phone.getByTestId('wallet-balance')).toHaveText(yuan);
    await expect(phone.getByTestId('history-item')).toHaveCount(2);
    await expect(phone.getByTestId('history-reason')).toHaveText('今日该活动已领过');

    const operator = await signIn(browser, OPERATOR.email, OPERATOR.password);
    await operator.goto('/operator/holds');
    const hold = operator.locator('[data-testid^=hold-]').first();
    await expect(hold).toContainText('FRAUD_COUNTER_GAP');
    await shot(operator, 'holds');
    await hold.getByRole('button', { name: '放行' }).click();
    // Nothing is paid until the operator confirms in the dialog.
    await expect(operator.getByRole('dialog')).toContainText('此操作不可撤销');
    await expect(operator.getByText('暂无处理记录。')).toBeVisible();
    await operator.getByRole('dialog').getByRole('button', { name: '放行' }).click();
    await expect(operator.getByText('暂无冻结的拍拍。')).toBeVisible();
    const decision = operator.locator('[data-testid^=decision-]');
    await expect(decision).toHaveCount(1);
    await expect(decision).toContainText('已放行');
    await expect(decision).toContainText(OPERATOR.email);

    // Withdrawals go to a linked payment account (e2e/money-figures.e2e.ts tries a wrong one first).
    await segment(phone, '提现').click();
    await phone.getByRole('button', { name: '绑定收款账户' }).click();
    await phone.getByRole('dialog').getByLabel('支付宝账户（手机号或邮箱）').fill('13800138000');
    await phone.getByRole('dialog').getByLabel('账户持有人真实姓名').fill('李雷');
    await phone.getByRole('dialog').getByRole('button', { name: '保存' }).click();
    await expect(phone.getByTestId('payout-account-shown')).toContainText('138****8000');
    await phone.getByRole('button', { name: '提现' }).click();
    await phone.getByRole('dialog').getByLabel('金额').fill('0.09');
    await expect(phone.getByRole('dialog')).toContainText('最低提现 ¥0.10');
    await phone.getByRole('dialog').getByLabel('金额').fill('0.10');
    await phone.getByRole('dialog').getByRole('button', { name: '提现' }).click();
    await expect(phone.getByTestId('wallet-balance')).toHaveText(
      (() => {
        const left = amount - 10;
        return `¥${Math.floor(left / 100)}.${String(left % 100).padStart(2, '0')}`;
      })(),
    );
    await shot(phone, 'wallet');
    await expect(phone.getByTestId('withdrawal')).toContainText('¥0.10');
    await segment(phone, '优惠券').click();
    await expect(phone.getByText(/还没有优惠券|券码/).first()).toBeVisible();

    await operator.goto('/operator/settlements');
    await expect(operator.getByTestId('ledger-status')).toHaveText('账本一致');
    const download = operator.waitForEvent('download');
    await operator.getByRole('button', { name: '导出付款批次' }).click();
    await operator.getByRole('dialog').getByRole('button', { name: '导出批次' }).click();
    const csv = readFileSync(await (await download).path(), 'utf8');
    expect(csv).toContain(`,${exported.walletId},alipay,13800138000,李雷,,10,0.10,`);
    await expect(operator.getByTestId('settlement-result')).toContainText('¥0.10');
    // The file stays in the history and downloads again byte for byte.
    const past = operator.locator('[data-testid^=settlement-export-]');
    await expect(past).toHaveCount(1);
    const again = operator.waitForEvent('download');
    await past.getByRole('button', { name: '再次下载' }).click();
    expect(readFileSync(await (await again).path(), 'utf8')).toBe(csv);
    await operator.getByRole('button', { name: '刷新' }).click();
    await expect(operator.getByTestId('ledger-status')).toHaveText('账本一致');
    await shot(operator, 'settlements');

    await operator.goto('/reports');
    await expect(operator.getByTestId('kpi-拍拍次数')).toHaveText('2');
    await shot(operator, 'reports');
    const report = operator.waitForEvent('download');
    await operator.getByRole('button', { name: '导出 CSV' }).click();
    expect(readFileSync(await (await report).path(), 'utf8')).toMatch(
      /^\uFEFFday \(Asia\/Shanghai\),impressions,taps/,
    );

    await operator.goto('/operator/screens');
    const screenRow = operator.getByTestId(`screen-row-${screenId}`);
    await screenRow.getByRole('button', { name: '吊销' }).click();
    await operator.getByRole('dialog').getByRole('button', { name: '吊销' }).click();
    await expect(screenRow).toContainText('已吊销');
    expect(browserErrors).toEqual([]);
    await context.close();
    await operator.context().close();
  });
});
