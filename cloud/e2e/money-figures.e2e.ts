// What people see of money, in Chromium against a real cloud: an advertiser's running campaign shows
// what was funded into it (not the budget account's balance, which its decks drained) with spent and
// remaining; the operator's statement has a line for every transfer with the balance after it; a wallet
// links a payment account (checked, then shown masked) and withdraws to it; the operator exports the
// batch (a UTF-8 file with a BOM, the payee in it), imports the provider's result file (a malformed one
// refused with its line), and the wallet sees its withdrawal fail with the money back; a long withdrawal
// history loads a page at a time.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { enrolmentMessage, generateKeyPair, sign, SignatureLabel, toHex } from '@redtap/shared';
import { sql } from 'drizzle-orm';
import { int, queryRows } from '../src/db/rows.ts';
import { systemLedgerAccount } from '../src/ledger/accounts.ts';
import { allocateTransferIds, postTransfers } from '../src/ledger/post-transfers.ts';
import { callApi, OPERATOR, startConsoleCloud, type ConsoleCloud } from './support/console-cloud.ts';
import {
  browserErrorLog,
  createBrowserWallet,
  docScreenshot,
  newPhoneContext,
  signIn,
} from './support/console-pages.ts';
import { loginToken, seedAdvertiser, seedCampaign, seedScreen } from './support/seed.ts';

test.describe.configure({ mode: 'serial' });

const ADVERTISER = { name: '春茶品牌', email: 'spring-tea@redtap.test', password: 'advertiser-password-1' };
const UTF8_BOM = [0xef, 0xbb, 0xbf];

let env: ConsoleCloud;
let operatorToken: string;
const log = browserErrorLog();

function segment(page: Page, label: string) {
  return page
    .locator('label.mantine-SegmentedControl-label')
    .filter({ hasText: new RegExp(`^${label}$`) })
    .first();
}

test.beforeAll(async () => {
  env = await startConsoleCloud();
  operatorToken = await loginToken(env.url, OPERATOR);
});

test.afterAll(async () => {
  await env.stop();
});

test('a running campaign shows what was funded into it, and the statement has a line for every transfer', async ({
  browser,
}) => {
  const advertiserId = await seedAdvertiser(env.url, operatorToken, ADVERTISER);
  await callApi(env.url, `/v1/advertisers/${String(advertiserId)}/funding`, {
    token: operatorToken,
    body: { amountFen: 100_000, transferId: 70_001 },
  });
  // An enrolled screen in the campaign's city: activation deals the whole pool into its deck.
  const screenId = await seedScreen(env.url, operatorToken, {
    name: '西湖 1 号梯',
    city: '杭州',
    building: '西湖大厦',
    elevator: 'E1',
  });
  const { code } = await callApi<{ code: string }>(
    env.url,
    `/v1/screens/${String(screenId)}/enrolment-codes`,
    {
      token: operatorToken,
      body: {},
    },
  );
  const kiosk = generateKeyPair();
  await callApi(env.url, '/v1/enrol', {
    body: {
      code,
      publicKey: toHex(kiosk.publicKeyRaw),
      signature: toHex(
        sign(SignatureLabel.enroll, enrolmentMessage(code, kiosk.publicKeyRaw), kiosk.privateKey),
      ),
    },
  });
  const advertiserToken = await loginToken(env.url, ADVERTISER);
  const nowS = Math.floor(Date.now() / 1000);
  const campaign = await seedCampaign(env.url, advertiserToken, {
    name: '春茶上新',
    sponsor: '春茶',
    startsAt: nowS - 60,
    endsAt: nowS + 7 * 86_400,
    targeting: { cities: ['杭州'], buildings: [], screenGroupIds: [] },
    couponOffers: [],
    rules: { cashPerWalletPerDay: 1, couponsPerWalletPerDay: 0, fallbackCouponOfferIndex: null },
  });
  const run = (transition: string, token: string) =>
    callApi(env.url, `/v1/campaigns/${String(campaign.id)}/transitions`, { token, body: { transition } });
  await run('submit', advertiserToken);
  await run('approve', operatorToken);
  await callApi(env.url, `/v1/campaigns/${String(campaign.id)}/funding`, {
    token: advertiserToken,
    body: { amountFen: 1_000, transferId: 70_002 },
  });
  await run('activate', advertiserToken);

  const advertiser = await signIn(browser, env.url, ADVERTISER, log.watch);
  await advertiser.goto('/advertiser/campaigns');
  const row = advertiser.getByTestId(`campaign-row-${String(campaign.id)}`);
  await expect(row.getByTestId('campaign-status')).toHaveText('进行中');
  await expect(row.getByTestId('campaign-funded')).toHaveText('已注资 ¥10.00');
  await expect(row.getByTestId('campaign-money')).toHaveText('已发放 ¥0.00 · 剩余 ¥10.00');
  await expect(row.getByTestId('campaign-funded-bar')).toBeVisible();

  const operator = await signIn(browser, env.url, OPERATOR, log.watch);
  await operator.goto('/operator/advertisers');
  await operator
    .getByRole('row', { name: new RegExp(ADVERTISER.name) })
    .getByRole('button', { name: '资金流水' })
    .click();
  const lines = operator.getByRole('dialog').getByTestId('funding-line');
  await expect(lines).toHaveCount(2);
  // Newest first: the move into the campaign, then the funding, each with the balance after it.
  await expect(lines.nth(0)).toContainText('划入活动 春茶上新');
  await expect(lines.nth(0)).toContainText('-¥10.00');
  await expect(lines.nth(0)).toContainText('¥990.00');
  await expect(lines.nth(1)).toContainText('充值');
  await expect(lines.nth(1)).toContainText('+¥1,000.00');
  await expect(lines.nth(1)).toContainText(OPERATOR.email);
  await expect(operator.getByTestId('statement-balance')).toContainText('¥990.00');
  expect(log.errors).toEqual([]);
});

test('a wallet links a payment account and withdraws; the operator exports the batch and imports its result', async ({
  browser,
}) => {
  const phone = log.watch(await (await newPhoneContext(browser, env.url)).newPage());
  const exported = await createBrowserWallet(phone);
  // ¥5 into the wallet from outside, as taps would pay it.
  const db = env.cloud.deps.db;
  const [wallet] = await queryRows<{ id: unknown }>(
    db,
    sql`select ledger_account_id as id from wallets where id = ${exported.walletId}`,
  );
  const [transferId] = await allocateTransferIds(db, 1);
  const [posted] = await postTransfers(db, [
    {
      id: transferId ?? 0,
      debitAccountId: await systemLedgerAccount(db, 'external_funding'),
      creditAccountId: int(wallet?.id),
      amountFen: 500,
      code: 'test',
    },
  ]);
  expect(posted?.status).toBe('posted');
  await expect(phone.getByTestId('wallet-balance')).toHaveText('¥5.00', { timeout: 20_000 });

  // No account yet: the withdrawal dialog says so and cannot be sent.
  await phone.getByRole('button', { name: '提现' }).click();
  await expect(phone.getByTestId('withdraw-no-account')).toBeVisible();
  await phone.keyboard.press('Escape');

  await segment(phone, '提现').click();
  await phone.getByTestId('payout-account').getByRole('button', { name: '绑定收款账户' }).click();
  const form = phone.getByRole('dialog');
  await form.getByLabel('支付宝账户（手机号或邮箱）').fill('1380013');
  await form.getByLabel('账户持有人真实姓名').fill('韩梅梅');
  await form.getByRole('button', { name: '保存' }).click();
  await expect(form).toContainText('请输入支付宝账户');
  await form.getByLabel('支付宝账户（手机号或邮箱）').fill('138 0013 8000');
  await form.getByRole('button', { name: '保存' }).click();
  await expect(phone.getByTestId('payout-account-shown')).toHaveText('支付宝 138****8000 · 韩**');

  await phone.getByRole('button', { name: '提现' }).first().click();
  const withdraw = phone.getByRole('dialog');
  await expect(withdraw.getByTestId('withdraw-payee')).toContainText('支付宝 138****8000');
  await withdraw.getByLabel('金额').fill('2.00');
  await withdraw.getByRole('button', { name: '提现' }).click();
  await expect(phone.getByTestId('wallet-balance')).toHaveText('¥3.00');
  const withdrawal = phone.getByTestId('withdrawal').first();
  await expect(withdrawal).toContainText('¥2.00');
  await expect(withdrawal.getByTestId('withdrawal-status')).toHaveText('处理中');

  const operator = await signIn(browser, env.url, OPERATOR, log.watch);
  await operator.goto('/operator/settlements');
  const download = operator.waitForEvent('download');
  await operator.getByRole('button', { name: '导出付款批次' }).click();
  await operator.getByRole('dialog').getByRole('button', { name: '导出批次' }).click();
  const bytes = readFileSync(await (await download).path());
  expect([...bytes.subarray(0, 3)]).toEqual(UTF8_BOM);
  const csv = bytes.subarray(3).toString('utf8');
  const [header, line] = csv.trimEnd().split('\n');
  expect(header).toBe(
    'batch_id,withdrawal_id,wallet_id,payee_kind,payee_account,payee_name,payee_bank,amount_fen,amount_yuan,requested_at',
  );
  const [batchId = '', withdrawalId = ''] = (line ?? '').split(',');
  expect(line).toContain(`,${String(exported.walletId)},alipay,13800138000,韩梅梅,,200,2.00,`);
  const batch = operator.locator('[data-testid^=settlement-export-]').first();
  await expect(batch.getByTestId('batch-in-flight')).toHaveText('1');
  await phone.reload();
  await segment(phone, '提现').click();
  await expect(phone.getByTestId('withdrawal').first().getByTestId('withdrawal-status')).toHaveText(
    '已提交支付机构',
  );

  // A malformed result file is refused with its line, and nothing changes.
  await batch.getByRole('button', { name: '导入结果' }).click();
  const importer = operator.getByRole('dialog');
  const header2 = 'batch_id,withdrawal_id,status,provider_reference,reason\n';
  await importer.locator('input[type=file]').setInputFiles({
    name: 'result.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`${header2}${batchId},${withdrawalId},lost,,\n`),
  });
  await importer.getByRole('button', { name: '导入' }).click();
  await expect(importer.getByTestId('import-error')).toContainText('PAYOUT_FILE_INVALID: line 2');
  await docScreenshot(operator, 'settlements-import-refused');
  await importer.locator('input[type=file]').setInputFiles({
    name: 'result.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(`${header2}${batchId},${withdrawalId},failed,,收款账户不存在\n`),
  });
  await importer.getByRole('button', { name: '导入' }).click();
  await expect(importer).toBeHidden();
  await expect(batch.getByTestId('batch-failed')).toHaveText('1');
  await expect(batch.getByTestId('batch-in-flight')).toHaveText('0');
  await operator.getByRole('button', { name: '刷新' }).click();
  await expect(operator.getByTestId('ledger-status')).toHaveText('账本一致');

  // The wallet sees it failed, why, and the money back.
  await phone.reload();
  await expect(phone.getByTestId('wallet-balance')).toHaveText('¥5.00');
  await segment(phone, '提现').click();
  const failed = phone.getByTestId('withdrawal').first();
  await expect(failed.getByTestId('withdrawal-status')).toHaveText('失败');
  await expect(failed.getByTestId('withdrawal-failure')).toContainText('收款账户不存在');
  await docScreenshot(phone, 'wallet-withdrawal-failed');
  expect(log.errors).toEqual([]);
});

test("a wallet's withdrawals load a page at a time, the older ones on request", async ({ browser }) => {
  const phone = log.watch(await (await newPhoneContext(browser, env.url)).newPage());
  const wallet = await createBrowserWallet(phone);
  // 51 paid withdrawals of past days, more than one page of 50 (the daily limit keeps a test from
  // requesting them through the API).
  await env.cloud.deps.db.execute(
    sql`insert into withdrawals (wallet_id, idempotency_key, amount_fen, status, transfer_id, day, created_at, paid_at)
        select ${wallet.walletId}, 'history-' || n, 100 + n, 'paid', 990000000 + n,
               current_date - (52 - n), now() - (52 - n) * interval '1 day', now() - (52 - n) * interval '1 day'
        from generate_series(1, 51) as n`,
  );
  await phone.reload();
  await segment(phone, '提现').click();
  const rows = phone.getByTestId('withdrawal');
  await expect(rows).toHaveCount(50);
  // Newest first: yesterday's ¥1.51 leads, the 50th is ¥1.02; the oldest, ¥1.01, comes with the next page.
  await expect(rows.first()).toContainText('¥1.51');
  await expect(rows.last()).toContainText('¥1.02');
  await phone.getByRole('button', { name: '加载更多' }).click();
  await expect(rows).toHaveCount(51);
  await expect(rows.last()).toContainText('¥1.01');
  await expect(phone.getByTestId('list-end')).toBeVisible();
  expect(log.errors).toEqual([]);
});
