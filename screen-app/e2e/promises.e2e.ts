// What the screen shows is what the cloud pays, seen in Chromium on two real kiosks (`redtap-screen run`
// processes against an embedded cloud): one phone, carrying its own tap log as an honest phone does
// (docs/protocol.md §4.4), taps a Shanghai screen, a Hangzhou screen a moment later, then Shanghai again
// past the campaign's daily limit of 2 cash packets. Each screen says only what the cloud then credits:
// the cash and coupon it pays, nothing on the Hangzhou screen (too far, too fast: that kiosk draws no
// envelope, so the cloud has nothing to pay), and the fallback coupon from the
// Shanghai screen's own allotment once the limit is reached. No tap is shown as "confirming": the phone's
// day state tells the kiosks everything they need.
import { expect, test, type Page } from '@playwright/test';
import { startTestCloud, type TestCloud } from '../test/cloud-harness.ts';
import { activeCampaign, registerWallet, walletHistory } from '../test/cloud-money.ts';
import { tempDir } from '../test/fixtures.ts';
import { HonestPhone, kioskStatus, startKiosk, type Kiosk } from './support/real-kiosks.ts';

const AMOUNT_FEN = 88;
const COUPON = '茶颜 Tea Co ¥5 券';
const SETTLE_TIMEOUT_MS = 45_000;

test.describe.configure({ mode: 'serial' });

let cloud: TestCloud;
const kiosks: Kiosk[] = [];
const dirs = [tempDir(), tempDir()];

test.beforeAll(async () => {
  test.setTimeout(180_000);
  cloud = await startTestCloud();
  kiosks.push(await startKiosk(cloud, '来福士 1 号梯', '上海', dirs[0]?.dir ?? ''));
  kiosks.push(await startKiosk(cloud, '湖滨银泰 2 号梯', '杭州', dirs[1]?.dir ?? ''));
});

test.afterAll(async () => {
  for (const kiosk of kiosks) if (kiosk.child.exitCode === null) kiosk.child.kill('SIGKILL');
  await cloud.stop();
  for (const dir of dirs) dir.cleanup();
});

test('each screen promises exactly what the cloud credits: cash, a travel refusal, the fallback coupon', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const [shanghai, hangzhou] = kiosks;
  if (shanghai === undefined || hangzhou === undefined) throw new Error('kiosks did not start');
  const shanghaiPage = await browser.newPage();
  const hangzhouPage = await browser.newPage();
  await shanghaiPage.goto(shanghai.url);
  await hangzhouPage.goto(hangzhou.url);
  for (const page of [shanghaiPage, hangzhouPage]) {
    await expect(page.locator('main[data-connected="true"]')).toBeVisible();
    await expect(page.getByTestId('offline-indicator')).toHaveCount(0, { timeout: 30_000 });
  }

  await activeCampaign(cloud.call, {
    city: '上海',
    cities: ['上海', '杭州'],
    amountFen: AMOUNT_FEN,
    count: 40,
    name: 'Spring tea',
    couponOffers: [{ title: COUPON, valueFen: 500, stock: 40 }],
    rules: { cashPerWalletPerDay: 2, couponsPerWalletPerDay: 3, fallbackCouponOfferIndex: 0 },
  });
  for (const kiosk of kiosks)
    await expect
      .poll(async () => (await kioskStatus(kiosk)).decks.length, { timeout: SETTLE_TIMEOUT_MS })
      .toBe(1);

  const phone = new HonestPhone(await registerWallet(cloud.call));
  const overlay = (page: Page) => page.getByTestId('tap-overlay');

  // 1. Shanghai pays cash with the envelope's coupon, and says they are in the wallet.
  await phone.tap(shanghaiPage, shanghai);
  await expect(overlay(shanghaiPage)).toHaveAttribute('data-state', 'prize');
  await expect(shanghaiPage.getByTestId('prize-amount')).toHaveText('¥0.88');
  await expect(shanghaiPage.getByTestId('coupon-title')).toContainText(COUPON);
  await expect(shanghaiPage.getByTestId('prize-certainty')).toHaveAttribute('data-certainty', 'firm');

  // 2. Hangzhou moments later: too far too fast. No amount, no coupon, nothing "sent".
  await phone.tap(hangzhouPage, hangzhou);
  await expect(overlay(hangzhouPage)).toHaveAttribute('data-state', 'thank-you');
  await expect(hangzhouPage.getByTestId('prize-amount')).toHaveCount(0);
  await expect(hangzhouPage.getByTestId('coupon-title')).toHaveCount(0);
  await expect(hangzhouPage.getByTestId('prize-certainty')).toHaveCount(0);

  // 3. Shanghai again: the second and last cash packet of the day.
  await phone.tap(shanghaiPage, shanghai);
  await expect(overlay(shanghaiPage)).toHaveAttribute('data-state', 'prize');
  await expect(shanghaiPage.getByTestId('prize-amount')).toHaveText('¥0.88');
  await expect(shanghaiPage.getByTestId('coupon-title')).toContainText(COUPON);
  await expect(shanghaiPage.getByTestId('prize-certainty')).toHaveAttribute('data-certainty', 'firm');

  // 4. Past the limit: "already grabbed", and the fallback coupon from this screen's allotment.
  await phone.tap(shanghaiPage, shanghai);
  await expect(overlay(shanghaiPage)).toHaveAttribute('data-state', 'already-grabbed');
  await expect(shanghaiPage.getByTestId('prize-amount')).toHaveCount(0);
  await expect(shanghaiPage.getByTestId('coupon-title')).toContainText(COUPON);
  await expect(shanghaiPage.getByTestId('prize-certainty')).toHaveCount(0);

  // The kiosks settle their taps over MQTT; the cloud's results are the screens' promises.
  for (const kiosk of kiosks)
    await expect.poll(async () => (await kioskStatus(kiosk)).backlog, { timeout: SETTLE_TIMEOUT_MS }).toBe(0);
  const history = await walletHistory(cloud.call, phone.wallet);
  const byTime = [...history].sort((a, b) => a.tapTs - b.tapTs || a.id - b.id);
  expect(
    byTime.map(({ status, amountFen, reason, couponTitle }) => ({ status, amountFen, reason, couponTitle })),
  ).toEqual([
    { status: 'credited', amountFen: AMOUNT_FEN, reason: null, couponTitle: COUPON },
    // The Hangzhou kiosk drew no envelope: nothing promised, nothing paid (the wallet says "no prize").
    { status: 'credited', amountFen: 0, reason: null, couponTitle: null },
    { status: 'credited', amountFen: AMOUNT_FEN, reason: null, couponTitle: COUPON },
    { status: 'credited', amountFen: 0, reason: null, couponTitle: COUPON },
  ]);
  await shanghaiPage.close();
  await hangzhouPage.close();
});
