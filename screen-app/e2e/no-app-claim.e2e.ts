// A commuter without the wallet app, end to end on real parts: a real cloud and a real kiosk
// (`redtap-screen run`) showing a funded campaign whose prizes may be won by QR. The phone's camera is a
// screenshot of the kiosk's page decoded from its pixels; the link opens in a phone-sized Chromium whose
// platform authenticator is the DevTools virtual one. The commuter creates a wallet with a passkey from
// the claim page, grabs the red packet, sees the amount and the brand that paid, and finds it in the
// wallet; the kiosk's screen celebrates the claim with that amount and brand. The ledger still checks, the
// campaign's pool gave exactly that amount, and a second phone with the same code is told in words that
// someone else claimed it, leaving the first wallet as it was and the screen celebrating nothing more.
import { fileURLToPath } from 'node:url';
import { devices, expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { formatFen, TicketPath, ticketFromUrl } from '@redtap/shared';
import { build } from 'vite';
import { startTestCloud, type TestCloud } from '../test/cloud-harness.ts';
import { activeCampaign } from '../test/cloud-money.ts';
import { tempDir } from '../test/fixtures.ts';
import { decodeQr } from './support/decode-qr.ts';
import {
  creativeOn,
  kioskStatus,
  openKioskScreen,
  posterPng,
  startKiosk,
  type Kiosk,
} from './support/real-kiosks.ts';

const SPONSOR = '茶颜悦色';
const ENVELOPE_FEN = 88;
// More than a screen's first deck (30 taps an hour for 6 hours: 180 envelopes), so the pool keeps some:
// online claims are paid from the pool, never from a screen's deck.
const ENVELOPES = 400;
const CONSOLE_CONFIG = fileURLToPath(new URL('../../cloud/console/vite.config.ts', import.meta.url));
/** Bounds for a loaded machine: a kiosk fetching its deck and creative, a page built by vite. */
const POSTER_TIMEOUT_MS = 60_000;
const PAGE_TIMEOUT_MS = 30_000;

test.describe.configure({ mode: 'serial' });

let cloud: TestCloud;
let kiosk: Kiosk | undefined;
const dir = tempDir();

test.beforeAll(async () => {
  test.setTimeout(240_000);
  // The console (claim page and wallet) the cloud serves, built from this tree.
  await build({ configFile: CONSOLE_CONFIG, logLevel: 'warn' });
  cloud = await startTestCloud();
  kiosk = await startKiosk(cloud, '来福士 5 号梯', '上海', dir.dir);
});

test.afterAll(async () => {
  if (kiosk !== undefined && kiosk.child.exitCode === null) kiosk.child.kill('SIGKILL');
  await cloud.stop();
  dir.cleanup();
});

/** A phone: iPhone-sized, touch, a mobile Safari user agent, Chinese; its pages open on `baseURL`. */
function newPhone(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const { defaultBrowserType: _webkit, ...iphone } = devices['iPhone 13'];
  return browser.newContext({
    ...iphone,
    baseURL,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    reducedMotion: 'reduce',
  });
}

/** The phone's platform authenticator: Chromium's virtual one (CTAP2, internal, resident keys, UV). */
async function addPlatformAuthenticator(context: BrowserContext, page: Page): Promise<void> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
}

/** Opens the claim link on a new phone and creates a wallet with a passkey from the page's sign-in. */
async function phoneWithPasskeyWallet(
  browser: Browser,
  baseURL: string,
  claimPath: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newPhone(browser, baseURL);
  const page = await context.newPage();
  await addPlatformAuthenticator(context, page);
  await page.goto(claimPath);
  await page.getByTestId('passkey-create').click({ timeout: PAGE_TIMEOUT_MS });
  await expect(page.getByTestId('claim-button')).toBeVisible({ timeout: PAGE_TIMEOUT_MS });
  return { context, page };
}

interface Celebration {
  ticketSeq: string | null;
  amount: string | null;
  brand: string | null;
}

/**
 * Records every claim celebration the kiosk's page shows (overlays come and go within seconds, so they are
 * noted as they appear). Page-side code as text: this package's TypeScript has no DOM types.
 */
async function recordCelebrations(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    const seen = [];
    window.__celebrations = seen;
    const note = () => {
      for (const element of document.querySelectorAll('[data-testid="tap-overlay"][data-state="claimed"]')) {
        if (seen.some((entry) => entry.element === element)) continue;
        seen.push({
          element,
          ticketSeq: element.getAttribute('data-ticket-seq'),
          amount: element.querySelector('[data-testid="prize-amount"]')?.textContent ?? null,
          brand: element.querySelector('[data-testid="claim-brand"]')?.textContent ?? null,
        });
      }
    };
    new MutationObserver(note).observe(document, { childList: true, subtree: true });
  })()`);
}

function celebrations(page: Page): Promise<Celebration[]> {
  return page.evaluate<Celebration[]>(
    'window.__celebrations.map(({ ticketSeq, amount, brand }) => ({ ticketSeq, amount, brand }))',
  );
}

interface CampaignMoney {
  budgetBalanceFen: number;
  money: { fundedFen: number; remainingFen: number; spentFen: number; returnedFen: number };
  rules: { claimPaths?: string[] };
}

async function campaignMoney(campaignId: number): Promise<CampaignMoney> {
  const reply = await cloud.call('GET', `/v1/campaigns/${campaignId}`);
  expect(reply.status).toBe(200);
  return reply.body as unknown as CampaignMoney;
}

async function ledgerCheck(): Promise<Record<string, unknown>> {
  const reply = await cloud.call('GET', '/v1/ledger/check');
  expect(reply.status).toBe(200);
  return reply.body;
}

test('a commuter with no app scans the screen, makes a passkey wallet on the claim page and grabs the packet once', async ({
  browser,
}) => {
  test.setTimeout(300_000);
  if (kiosk === undefined) throw new Error('the kiosk did not start');
  const screen = await openKioskScreen(browser, kiosk);

  // A funded, active campaign over the kiosk's city (its only screen); no claimPaths: every path, QR too.
  const poster = await posterPng(browser, SPONSOR, '#b3261e');
  const { campaignId } = await activeCampaign(cloud.call, {
    city: '上海',
    amountFen: ENVELOPE_FEN,
    count: ENVELOPES,
    name: 'Spring tea',
    sponsor: SPONSOR,
    creatives: [{ bytes: poster.bytes, durationMs: 600_000 }],
  });
  const rules = (await campaignMoney(campaignId)).rules;
  expect(rules.claimPaths === undefined || rules.claimPaths.includes('qr')).toBe(true);
  await expect(creativeOn(screen)).toHaveAttribute('data-sha256', poster.sha256, {
    timeout: POSTER_TIMEOUT_MS,
  });

  // The code on screen is a QR ticket of the campaign it shows (it follows the poster at once or at the
  // next rotation).
  const qr = screen.getByTestId('ticket-qr');
  await expect
    .poll(
      async () => {
        const read = ticketFromUrl((await qr.getAttribute('data-ticket-url')) ?? '');
        return read.ok ? read.value.ticket.campaignId : null;
      },
      { timeout: PAGE_TIMEOUT_MS },
    )
    .toBe(campaignId);

  // The phone's camera: the code read from the pixels of a screenshot is the element's own URL.
  const shown = (await qr.getAttribute('data-ticket-url')) ?? '';
  const png = await screen.screenshot({ animations: 'disabled' });
  const scanned = await decodeQr(browser, png);
  expect(scanned).toBe(shown);
  const ticket = ticketFromUrl(scanned ?? '');
  expect(ticket).toMatchObject({
    ok: true,
    value: { ticket: { screenId: kiosk.screenId, campaignId, path: TicketPath.screenQr } },
  });
  const link = new URL(scanned ?? '');
  expect(link.pathname).toBe('/claim');

  // Passkeys need a host name for their RP id, not an IP address: the cloud's default public origin is
  // http://localhost on its port. This cloud sets no public origin, so the kiosk's claim URLs carry the
  // URL it enrolled with (http://127.0.0.1:<port>); the phone opens the same path and query on localhost.
  const cloudUrl = new URL(cloud.cloud.httpUrl);
  cloudUrl.hostname = 'localhost';
  const phoneOrigin = cloudUrl.origin;
  const claimPath = `${link.pathname}${link.search}`;
  if (link.origin !== phoneOrigin) expect(link.origin).toBe(new URL(cloud.cloud.httpUrl).origin);

  // The kiosk holds its deck, so the pool stays as it is but for the claim.
  const held = kiosk;
  await expect
    .poll(
      async () =>
        (await kioskStatus(held)).decks.some((deck) => deck.campaignId === campaignId && deck.remaining > 0),
      { timeout: POSTER_TIMEOUT_MS },
    )
    .toBe(true);
  const before = await campaignMoney(campaignId);
  expect(before.budgetBalanceFen).toBeGreaterThan(0);
  expect(await ledgerCheck()).toMatchObject({ ok: true });

  // The first phone: a passkey wallet made from the claim page, one press, the amount and who paid.
  await recordCelebrations(screen);
  const first = await phoneWithPasskeyWallet(browser, phoneOrigin, claimPath);
  // The claim page links the wallet's web app manifest, whose scope holds this claim URL: a phone that
  // installed the wallet opens the code it scans in the app.
  const manifestHref = await first.page.locator('link[rel="manifest"]').getAttribute('href');
  const manifest = (await (await first.page.request.get(manifestHref ?? '')).json()) as { scope: string };
  const scope = new URL(manifest.scope, new URL(manifestHref ?? '', phoneOrigin));
  const opened = new URL(claimPath, phoneOrigin);
  expect(opened.origin).toBe(scope.origin);
  expect(opened.pathname.startsWith(scope.pathname)).toBe(true);
  // Only opening the claim URL celebrates nothing: nothing was claimed.
  expect(await celebrations(screen)).toEqual([]);
  await first.page.getByTestId('claim-button').click();
  const credited = first.page.getByTestId('claim-credited');
  await expect(credited).toBeVisible({ timeout: PAGE_TIMEOUT_MS });
  await expect(credited).toContainText(`${SPONSOR} 送你`);
  const amountText = (await credited.locator('h1').textContent()) ?? '';
  expect(amountText).toBe(formatFen(ENVELOPE_FEN));

  // The kiosk's screen celebrates the claim of its ticket: the amount the cloud paid, and who paid it.
  const ticketSeq = ticket.ok ? String(ticket.value.ticket.ticketSeq) : '';
  await expect.poll(() => celebrations(screen), { timeout: PAGE_TIMEOUT_MS }).toHaveLength(1);
  const [celebrated] = await celebrations(screen);
  expect(celebrated?.ticketSeq).toBe(ticketSeq);
  expect(celebrated?.amount).toBe(amountText);
  expect(celebrated?.brand).toContain(SPONSOR);

  // The wallet, in the same phone: the prize is in the balance and in the history with its brand.
  await first.page.goto('/wallet');
  await expect(first.page.getByTestId('wallet-balance')).toHaveText(amountText, { timeout: PAGE_TIMEOUT_MS });
  const item = first.page.getByTestId('history-item');
  await expect(item).toHaveCount(1);
  await expect(item.getByTestId('history-brand')).toHaveText(SPONSOR);
  await expect(item).toContainText(amountText);

  // The ledger still checks, and the campaign's pool paid exactly the amount shown.
  expect(await ledgerCheck()).toMatchObject({ ok: true });
  const after = await campaignMoney(campaignId);
  expect(before.budgetBalanceFen - after.budgetBalanceFen).toBe(ENVELOPE_FEN);
  expect(before.money.remainingFen - after.money.remainingFen).toBe(ENVELOPE_FEN);
  expect(after.money.spentFen - before.money.spentFen).toBe(ENVELOPE_FEN);
  expect(after.money.fundedFen).toBe(before.money.fundedFen);

  // A second phone with the same code and its own passkey wallet is refused, in its language.
  const second = await phoneWithPasskeyWallet(browser, phoneOrigin, claimPath);
  await second.page.getByTestId('claim-button').click();
  await expect(second.page.locator('[data-error-code="TICKET_ALREADY_CLAIMED"]')).toContainText(
    '已被别人领取',
    { timeout: PAGE_TIMEOUT_MS },
  );
  await expect(second.page.getByTestId('claim-credited')).toHaveCount(0);

  // The screen celebrated the one claim only.
  expect(await celebrations(screen)).toHaveLength(1);

  // The first wallet is as it was, and so is the money.
  await first.page.reload();
  await expect(first.page.getByTestId('wallet-balance')).toHaveText(amountText, { timeout: PAGE_TIMEOUT_MS });
  await expect(first.page.getByTestId('history-item')).toHaveCount(1);
  expect(await ledgerCheck()).toMatchObject({ ok: true });
  expect((await campaignMoney(campaignId)).budgetBalanceFen).toBe(after.budgetBalanceFen);

  await first.context.close();
  await second.context.close();
  await screen.close();
});
