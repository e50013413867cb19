// The claim ticket's QR code in Chromium against a real kiosk store and ticket issuer (docs/kiosk.md §9):
// the code read back from a screenshot is the ticket URL the kiosk issued, signed by the screen, and it
// follows every rotation and claim; it sits clear of the call to action and goes with the service.
import { TicketPath, ticketFromUrl, verifyTicketSignature } from '@redtap/shared';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { reserveTicketSeqs } from '../src/store/ticket-queries.ts';
import { TicketIssuer } from '../src/tickets/ticket-issuer.ts';
import { showingCampaignOf } from '../src/playlist/playlist-player.ts';
import { keys, SCREEN_ID, T0 } from '../test/fixtures.ts';
import { ManualTimers } from '../test/manual-timers.ts';
import { decodeQr } from './support/decode-qr.ts';
import { KioskHarness } from './support/kiosk-harness.ts';

const ORIGIN = 'https://hb.redtap.example';
// As in kiosk-ui.e2e.ts: REDTAP_SCREENSHOT_DIR=docs/screenshots refreshes the docs' picture.
const screenshotDir = process.env.REDTAP_SCREENSHOT_DIR ?? join(tmpdir(), 'redtap-screenshots');

test.describe.configure({ mode: 'serial' });

let kiosk: KioskHarness;
let url: string;
let timers: ManualTimers;
let tickets: TicketIssuer;

test.beforeAll(async () => {
  kiosk = new KioskHarness();
  url = await kiosk.start();
  timers = new ManualTimers();
  tickets = new TicketIssuer({
    screenId: SCREEN_ID,
    screenKey: keys.screen.privateKey,
    origin: () => ORIGIN,
    reserveSeqs: (count) => reserveTicketSeqs(kiosk.store, count),
    showingCampaign: () => showingCampaignOf(kiosk.hub.state().item),
    nowS: () => T0 + Math.floor(timers.nowMs / 1000),
    startTimer: timers.start,
    onScreenTicket: (ticket) => kiosk.hub.setStatus({ ticketUrl: ticket?.url ?? null }),
  });
  tickets.start();
});

test.afterAll(async () => {
  tickets.stop();
  await kiosk.stop();
});

/** What a phone would read off the screen now, checked against the element's own URL. */
async function scanScreen(page: Page): Promise<string> {
  const qr = page.getByTestId('ticket-qr');
  await expect(qr).toBeVisible();
  const shown = await qr.getAttribute('data-ticket-url');
  const png = await page.screenshot({ animations: 'disabled' });
  const browser = page.context().browser();
  if (browser === null) throw new Error('the page has no browser to decode in');
  const read = await decodeQr(browser, png);
  expect(read).toBe(shown);
  return read ?? '';
}

test('the screen shows the issued ticket as a QR code that reads back from a screenshot', async ({
  page,
}) => {
  await page.goto(url);
  await expect(page.locator('main[data-connected="true"]')).toBeVisible();
  const first = tickets.current?.url ?? '';
  await expect(page.getByTestId('ticket-qr')).toHaveAttribute('data-ticket-url', first);
  await expect(page.getByTestId('ticket-qr')).toContainText('扫码抢红包');
  await expect(page.getByTestId('ticket-qr')).toContainText('Scan to grab');

  const scanned = await scanScreen(page);
  mkdirSync(screenshotDir, { recursive: true });
  writeFileSync(
    join(screenshotDir, 'kiosk-ticket-qr.png'),
    await page.screenshot({ animations: 'disabled' }),
  );
  expect(scanned).toBe(first);
  const ticket = ticketFromUrl(scanned);
  expect(ticket).toMatchObject({
    ok: true,
    value: { ticket: { screenId: SCREEN_ID, ticketSeq: 1, path: TicketPath.screenQr } },
  });
  expect(ticket.ok && verifyTicketSignature(ticket.value.bytes, keys.screen.publicKey)).toBe(true);

  // Clear of the call to action's words, inside the screen, and at least 3 px per module.
  const code = await page.locator('.ticket-qr-code').boundingBox();
  const words = await page.locator('.cta-words').boundingBox();
  expect(code).not.toBeNull();
  expect(words).not.toBeNull();
  if (code !== null && words !== null) {
    expect(words.x + words.width).toBeLessThanOrEqual(code.x);
    expect(code.x + code.width).toBeLessThanOrEqual(1280);
    expect(code.y + code.height).toBeLessThanOrEqual(720);
    expect(code.width / 61).toBeGreaterThanOrEqual(3); // a version 9 symbol with its quiet zone
  }
});

test('the code follows every rotation and claim', async ({ page }) => {
  await page.goto(url);
  const before = tickets.current?.url ?? '';
  await expect(page.getByTestId('ticket-qr')).toHaveAttribute('data-ticket-url', before);

  timers.advance(10_000);
  const rotated = tickets.current?.url ?? '';
  expect(rotated).not.toBe(before);
  await expect(page.getByTestId('ticket-qr')).toHaveAttribute('data-ticket-url', rotated);
  expect(await scanScreen(page)).toBe(rotated);

  tickets.claimed(tickets.current?.ticketSeq ?? 0);
  const afterClaim = tickets.current?.url ?? '';
  expect(afterClaim).not.toBe(rotated);
  await expect(page.getByTestId('ticket-qr')).toHaveAttribute('data-ticket-url', afterClaim);
  const read = ticketFromUrl(await scanScreen(page));
  expect(read.ok && read.value.ticket.ticketSeq).toBe(tickets.current?.ticketSeq);
});

test('on a portrait screen the code sits above the call to action and still reads back', async ({ page }) => {
  await page.setViewportSize({ width: 720, height: 1280 });
  await page.goto(url);
  await expect(page.getByTestId('ticket-qr')).toHaveAttribute('data-ticket-url', tickets.current?.url ?? '');
  const panel = await page.getByTestId('ticket-qr').boundingBox();
  const band = await page.getByTestId('cta').boundingBox();
  expect(panel).not.toBeNull();
  expect(band).not.toBeNull();
  if (panel !== null && band !== null) {
    expect(panel.y + panel.height).toBeLessThanOrEqual(band.y);
    expect(panel.x + panel.width).toBeLessThanOrEqual(720);
  }
  expect(await scanScreen(page)).toBe(tickets.current?.url);
});

test('a screen out of service shows no code; no ticket URL, no code', async ({ page }) => {
  await page.goto(url);
  await expect(page.getByTestId('ticket-qr')).toBeVisible();
  kiosk.hub.setStatus({ outOfService: true });
  await expect(page.getByTestId('ticket-qr')).toHaveCount(0);
  kiosk.hub.setStatus({ outOfService: false });
  await expect(page.getByTestId('ticket-qr')).toBeVisible();
  kiosk.hub.setStatus({ ticketUrl: null });
  await expect(page.getByTestId('ticket-qr')).toHaveCount(0);
  await expect(page.getByTestId('cta')).toBeVisible();
});
