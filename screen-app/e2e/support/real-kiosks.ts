// Real kiosks for browser tests: `redtap-screen run` processes enrolled with an embedded cloud, an honest
// virtual phone that carries its own tap log (docs/protocol.md §4.4), and what a person sees on a kiosk
// screen in Chromium: the creative on screen (every one shown is recorded) and each committed tap's
// overlay, read by the tap's counter.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { expect, type Browser, type Page } from '@playwright/test';
import { exportPrivateKeyPem, fromHex } from '@redtap/shared';
import { phoneTapOf, PhoneTapLog, type PhoneTap } from '@redtap/tap-reader';
import type { TestCloud } from '../../test/cloud-harness.ts';
import type { TestWallet } from '../../test/cloud-money.ts';

const BIN = fileURLToPath(new URL('../../bin/redtap-screen.js', import.meta.url));
const START_TIMEOUT_MS = 45_000;

export function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

export interface Kiosk {
  name: string;
  screenId: number;
  dataDir: string;
  child: ChildProcess;
  url: string;
}

/** Enrols a screen of `city` with the CLI, starts `redtap-screen run` on it and waits for its URL. */
export async function startKiosk(
  cloud: TestCloud,
  name: string,
  city: string,
  dataDir: string,
): Promise<Kiosk> {
  const { screenId, code } = await cloud.screenWithCode(name, city);
  const enrolled = await cli([
    'enroll',
    '--cloud',
    cloud.cloud.httpUrl,
    '--code',
    code,
    '--data-dir',
    dataDir,
  ]);
  expect(enrolled.stdout).toContain('enrolled as screen');
  const child = spawn(
    process.execPath,
    [BIN, 'run', '--data-dir', dataDir, '--reader', 'simulated', '--port', '0'],
    { env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`${name}: redtap-screen run printed no URL within ${START_TIMEOUT_MS} ms:\n${output}`),
      );
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /^screen: (http:\/\/\S+)$/m.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (exitCode) => {
      clearTimeout(timer);
      reject(new Error(`${name}: redtap-screen run exited with ${String(exitCode)}:\n${output}`));
    });
  });
  return { name, screenId, dataDir, child, url };
}

export interface KioskDeckLevel {
  deckId: number;
  campaignId: number;
  remaining: number;
  count: number;
  fallbackCount: number;
  fallbackRemaining: number;
}

export async function kioskStatus(
  kiosk: Kiosk,
): Promise<{ counter: number; backlog: number; decks: KioskDeckLevel[] }> {
  const status = await cli(['status', '--data-dir', kiosk.dataDir, '--json']);
  return JSON.parse(status.stdout) as { counter: number; backlog: number; decks: KioskDeckLevel[] };
}

/** An honest phone: it keeps every receipt it was given and presents its log at each tap. */
export class HonestPhone {
  private readonly log = new PhoneTapLog();
  readonly wallet: TestWallet;
  constructor(wallet: TestWallet) {
    this.wallet = wallet;
  }

  /** One tap through the kiosk's simulated reader; resolves with the receipt once the kiosk committed it. */
  async tap(page: Page, kiosk: Kiosk): Promise<PhoneTap> {
    const reply = await page.request.post(`${kiosk.url}sim/tap`, {
      data: {
        walletKeyPem: exportPrivateKeyPem(this.wallet.keyPair.privateKey),
        credential: this.wallet.credentialHex,
        taps: [...this.log.entries()],
      },
    });
    expect(reply.status()).toBe(200);
    const body = (await reply.json()) as {
      outcome: string;
      committed: boolean;
      receipt: string | null;
      receiptExtra: string | null;
    };
    expect(body).toMatchObject({ outcome: 'completed', committed: true });
    expect(
      body.receiptExtra,
      'the kiosk gave the long receipt to a phone that sent its day state',
    ).not.toBeNull();
    const tap = phoneTapOf(fromHex(body.receipt ?? '') ?? new Uint8Array(), fromHex(body.receiptExtra ?? ''));
    if (tap === null) throw new Error('the kiosk gave a receipt the phone cannot read');
    this.log.add(tap);
    return tap;
  }
}

/** What a person read on a kiosk screen for one committed tap. */
export interface ShownTap {
  screenId: number;
  counter: number;
  state: string;
  /** The cash amount as the screen writes it (`¥0.88`), null when it shows none. */
  amount: string | null;
  couponTitle: string | null;
  /** The sha256 of the creative on screen when the tap was made. */
  creativeSha256: string | null;
}

/** The creative a kiosk page shows (its `data-sha256` names it). */
export const creativeOn = (page: Page) => page.getByTestId('ad-creative');

/**
 * Records, from the page's first script on, the sha256 of every creative that appears on it; read with
 * `creativesShown`. Call before the page's first `goto`.
 */
export async function recordCreatives(page: Page): Promise<void> {
  // Page-side code as text: this package's TypeScript has no DOM types.
  await page.addInitScript({
    content: `(() => {
      const shown = [];
      window.__creativesShown = shown;
      const note = (element) => {
        if (element.getAttribute('data-testid') === 'ad-creative')
          shown.push(element.getAttribute('data-sha256') || '');
      };
      new MutationObserver((records) => {
        for (const record of records) {
          if (record.type === 'attributes' && record.target instanceof Element) note(record.target);
          for (const node of record.addedNodes)
            if (node instanceof Element) {
              note(node);
              node.querySelectorAll('[data-testid="ad-creative"]').forEach(note);
            }
        }
      }).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-sha256'] });
    })();`,
  });
}

/** Every creative shown on the page so far, in order (one entry per showing). */
export function creativesShown(page: Page): Promise<string[]> {
  return page.evaluate<string[]>('window.__creativesShown');
}

/** Opens a kiosk's screen in Chromium, recording its creatives, and waits until it is connected. */
export async function openKioskScreen(browser: Browser, kiosk: Kiosk): Promise<Page> {
  const page = await browser.newPage();
  await recordCreatives(page);
  await page.goto(kiosk.url);
  await expect(page.locator('main[data-connected="true"]')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('offline-indicator')).toHaveCount(0, { timeout: 30_000 });
  return page;
}

/** Reads the overlay of the committed tap `tap` on the kiosk's page: its state, amount and coupon. */
export async function shownTap(
  page: Page,
  kiosk: Kiosk,
  tap: PhoneTap,
  creativeSha256: string | null,
): Promise<ShownTap> {
  const overlay = page.locator(`[data-testid="tap-overlay"][data-counter="${String(tap.counter)}"]`);
  await expect(overlay).toBeVisible();
  const state = (await overlay.getAttribute('data-state')) ?? '';
  const amounts = await overlay.getByTestId('prize-amount').allTextContents();
  const coupons = await overlay.getByTestId('coupon-title').allTextContents();
  // The chip reads "券 <title>": its label is the first child, the title the text after it.
  const label = await overlay.locator('.coupon-label').allTextContents();
  const couponTitle = coupons[0] === undefined ? null : coupons[0].slice((label[0] ?? '').length);
  return {
    screenId: kiosk.screenId,
    counter: tap.counter,
    state,
    amount: amounts[0] ?? null,
    couponTitle,
    creativeSha256,
  };
}

/** A poster creative rendered by Chromium itself: a PNG and its sha256. */
export async function posterPng(
  browser: Browser,
  text: string,
  background: string,
): Promise<{ bytes: Buffer; sha256: string }> {
  const page = await browser.newPage({ viewport: { width: 320, height: 180 } });
  await page.setContent(
    `<body style="margin:0;height:180px;background:${background};color:#fff;font:700 28px sans-serif;display:flex;align-items:center;justify-content:center">${text}</body>`,
  );
  const bytes = await page.screenshot({ type: 'png' });
  await page.close();
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}
