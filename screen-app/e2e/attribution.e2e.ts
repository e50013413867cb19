// Who pays a tap is who the screen showed, seen in Chromium on three real kiosks (`redtap-screen run`
// processes against an embedded cloud): two Shanghai screens in one screen group and a Hangzhou screen.
//
// Attribution: Tea Co runs everywhere; GreenLeaf's small campaign (8 envelopes) targets the group only.
// Each targeted screen gets its own share of GreenLeaf's envelopes (4 each, none to Hangzhou), plays
// GreenLeaf's poster only while it holds them, and every tap made while the poster is up is shown as a
// GreenLeaf prize that GreenLeaf pays (the wallet names the brand, GreenLeaf's report counts the taps).
// The Hangzhou screen never shows GreenLeaf.
//
// Caps from the wizard: a third brand builds its campaign in the console's wizard (one cash packet and one
// coupon per wallet per day, its own coupon as the fallback) for Hangzhou. Past the cash cap a wallet is
// shown that coupon, never Tea Co's cash though Tea Co's deck is right there; a tap a moment later shows
// no second one. The coupon cap counts taps that give a coupon without cash (docs/protocol.md §7): the
// coupon inside the day's cash envelope is that envelope's own, so the wallet ends the day with two.
// For every tap the screen's words equal the cloud's final result.
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { formatFen } from '@redtap/shared';
import { sql } from 'drizzle-orm';
import { build } from 'vite';
import { startTestCloud, type TestCloud } from '../test/cloud-harness.ts';
import {
  activeCampaign,
  registerWallet,
  walletCoupons,
  walletHistory,
  walletSession,
  type TestWallet,
} from '../test/cloud-money.ts';
import { tempDir } from '../test/fixtures.ts';
import {
  creativeOn,
  creativesShown,
  HonestPhone,
  kioskStatus,
  openKioskScreen,
  posterPng,
  shownTap,
  startKiosk,
  type Kiosk,
  type ShownTap,
} from './support/real-kiosks.ts';

const TEA = { brand: 'Tea Co', coupon: '茶颜 Tea Co ¥5 券', amountFen: 88 };
const GREEN = { brand: 'GreenLeaf 绿叶', coupon: 'GreenLeaf 绿叶 ¥3 券', amountFen: 166, envelopes: 8 };
const BAKERY = {
  brand: '麦香 Bakery',
  name: '早安可颂',
  coupon: '麦香 免费可颂',
  amountFen: 60,
  envelopes: 200,
  advertiser: { name: '麦香 Bakery', email: 'brand@bakery.test', password: 'advertiser-pass-1' },
};
const ZONE = 'Asia/Shanghai (GMT+8)';
const SETTLE_TIMEOUT_MS = 60_000;
const POSTER_TIMEOUT_MS = 60_000;
const CONSOLE_CONFIG = fileURLToPath(new URL('../../cloud/console/vite.config.ts', import.meta.url));

test.describe.configure({ mode: 'serial' });

let cloud: TestCloud;
const kiosks: Kiosk[] = [];
const dirs = [tempDir(), tempDir(), tempDir()];
/** Each brand's creative by sha256: the brand a person sees on screen. */
const brandOfCreative = new Map<string, string>();
const pages = new Map<Kiosk, Page>();

test.beforeAll(async () => {
  test.setTimeout(240_000);
  cloud = await startTestCloud();
  kiosks.push(await startKiosk(cloud, '来福士 1 号梯', '上海', dirs[0]?.dir ?? ''));
  kiosks.push(await startKiosk(cloud, '来福士 2 号梯', '上海', dirs[1]?.dir ?? ''));
  kiosks.push(await startKiosk(cloud, '湖滨银泰 2 号梯', '杭州', dirs[2]?.dir ?? ''));
});

test.afterAll(async () => {
  for (const page of pages.values()) await page.close();
  for (const kiosk of kiosks) if (kiosk.child.exitCode === null) kiosk.child.kill('SIGKILL');
  await cloud.stop();
  for (const dir of dirs) dir.cleanup();
});

function kioskAt(index: number): Kiosk {
  const kiosk = kiosks[index];
  if (kiosk === undefined) throw new Error('the kiosks did not start');
  return kiosk;
}

function pageOf(kiosk: Kiosk): Page {
  const page = pages.get(kiosk);
  if (page === undefined) throw new Error(`${kiosk.name} has no page`);
  return page;
}

/**
 * A tap by `phone` on `kiosk` while the creative `sha256` is on its screen (checked before the tap: a
 * campaign's creative stays up until its item ends or its deck runs out), and what the screen said.
 */
async function tapWhileShowing(kiosk: Kiosk, phone: HonestPhone, sha256: string): Promise<ShownTap> {
  const page = pageOf(kiosk);
  await expect(creativeOn(page)).toHaveAttribute('data-sha256', sha256, { timeout: POSTER_TIMEOUT_MS });
  const tap = await phone.tap(page, kiosk);
  return shownTap(page, kiosk, tap, sha256);
}

/** One session per wallet: the cloud allows a client 10 wallet registrations and logins a minute. */
const sessions = new Map<number, string>();
async function sessionOf(wallet: TestWallet): Promise<string> {
  const known = sessions.get(wallet.walletId);
  if (known !== undefined) return known;
  const session = await walletSession(cloud.call, wallet);
  sessions.set(wallet.walletId, session);
  return session;
}

/** Waits until every kiosk has settled its taps with the cloud. */
async function settled(): Promise<void> {
  for (const kiosk of kiosks)
    await expect.poll(async () => (await kioskStatus(kiosk)).backlog, { timeout: SETTLE_TIMEOUT_MS }).toBe(0);
}

/**
 * Each tap as the screen said it and as the cloud finally recorded it, in the same words: credited, the
 * cash amount shown (none for 0), the coupon, and the brand (the creative on screen; the campaign's
 * brand in the wallet's history).
 */
async function screenAndCloud(
  taps: { wallet: TestWallet; shown: ShownTap }[],
): Promise<{ screen: unknown[]; cloud: unknown[] }> {
  const histories = new Map<number, Awaited<ReturnType<typeof walletHistory>>>();
  for (const { wallet } of taps)
    if (!histories.has(wallet.walletId))
      histories.set(wallet.walletId, await walletHistory(cloud.call, wallet, await sessionOf(wallet)));
  const screen = taps.map(({ shown }) => ({
    screenId: shown.screenId,
    counter: shown.counter,
    status: 'credited',
    amount: shown.amount,
    couponTitle: shown.couponTitle,
    brand: brandOfCreative.get(shown.creativeSha256 ?? '') ?? null,
  }));
  const final = taps.map(({ wallet, shown }) => {
    const item = histories
      .get(wallet.walletId)
      ?.find((entry) => entry.screenId === shown.screenId && entry.counter === shown.counter);
    return {
      screenId: shown.screenId,
      counter: shown.counter,
      status: item?.status ?? 'missing',
      amount: item === undefined || item.amountFen === 0 ? null : formatFen(item.amountFen),
      couponTitle: item?.couponTitle ?? null,
      brand: item?.brand ?? null,
    };
  });
  return { screen, cloud: final };
}

test('a second brand on a screen group: its own share per targeted screen, its poster only while it can pay, and every tap it shows is paid by it', async ({
  browser,
}) => {
  test.setTimeout(360_000);
  const [shanghai1, shanghai2, hangzhou] = [kioskAt(0), kioskAt(1), kioskAt(2)];
  for (const kiosk of kiosks) pages.set(kiosk, await openKioskScreen(browser, kiosk));

  const teaPoster = await posterPng(browser, '茶颜 Tea Co', '#b3261e');
  const greenPoster = await posterPng(browser, 'GreenLeaf 绿叶', '#1b7f3b');
  brandOfCreative.set(teaPoster.sha256, TEA.brand);
  brandOfCreative.set(greenPoster.sha256, GREEN.brand);

  // Tea Co everywhere, a short poster in the loop.
  await activeCampaign(cloud.call, {
    city: '上海',
    cities: ['上海', '杭州'],
    amountFen: TEA.amountFen,
    count: 60,
    name: 'Spring tea',
    couponOffers: [{ title: TEA.coupon, valueFen: 500, stock: 60 }],
    // Taps only: the test deals every envelope to the screens (no claim reserve kept for online claims).
    rules: {
      cashPerWalletPerDay: 1,
      couponsPerWalletPerDay: 1,
      fallbackCouponOfferIndex: null,
      claimPaths: ['tap'],
    },
    creatives: [{ bytes: teaPoster.bytes, durationMs: 2_000 }],
  });
  for (const kiosk of kiosks)
    await expect(creativeOn(pageOf(kiosk))).toHaveAttribute('data-sha256', teaPoster.sha256, {
      timeout: POSTER_TIMEOUT_MS,
    });

  // GreenLeaf targets the group of the two Shanghai screens.
  const group = await cloud.call('POST', '/v1/screen-groups', { name: '来福士' });
  expect(group.status).toBe(201);
  const groupId = Number(group.body.id);
  const members = await cloud.call('PUT', `/v1/screen-groups/${groupId}/screens`, {
    screenIds: [shanghai1.screenId, shanghai2.screenId],
  });
  expect(members.status).toBe(200);
  const green = await activeCampaign(cloud.call, {
    city: '',
    cities: [],
    screenGroupIds: [groupId],
    amountFen: GREEN.amountFen,
    count: GREEN.envelopes,
    name: 'GreenLeaf spring',
    sponsor: GREEN.brand,
    couponOffers: [{ title: GREEN.coupon, valueFen: 300, stock: GREEN.envelopes }],
    rules: {
      cashPerWalletPerDay: 4,
      couponsPerWalletPerDay: 1,
      fallbackCouponOfferIndex: null,
      claimPaths: ['tap'],
    },
    // Up for as long as the screen can pay it: it leaves only when its deck runs out.
    creatives: [{ bytes: greenPoster.bytes, durationMs: 600_000 }],
  });

  // The cloud dealt GreenLeaf's envelopes per targeted screen: its fair share each, Hangzhou none.
  const result: unknown = await cloud.cloud.deps.db.execute(
    sql`select screen_id, jsonb_array_length(envelopes) as envelopes from decks
        where campaign_id = ${green.campaignId} order by screen_id, id`,
  );
  const dealt = result as { rows: { screen_id: unknown; envelopes: unknown }[] };
  expect(dealt.rows.map((row) => [Number(row.screen_id), Number(row.envelopes)])).toEqual([
    [shanghai1.screenId, GREEN.envelopes / 2],
    [shanghai2.screenId, GREEN.envelopes / 2],
  ]);
  const greenDeck = async (kiosk: Kiosk) =>
    (await kioskStatus(kiosk)).decks.find((deck) => deck.campaignId === green.campaignId);
  for (const kiosk of [shanghai1, shanghai2])
    await expect
      .poll(async () => (await greenDeck(kiosk))?.remaining, { timeout: SETTLE_TIMEOUT_MS })
      .toBe(GREEN.envelopes / 2);

  const taps: { wallet: TestWallet; shown: ShownTap }[] = [];
  const tapBy = async (phone: HonestPhone, kiosk: Kiosk, sha256: string) => {
    const shown = await tapWhileShowing(kiosk, phone, sha256);
    taps.push({ wallet: phone.wallet, shown });
    return shown;
  };
  const greenPrize = { state: 'prize', amount: formatFen(GREEN.amountFen), couponTitle: GREEN.coupon };
  const teaPrize = { state: 'prize', amount: formatFen(TEA.amountFen), couponTitle: TEA.coupon };

  // Shanghai 1: a commuter taps four times while GreenLeaf's poster is up (GreenLeaf allows four packets
  // a day), each a GreenLeaf prize; the fourth takes the screen's last GreenLeaf envelope and the poster
  // leaves at once.
  const commuter = new HonestPhone(await registerWallet(cloud.call));
  for (let i = 0; i < GREEN.envelopes / 2; i++)
    expect(await tapBy(commuter, shanghai1, greenPoster.sha256)).toMatchObject(greenPrize);
  await expect(creativeOn(pageOf(shanghai1))).toHaveAttribute('data-sha256', teaPoster.sha256);
  const shownWhenEmpty = (await creativesShown(pageOf(shanghai1))).length;
  expect((await greenDeck(shanghai1))?.remaining ?? 0).toBe(0);
  // The next tap there is Tea Co's, as its poster says.
  expect(await tapBy(commuter, shanghai1, teaPoster.sha256)).toMatchObject(teaPrize);

  // Shanghai 2 holds its own share and pays GreenLeaf too; Hangzhou holds none.
  const neighbour = new HonestPhone(await registerWallet(cloud.call));
  expect(await tapBy(neighbour, shanghai2, greenPoster.sha256)).toMatchObject(greenPrize);
  expect(await greenDeck(hangzhou)).toBeUndefined();

  // With nothing left to pay, Shanghai 1 never brings GreenLeaf back: three more showings, all Tea Co.
  await expect
    .poll(async () => (await creativesShown(pageOf(shanghai1))).length, { timeout: POSTER_TIMEOUT_MS })
    .toBeGreaterThanOrEqual(shownWhenEmpty + 3);
  const shownSince = (await creativesShown(pageOf(shanghai1))).slice(shownWhenEmpty);
  expect(shownSince.filter((sha) => sha === greenPoster.sha256)).toEqual([]);
  const hangzhouShown = await creativesShown(pageOf(hangzhou));
  expect(hangzhouShown).toContain(teaPoster.sha256);
  expect(hangzhouShown.filter((sha) => sha === greenPoster.sha256)).toEqual([]);

  // What each screen said is what the cloud paid, and the wallet names the brand that paid.
  await settled();
  const { screen, cloud: final } = await screenAndCloud(taps);
  expect(final).toEqual(screen);

  // GreenLeaf's report counts its taps on the screens that showed it, and none elsewhere.
  const report = await cloud.call(
    'GET',
    `/v1/reports?by=screen&campaignId=${green.campaignId}`,
    undefined,
    green.advertiserToken,
  );
  expect(report.status).toBe(200);
  const rows = (report.body.items as { key: string; taps: number; cashFen: number; coupons: number }[])
    .map(({ key, taps: count, cashFen, coupons }) => ({ key, taps: count, cashFen, coupons }))
    .sort((a, b) => a.key.localeCompare(b.key));
  expect(rows).toEqual(
    [
      { key: String(shanghai1.screenId), taps: 4, cashFen: 4 * GREEN.amountFen, coupons: 4 },
      { key: String(shanghai2.screenId), taps: 1, cashFen: GREEN.amountFen, coupons: 1 },
    ].sort((a, b) => a.key.localeCompare(b.key)),
  );
});

/** `unixS` as the wizard's datetime-local input reads it in Shanghai (UTC+8 all year). */
function shanghaiInput(unixS: number): string {
  return new Date((unixS + 8 * 3600) * 1000).toISOString().slice(0, 16);
}

test("caps set in the wizard hold at the kiosk: past the cash cap the chosen coupon, once a day, never another brand's cash", async ({
  browser,
}) => {
  test.setTimeout(480_000);
  const hangzhou = kioskAt(2);
  // The console the cloud serves, built from this tree.
  await build({ configFile: CONSOLE_CONFIG, logLevel: 'warn' });

  // Transfer ids below the fixtures' range (7,000,000 and up), so none is taken twice.
  const advertiser = await cloud.call('POST', '/v1/advertisers', BAKERY.advertiser);
  expect(advertiser.status).toBe(201);
  const advertiserId = Number(advertiser.body.id);
  const funded = await cloud.call('POST', `/v1/advertisers/${advertiserId}/funding`, {
    amountFen: 100_000,
    transferId: 3_100_001,
  });
  expect(funded.status).toBe(200);
  const poster = await posterPng(browser, '麦香 Bakery 早安可颂', '#8a5a00');
  brandOfCreative.set(poster.sha256, BAKERY.brand);

  // The advertiser builds the campaign in the wizard, in Chinese.
  const context = await browser.newContext({
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    reducedMotion: 'reduce',
    baseURL: cloud.cloud.httpUrl,
    viewport: { width: 1440, height: 900 },
  });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('邮箱').fill(BAKERY.advertiser.email);
  await page.getByLabel('密码').fill(BAKERY.advertiser.password);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('button', { name: '退出登录' })).toBeVisible();
  await page.goto('/advertiser/campaigns/new');
  const next = page.getByRole('button', { name: '下一步' });
  const blocked = page.getByTestId('next-blocked');

  await page.getByLabel('活动名称').fill(BAKERY.name);
  await page.getByLabel('屏幕上显示的赞助品牌').fill(BAKERY.brand);
  await page
    .locator('input[type=file]')
    .setInputFiles({ name: 'poster.png', mimeType: 'image/png', buffer: poster.bytes });
  await expect(page.getByTestId('creative')).toHaveCount(1);
  await page.getByLabel('播放秒数').fill('600');
  await expect(blocked).toBeHidden();
  await next.click();

  // Running since an hour ago: the kiosks play it at once.
  await page.getByLabel(`开始时间 (${ZONE})`).fill(shanghaiInput(Math.floor(Date.now() / 1000) - 3_600));
  await expect(blocked).toBeHidden();
  await next.click();

  await page.getByRole('textbox', { name: '城市' }).click();
  await page.getByRole('option', { name: '杭州' }).click();
  await page.getByRole('textbox', { name: '城市' }).press('Escape');
  await next.click();

  await page.getByText('固定档位', { exact: true }).click();
  await page.getByLabel('金额 1').fill((BAKERY.amountFen / 100).toFixed(2));
  await page.getByLabel('个数 1').fill(String(BAKERY.envelopes));
  await page.getByRole('button', { name: '移除' }).last().click();
  await expect(page.getByLabel('金额 2')).toHaveCount(0);
  await expect(page.getByTestId('wizard-budget')).toHaveText(formatFen(BAKERY.amountFen * BAKERY.envelopes));
  await expect(blocked).toBeHidden();
  await next.click();

  await page.getByRole('button', { name: '添加优惠券' }).click();
  await page.getByLabel('标题 1').fill(BAKERY.coupon);
  await page.getByLabel('面值').fill('8');
  // As many coupons as envelopes: every cash envelope carries one, and the fallback allotments take theirs.
  await page.getByLabel('库存').fill(String(BAKERY.envelopes));
  await page.getByLabel('领取后有效天数').fill('7');
  await page.getByLabel('每个钱包每天现金红包数').fill('1');
  await page.getByLabel('每个钱包每天仅券奖品数').fill('1');
  const fallback = page.getByRole('textbox', { name: '现金达上限时发放的优惠券' });
  await fallback.click();
  await page.getByRole('option', { name: BAKERY.coupon }).click();
  await expect(fallback).toHaveValue(BAKERY.coupon);
  await expect(blocked).toBeHidden();
  await next.click();

  await expect(page.getByTestId('wizard-caps')).toHaveText('现金 1 个，仅券 1 次');
  await expect(page.getByTestId('wizard-fallback')).toHaveText(BAKERY.coupon);
  await expect(page.getByTestId('wizard-creatives')).toHaveText('1 个素材，每轮 600 秒');
  await page.getByRole('button', { name: '创建并提交审核' }).click();
  await expect(page).toHaveURL(/\/advertiser\/campaigns$/);
  await context.close();

  // The operator approves it; the advertiser funds and starts it.
  const login = await cloud.call('POST', '/v1/auth/login', {
    email: BAKERY.advertiser.email,
    password: BAKERY.advertiser.password,
  });
  const token = String(login.body.token);
  const list = await cloud.call('GET', '/v1/campaigns', undefined, token);
  const made = (
    list.body.items as {
      id: number;
      name: string;
      status: string;
      rules: { cashPerWalletPerDay: number; couponsPerWalletPerDay: number; fallbackCouponOfferId: number };
      couponOffers: { id: number; title: string }[];
      creatives: { sha256: string; durationMs: number }[];
    }[]
  ).find((campaign) => campaign.name === BAKERY.name);
  if (made === undefined) throw new Error('the wizard made no campaign');
  expect(made.status).toBe('submitted');
  expect(made.rules).toMatchObject({
    cashPerWalletPerDay: 1,
    couponsPerWalletPerDay: 1,
    fallbackCouponOfferId: made.couponOffers.find((offer) => offer.title === BAKERY.coupon)?.id,
  });
  expect(made.creatives).toEqual([{ sha256: poster.sha256, durationMs: 600_000 }]);
  const transition = async (name: string, as?: string) =>
    expect(
      (await cloud.call('POST', `/v1/campaigns/${made.id}/transitions`, { transition: name }, as)).status,
    ).toBe(200);
  await transition('approve');
  const fundCampaign = await cloud.call(
    'POST',
    `/v1/campaigns/${made.id}/funding`,
    { amountFen: BAKERY.amountFen * BAKERY.envelopes, transferId: 3_100_002 },
    token,
  );
  expect(fundCampaign.status).toBe(200);
  await transition('activate', token);

  // Hangzhou holds the campaign's deck with a fallback allotment, and Tea Co's deck with cash left.
  await expect
    .poll(
      async () => {
        const deck = (await kioskStatus(hangzhou)).decks.find((level) => level.campaignId === made.id);
        return (deck?.fallbackRemaining ?? 0) > 0 && (deck?.remaining ?? 0) > 0;
      },
      { timeout: SETTLE_TIMEOUT_MS },
    )
    .toBe(true);
  const teaCash = (await kioskStatus(hangzhou)).decks.filter(
    (level) => level.campaignId !== made.id && level.remaining > 0,
  );
  expect(teaCash.length).toBeGreaterThan(0);

  // One commuter taps three times while the bakery's poster is up, all within a minute.
  const phone = new HonestPhone(await registerWallet(cloud.call));
  const taps: { wallet: TestWallet; shown: ShownTap }[] = [];
  for (let i = 0; i < 3; i++)
    taps.push({ wallet: phone.wallet, shown: await tapWhileShowing(hangzhou, phone, poster.sha256) });
  const said = taps.map(({ shown }) => ({
    state: shown.state,
    amount: shown.amount,
    couponTitle: shown.couponTitle,
  }));
  expect(said).toEqual([
    // The day's one cash packet, with the coupon its envelope carries.
    { state: 'prize', amount: formatFen(BAKERY.amountFen), couponTitle: BAKERY.coupon },
    // Past the cash cap: the chosen fallback coupon, not Tea Co's cash.
    { state: 'already-grabbed', amount: null, couponTitle: BAKERY.coupon },
    // The day's one coupon without cash is taken: no second one.
    { state: 'already-grabbed', amount: null, couponTitle: null },
  ]);
  await settled();
  const history = await walletHistory(cloud.call, phone.wallet, await sessionOf(phone.wallet));
  const times = history.map((item) => item.tapTs);
  expect(Math.max(...times) - Math.min(...times)).toBeLessThan(60);

  const { screen, cloud: final } = await screenAndCloud(taps);
  expect(final).toEqual(screen);
  // The coupons the wallet holds are the ones the screen showed.
  const coupons = (await walletCoupons(cloud.call, phone.wallet, await sessionOf(phone.wallet))).map(
    (coupon) => coupon.title,
  );
  expect(coupons.sort()).toEqual(
    taps.flatMap(({ shown }) => (shown.couponTitle === null ? [] : [shown.couponTitle])).sort(),
  );
});
