// The screen in Chromium against a real kiosk: SQLite store, tap engine, simulated reader with
// virtual phones, UI hub and browser host. Every UI state is reached by a real tap.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { unreportedPlays } from '../src/store/proof-of-play-queries.ts';
import { lastCommittedCounter } from '../src/store/tap-queries.ts';
import { creativeOf, KioskHarness, playlistItem, type Creative } from './support/kiosk-harness.ts';

// The README's screenshots are refreshed with REDTAP_SCREENSHOT_DIR=docs/screenshots; otherwise they go to
// a temp dir, so a test run never changes tracked files.
const screenshotDir = `${process.env.REDTAP_SCREENSHOT_DIR ?? join(tmpdir(), 'redtap-screenshots')}/`;

/** An advertiser's creative, rendered from HTML in the test so the repo ships no image files. */
async function renderCreative(browser: Browser): Promise<Creative> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.setContent(`
    <body style="margin:0;width:1280px;height:720px;display:flex;align-items:center;justify-content:center;
      background:linear-gradient(135deg,#0f5132,#198754 60%,#a3cfbb);font-family:sans-serif;color:#fff">
      <div style="text-align:center">
        <div style="font-size:120px;font-weight:800;letter-spacing:4px">春茶 Spring Tea</div>
        <div style="font-size:44px;margin-top:12px;opacity:.9">Fresh from the hills · 新茶上市</div>
      </div>
    </body>`);
  const bytes = await page.screenshot({ type: 'png' });
  await page.close();
  return creativeOf(new Uint8Array(bytes));
}

/** Freezes every animation at one moment, so a screenshot is the same on every run. */
async function freezeAnimations(page: Page, atMs: number): Promise<void> {
  await page.evaluate((time) => {
    // Runs in the page; this file is typechecked without DOM types.
    const page = globalThis as unknown as {
      document: { getAnimations(): { pause(): void; currentTime: number }[] };
    };
    for (const animation of page.document.getAnimations()) {
      animation.pause();
      animation.currentTime = time;
    }
  }, atMs);
}

async function openScreen(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.locator('main[data-connected="true"]')).toBeVisible();
}

test.describe.configure({ mode: 'serial' });

let kiosk: KioskHarness;
let url: string;

test.beforeAll(async () => {
  kiosk = new KioskHarness();
  url = await kiosk.start();
});

test.afterAll(async () => {
  await kiosk.stop();
});

test('idle: default content with the call to action, offline marker while offline', async ({ page }) => {
  await openScreen(page, url);
  await expect(page.getByTestId('default-creative')).toBeVisible();
  await expect(page.getByTestId('cta')).toContainText('碰一碰 抢红包');
  await expect(page.getByTestId('cta')).toContainText('Tap to grab a red packet');
  await expect(page.getByTestId('offline-indicator')).toBeVisible();

  kiosk.hub.setStatus({ online: true });
  await expect(page.getByTestId('offline-indicator')).toHaveCount(0);
  mkdirSync(screenshotDir, { recursive: true });
  await freezeAnimations(page, 700);
  await page.screenshot({ path: `${screenshotDir}kiosk-idle.png` });

  kiosk.hub.setStatus({ online: false });
  await expect(page.getByTestId('offline-indicator')).toContainText('离线');
});

test('a prize: amount from integer fen, the deck order, and a coupon title', async ({ page }) => {
  kiosk.hub.setStatus({ online: true });
  await openScreen(page, url);
  const overlay = page.getByTestId('tap-overlay');

  const first = await kiosk.tap(kiosk.phone(1));
  expect(first).toMatchObject({ outcome: 'completed', committed: true });
  await expect(overlay).toHaveAttribute('data-state', 'prize');
  await expect(page.getByTestId('prize-amount')).toHaveText('¥1.20');
  await expect(overlay).toContainText('恭喜发财');
  await expect(page.getByTestId('coupon-title')).toHaveCount(0);
  await freezeAnimations(page, 900);
  await page.screenshot({ path: `${screenshotDir}kiosk-prize.png` });

  // Second envelope: 35 fen and coupon offer 5.
  await kiosk.tap(kiosk.phone(2));
  await expect(page.getByTestId('prize-amount')).toHaveText('¥0.35');
  await expect(page.getByTestId('coupon-title')).toContainText('¥2 off');
});

test('a prize the kiosk cannot be sure of shows its amount as confirming, never as sent', async ({
  page,
}) => {
  await openScreen(page, url);
  const overlay = page.getByTestId('tap-overlay');
  const shown = (certainty: 'firm' | 'confirming') =>
    kiosk.hub.showTap({
      state: 'prize',
      tapId: kiosk.hub.newTapId(),
      counter: 90,
      amountFen: 84,
      couponTitle: null,
      certainty,
    });
  shown('confirming');
  await expect(overlay).toHaveAttribute('data-state', 'prize');
  await expect(page.getByTestId('prize-amount')).toHaveText('¥0.84');
  await expect(page.getByTestId('prize-certainty')).toHaveAttribute('data-certainty', 'confirming');
  await expect(overlay).toContainText('确认中');
  await expect(overlay).toContainText('Confirming');
  await expect(overlay).not.toContainText('已存入您的钱包');
  await expect(overlay).not.toContainText('Sent to your wallet');
  await expect(overlay).not.toContainText('恭喜发财');

  shown('firm');
  await expect(page.getByTestId('prize-certainty')).toHaveAttribute('data-certainty', 'firm');
  await expect(overlay).toContainText('已存入您的钱包');
  await expect(overlay).not.toContainText('确认中');
});

test('a claim by a phone: the amount the cloud paid and the brand, never over a tap being read', async ({
  page,
}) => {
  kiosk.hub.setStatus({ online: true, ticketUrl: `https://redtap.example/claim?t=${'A'.repeat(126)}` });
  await openScreen(page, url);
  await expect(page.getByTestId('offline-indicator')).toHaveCount(0);
  const overlay = page.getByTestId('tap-overlay');
  const claimed = (
    ticketSeq: number,
    brand: string | null,
    amountFen = 84,
    couponTitle: string | null = null,
  ) =>
    kiosk.hub.showTap({
      state: 'claimed',
      tapId: kiosk.hub.newTapId(),
      ticketSeq,
      amountFen,
      couponTitle,
      brand,
    });
  claimed(41, '茶颜悦色');
  await expect(overlay).toHaveAttribute('data-state', 'claimed');
  await expect(overlay).toHaveAttribute('data-ticket-seq', '41');
  await expect(page.getByTestId('prize-amount')).toHaveText('¥0.84');
  await expect(overlay).toContainText('已领取');
  await expect(overlay).toContainText('Claimed by a phone');
  await expect(page.getByTestId('claim-brand')).toContainText('茶颜悦色');
  // The fresh QR code stays in view above the celebration (a trial click checks nothing covers it).
  await page.getByTestId('ticket-qr').click({ trial: true });
  await freezeAnimations(page, 900);
  await page.screenshot({ path: `${screenshotDir}kiosk-claimed.png` });

  claimed(42, null);
  await expect(overlay).toHaveAttribute('data-ticket-seq', '42');
  await expect(page.getByTestId('claim-brand')).toHaveCount(0);

  // Past the campaign's cash cap the claim won its fallback coupon: the coupon, and no amount.
  claimed(44, '茶颜悦色', 0, '¥2 off tea');
  await expect(overlay).toHaveAttribute('data-ticket-seq', '44');
  await expect(page.getByTestId('coupon-title')).toContainText('¥2 off tea');
  await expect(page.getByTestId('prize-amount')).toHaveCount(0);

  // A phone being read keeps the screen: word of another's claim waits for nobody and is not shown.
  const reading = kiosk.hub.beginTap();
  await expect(overlay).toHaveAttribute('data-state', 'reading');
  claimed(43, '茶颜悦色');
  // Events reach the page in order: once the offline marker shows, the claim has been seen too.
  kiosk.hub.setStatus({ online: false });
  await expect(page.getByTestId('offline-indicator')).toBeVisible();
  await expect(overlay).toHaveAttribute('data-state', 'reading');
  kiosk.hub.showTap({ state: 'try-again', tapId: reading, reason: 'FIELD_LOST' });
  await expect(overlay).toHaveAttribute('data-state', 'try-again');
  kiosk.hub.setStatus({ online: true, ticketUrl: null });
});

test('already grabbed today: the local cap gives the fallback coupon', async ({ page }) => {
  await openScreen(page, url);
  const again = await kiosk.tap(kiosk.phone(1));
  expect(again.committed).toBe(true);
  const overlay = page.getByTestId('tap-overlay');
  await expect(overlay).toHaveAttribute('data-state', 'already-grabbed');
  await expect(overlay).toContainText('今天已经抢过啦');
  await expect(page.getByTestId('coupon-title')).toContainText('¥2 off');
});

test('try again: the phone left before signing, nothing recorded', async ({ page }) => {
  await openScreen(page, url);
  const result = await kiosk.tap(kiosk.phone(3, { kind: 'leave-after-hello' }));
  expect(result).toMatchObject({ outcome: 'aborted', committed: false });
  const overlay = page.getByTestId('tap-overlay');
  await expect(overlay).toHaveAttribute('data-state', 'try-again');
  await expect(overlay).toContainText('请再碰一次');
  // The counter was freed: the same phone succeeds next time with the next envelope (200 fen).
  await kiosk.tap(kiosk.phone(3));
  await expect(page.getByTestId('prize-amount')).toHaveText('¥2.00');
});

test('not supported: a bank card and a memory tag', async ({ page }) => {
  await openScreen(page, url);
  const overlay = page.getByTestId('tap-overlay');
  const bank = await kiosk.tap(KioskHarness.bankCard());
  expect(bank.outcome).toBe('ignored');
  await expect(overlay).toHaveAttribute('data-state', 'not-supported');
  await expect(overlay).toContainText('暂不支持');

  await kiosk.tap(kiosk.phone(4));
  await expect(overlay).toHaveAttribute('data-state', 'prize');
  await kiosk.tap(KioskHarness.tag());
  await expect(overlay).toHaveAttribute('data-state', 'not-supported');
});

test('thank you: the deck is used up, the tap is still recorded', async ({ page }) => {
  await openScreen(page, url);
  const result = await kiosk.tap(kiosk.phone(5));
  expect(result).toMatchObject({ outcome: 'completed', committed: true });
  const overlay = page.getByTestId('tap-overlay');
  await expect(overlay).toHaveAttribute('data-state', 'thank-you');
  await expect(overlay).toContainText('谢谢参与');
  // Overlays go away on their own.
  await expect(overlay).toHaveCount(0, { timeout: 15_000 });
});

test('out of service: a revoked screen says so in both languages and commits no tap', async ({ page }) => {
  await openScreen(page, url);
  kiosk.setOutOfService(true);
  const panel = page.getByTestId('out-of-service');
  await expect(panel).toContainText('本屏幕暂停服务');
  await expect(panel).toContainText('This screen is out of service');
  await expect(page.getByTestId('cta')).toHaveCount(0);

  const counter = lastCommittedCounter(kiosk.store);
  const result = await kiosk.tap(kiosk.phone(6));
  expect(result).toMatchObject({ outcome: 'refused', committed: false, code: 'SCREEN_REVOKED' });
  const overlay = page.getByTestId('tap-overlay');
  await expect(overlay).toHaveAttribute('data-state', 'unavailable');
  await expect(overlay).toContainText('暂停服务');
  expect(lastCommittedCounter(kiosk.store)).toBe(counter);
  await freezeAnimations(page, 700);
  await page.screenshot({ path: `${screenshotDir}kiosk-out-of-service.png` });

  kiosk.setOutOfService(false);
  await expect(page.getByTestId('out-of-service')).toHaveCount(0);
  await expect(page.getByTestId('cta')).toContainText('碰一碰 抢红包');
});

test('connecting: a new screen whose broker login is not made yet says so instead of offline', async ({
  page,
}) => {
  kiosk.hub.setStatus({ online: false });
  await openScreen(page, url);
  await expect(page.getByTestId('offline-indicator')).toBeVisible();
  // The cloud says the screen is active and its broker identity pending (docs/protocol.md §5.9).
  kiosk.hub.setStatus({ connecting: true });
  const badge = page.getByTestId('connecting-indicator');
  await expect(badge).toContainText('正在连接…');
  await expect(badge).toContainText('Connecting…');
  await expect(page.getByTestId('offline-indicator')).toHaveCount(0);
  // In service: the call to action stays, nothing says out of service.
  await expect(page.getByTestId('cta')).toContainText('碰一碰 抢红包');
  await expect(page.getByTestId('out-of-service')).toHaveCount(0);

  kiosk.hub.setStatus({ online: true, connecting: false });
  await expect(page.getByTestId('connecting-indicator')).toHaveCount(0);
  await expect(page.getByTestId('offline-indicator')).toHaveCount(0);
  kiosk.hub.setStatus({ online: false });
  await expect(page.getByTestId('offline-indicator')).toContainText('离线');
});

test('English locale from the kiosk config and from the page', async ({ page }) => {
  kiosk.hub.setStatus({ locale: 'en' });
  await openScreen(page, url);
  await expect(page.getByTestId('cta')).toContainText('Tap to grab a red packet');
  await expect(page.locator('main')).toHaveAttribute('lang', 'en');
  kiosk.hub.setStatus({ locale: 'zh' });
  await openScreen(page, `${url}?locale=en`);
  await expect(page.locator('main')).toHaveAttribute('lang', 'en');
});

test('ad loop: a cached creative plays, an uncached one is skipped, plays are recorded', async ({
  page,
  browser,
}) => {
  const creative = await renderCreative(browser);
  const missing = creativeOf(new Uint8Array([1, 2, 3]));
  kiosk.setPlaylist([playlistItem(creative, { durationMs: 1_000 }), playlistItem(missing)]);
  await openScreen(page, url);
  // Nothing cached yet: default content.
  await expect(page.getByTestId('default-creative')).toBeVisible();

  kiosk.cache(creative);
  const media = page.getByTestId('ad-creative');
  await expect(media).toBeVisible();
  await expect(media).toHaveAttribute('data-sha256', creative.sha256);
  const response = await page.request.get(`${url}creatives/${creative.sha256}`);
  expect(response.headers()['content-type']).toBe('image/png');
  expect(Buffer.from(await response.body()).equals(Buffer.from(creative.bytes))).toBe(true);
  expect((await page.request.get(`${url}creatives/${missing.sha256}`)).status()).toBe(404);

  // Each 1 s showing is reported once it ends; the kiosk keeps it as proof of play.
  await expect.poll(() => kiosk.plays.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
  for (const play of kiosk.plays) {
    expect(play).toMatchObject({ creativeSha256: creative.sha256, campaignId: 12 });
    expect(play.durationMs).toBeLessThanOrEqual(3_000);
  }
  const stored = unreportedPlays(kiosk.store, Number.MAX_SAFE_INTEGER);
  expect(stored.reduce((sum, row) => sum + row.plays, 0)).toBe(kiosk.plays.length);

  // Back to default content when the playlist is emptied.
  kiosk.setPlaylist([]);
  await expect(page.getByTestId('default-creative')).toBeVisible({ timeout: 5_000 });
});

test('the screen API refuses a page from another origin', async ({ page }) => {
  await page.goto('about:blank');
  const opened = await page.evaluate(
    (wsUrl) =>
      new Promise<boolean>((resolve) => {
        const socket = new WebSocket(wsUrl);
        socket.onopen = () => resolve(true);
        socket.onerror = () => resolve(false);
      }),
    url.replace('http://', 'ws://') + 'ui',
  );
  expect(opened).toBe(false);
});
