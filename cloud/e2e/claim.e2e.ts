// The claim page against a real cloud: a phone without the wallet app opens the URL of a screen's QR
// ticket, signs in to a browser wallet from that page, grabs the red packet with one press and sees the
// amount and the brand that paid in Chinese; a second phone with the same ticket is told someone else
// claimed it; opening the page alone claims nothing; a claim an account check holds says "under review".
import { randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { sql } from 'drizzle-orm';
import {
  enrolmentMessage,
  generateKeyPair,
  sign,
  SignatureLabel,
  signTicket,
  TicketPath,
  ticketUrl,
  toHex,
  type KeyPair,
} from '@redtap/shared';
import { int, queryRows } from '../src/db/rows.ts';
import {
  OPERATOR,
  startConsoleCloud,
  type ConsoleCloud,
  callApi,
  type ApiInit,
} from './support/console-cloud.ts';
import { browserErrorLog, newPhoneContext } from './support/console-pages.ts';
import { loginToken, seedAdvertiser, seedCampaign, seedScreen } from './support/seed.ts';

const BRAND = { name: 'Tea Co 茶颜', email: 'brand@claims.test', password: 'advertiser-pass-4' };
const SPONSOR = '茶颜悦色';
const ENVELOPE_FEN = 50;

let env: ConsoleCloud;
let campaignId = 0;
let screen: { screenId: number; key: KeyPair };
const { errors: browserErrors, watch } = browserErrorLog();

const api = <T>(path: string, init?: ApiInit): Promise<T> => callApi<T>(env.url, path, init);

async function claimCount(): Promise<number> {
  const rows = await queryRows<{ n: unknown }>(env.cloud.database.db, sql`select count(*) as n from claims`);
  return int(rows[0]?.n ?? 0);
}

/** A cloud with one enrolled screen and an active campaign of 400 packets of ¥0.50 targeting it. */
async function startClaimCloud(): Promise<void> {
  env = await startConsoleCloud();
  const operatorToken = await loginToken(env.url, OPERATOR);
  const brandId = await seedAdvertiser(env.url, operatorToken, BRAND);
  await api(`/v1/advertisers/${brandId}/funding`, {
    token: operatorToken,
    body: { amountFen: 100_000, transferId: 79_001 },
  });
  const brandToken = await loginToken(env.url, BRAND);
  const screenId = await seedScreen(env.url, operatorToken, {
    name: '来福士 3 号梯',
    city: '上海',
    building: '来福士',
    elevator: 'C3',
  });
  const { code } = await api<{ code: string }>(`/v1/screens/${screenId}/enrolment-codes`, {
    token: operatorToken,
    body: {},
    status: 201,
  });
  const key = generateKeyPair();
  await api('/v1/enrol', {
    body: {
      code,
      publicKey: toHex(key.publicKeyRaw),
      signature: toHex(sign(SignatureLabel.enroll, enrolmentMessage(code, key.publicKeyRaw), key.privateKey)),
    },
    status: 201,
  });
  screen = { screenId, key };
  const nowS = Math.floor(Date.now() / 1000);
  const campaign = await seedCampaign(env.url, brandToken, {
    name: 'Spring tea',
    sponsor: SPONSOR,
    startsAt: nowS - 3600,
    endsAt: nowS + 30 * 86_400,
    targeting: { cities: ['上海'], buildings: [], screenGroupIds: [] },
    budgetFen: 400 * ENVELOPE_FEN,
    prizePlan: { kind: 'tiers', tiers: [{ amountFen: ENVELOPE_FEN, count: 400 }] },
    rules: { cashPerWalletPerDay: 2, couponsPerWalletPerDay: 1, fallbackCouponOfferIndex: null },
  });
  campaignId = campaign.id;
  const transition = (name: string, token: string) =>
    api(`/v1/campaigns/${campaignId}/transitions`, { token, body: { transition: name } });
  await transition('submit', brandToken);
  await transition('approve', operatorToken);
  await api(`/v1/campaigns/${campaignId}/funding`, {
    token: brandToken,
    body: { amountFen: 400 * ENVELOPE_FEN, transferId: 79_002 },
  });
  await transition('activate', brandToken);
}

test.describe.serial('claim page', () => {
  test.beforeAll(startClaimCloud);
  test.afterAll(async () => {
    await env.stop();
  });

  test('a phone signs in from the claim page, grabs the packet once and sees who paid', async ({
    browser,
  }) => {
    const { bytes } = signTicket(
      {
        screenId: screen.screenId,
        ticketSeq: 1,
        ts: Math.floor(Date.now() / 1000),
        campaignId,
        path: TicketPath.screenQr,
        nonce: new Uint8Array(randomBytes(8)),
      },
      screen.key.privateKey,
    );
    const url = ticketUrl(env.url, bytes);

    const context = await newPhoneContext(browser, env.url);
    const phone = watch(await context.newPage());
    await phone.goto(url);
    // Opening the page (what a link preview does) claims nothing.
    await expect(phone.getByRole('button', { name: '在本设备创建钱包' })).toBeVisible();
    expect(await claimCount()).toBe(0);
    await phone.getByRole('button', { name: '在本设备创建钱包' }).click();
    await phone.getByTestId('claim-button').click();
    const credited = phone.getByTestId('claim-credited');
    await expect(credited).toContainText(`${SPONSOR} 送你`);
    await expect(credited).toContainText('¥0.50');
    expect(await claimCount()).toBe(1);

    // Another phone with the same ticket is told, in its language, that it was claimed first.
    const otherContext = await newPhoneContext(browser, env.url);
    const other = watch(await otherContext.newPage());
    await other.goto(url);
    await other.getByRole('button', { name: '在本设备创建钱包' }).click();
    await other.getByTestId('claim-button').click();
    await expect(other.locator('[data-error-code="TICKET_ALREADY_CLAIMED"]')).toContainText('已被别人领取');
    expect(await claimCount()).toBe(1);

    await context.close();
    await otherContext.close();
    expect(browserErrors.filter((error) => !error.includes('409'))).toEqual([]);
  });
});

// A cloud of its own: the claims above used this address's wallet sign-ins for the minute.
test.describe.serial('claim page, held for review', () => {
  test.beforeAll(startClaimCloud);
  test.afterAll(async () => {
    await env.stop();
  });

  test("a claim held by an account check says it is under review, in the reader's words", async ({
    browser,
  }) => {
    // One browser (one device cookie) that has already served three wallets, the threshold: a fourth
    // wallet claiming from it is held for review.
    const device = randomBytes(16).toString('base64url');
    for (let i = 0; i < 3; i += 1) {
      const { walletId } = await api<{ walletId: number }>('/v1/wallets', {
        body: { publicKey: toHex(generateKeyPair().publicKeyRaw) },
      });
      await env.cloud.database.db.execute(
        sql`insert into wallet_devices (device_id, wallet_id, first_seen_at, last_seen_at)
            values (${device}, ${walletId}, now(), now())`,
      );
    }
    const { bytes } = signTicket(
      {
        screenId: screen.screenId,
        ticketSeq: 2,
        ts: Math.floor(Date.now() / 1000),
        campaignId,
        path: TicketPath.screenQr,
        nonce: new Uint8Array(randomBytes(8)),
      },
      screen.key.privateKey,
    );
    const context = await newPhoneContext(browser, env.url);
    await context.addCookies([{ name: 'redtap_device', value: device, url: env.url }]);
    const phone = watch(await context.newPage());
    await phone.goto(ticketUrl(env.url, bytes));
    await phone.getByRole('button', { name: '在本设备创建钱包' }).click();
    await phone.getByTestId('claim-button').click();
    const held = phone.getByTestId('claim-held');
    await expect(held).toContainText('审核中');
    await expect(held).toContainText('¥0.50');
    await expect(held).toContainText('账户核查');
    await expect(held).not.toContainText('HOLD_');
    const [claim] = await queryRows<{ status: string; code: string | null }>(
      env.cloud.database.db,
      sql`select status, code from claims where ticket_seq = 2 and screen_id = ${screen.screenId}`,
    );
    expect(claim).toEqual({ status: 'held', code: 'HOLD_DEVICE_WALLETS' });
    await context.close();
    expect(browserErrors).toEqual([]);
  });
});
