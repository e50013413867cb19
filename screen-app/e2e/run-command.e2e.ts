// `redtap-screen run` end to end: an embedded cloud, a kiosk enrolled with the CLI, the kiosk process
// with the simulated reader and its browser host, the screen in Chromium. A tap through POST /sim/tap
// shows the prize, is settled by the cloud's real ingest and credits the wallet; Ctrl-C stops cleanly.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { exportPrivateKeyPem } from '@redtap/shared';
import { startTestCloud, type TestCloud } from '../test/cloud-harness.ts';
import { activeCampaign, registerWallet, walletBalanceFen } from '../test/cloud-money.ts';
import { tempDir } from '../test/fixtures.ts';

const BIN = fileURLToPath(new URL('../bin/redtap-screen.js', import.meta.url));
const AMOUNT_FEN = 88;
const START_TIMEOUT_MS = 30_000;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

/** Starts `redtap-screen run` and resolves with the screen URL it prints. */
function startKioskProcess(
  dataDir: string,
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(
    process.execPath,
    [BIN, 'run', '--data-dir', dataDir, '--reader', 'simulated', '--port', '0'],
    { env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redtap-screen run printed no URL within ${START_TIMEOUT_MS} ms:\n${output}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /^screen: (http:\/\/\S+)$/m.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({ child, url: match[1], output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redtap-screen run exited with ${String(code)}:\n${output}`));
    });
  });
}

async function kioskStatus(dataDir: string): Promise<{ counter: number; backlog: number; decks: unknown[] }> {
  const status = await cli(['status', '--data-dir', dataDir, '--json']);
  return JSON.parse(status.stdout) as { counter: number; backlog: number; decks: unknown[] };
}

test.describe.configure({ mode: 'serial' });

let cloud: TestCloud;
let kiosk: { child: ChildProcess; url: string; output: () => string };
const dir = tempDir();

test.beforeAll(async () => {
  test.setTimeout(90_000);
  cloud = await startTestCloud();
  const { code } = await cloud.screenWithCode('Run');
  const enrolled = await cli([
    'enroll',
    '--cloud',
    cloud.cloud.httpUrl,
    '--code',
    code,
    '--data-dir',
    dir.dir,
  ]);
  expect(enrolled.stdout).toContain('enrolled as screen');
  kiosk = await startKioskProcess(dir.dir);
});

test.afterAll(async () => {
  if (kiosk.child.exitCode === null) kiosk.child.kill('SIGKILL');
  await cloud.stop();
  dir.cleanup();
});

test('a tap through /sim/tap shows the prize in Chromium and settles with the cloud', async ({ page }) => {
  await page.goto(kiosk.url);
  await expect(page.locator('main[data-connected="true"]')).toBeVisible();
  // Online once the kiosk's MQTT link is up.
  await expect(page.getByTestId('offline-indicator')).toHaveCount(0);

  await activeCampaign(cloud.call, { city: 'Shanghai', amountFen: AMOUNT_FEN, count: 10 });
  await expect.poll(async () => (await kioskStatus(dir.dir)).decks.length, { timeout: 20_000 }).toBe(1);

  const wallet = await registerWallet(cloud.call);
  const reply = await page.request.post(`${kiosk.url}sim/tap`, {
    data: { walletKeyPem: exportPrivateKeyPem(wallet.keyPair.privateKey), credential: wallet.credentialHex },
  });
  expect(reply.status()).toBe(200);
  expect(await reply.json()).toMatchObject({
    outcome: 'completed',
    committed: true,
    walletId: wallet.walletId,
  });

  const overlay = page.getByTestId('tap-overlay');
  await expect(overlay).toHaveAttribute('data-state', 'prize');
  await expect(page.getByTestId('prize-amount')).toHaveText('¥0.88');

  // Settled on the kiosk (nothing left in the outbox) and credited by the cloud.
  await expect
    .poll(async () => kioskStatus(dir.dir), { timeout: 20_000 })
    .toMatchObject({ counter: 1, backlog: 0 });
  expect(await walletBalanceFen(cloud.call, wallet)).toBe(AMOUNT_FEN);
});

test('a named phone is registered with the cloud by the simulator and taps', async ({ page }) => {
  await page.goto(kiosk.url);
  await expect(page.locator('main[data-connected="true"]')).toBeVisible();
  const reply = await page.request.post(`${kiosk.url}sim/tap`, { data: { phone: 'alice' } });
  expect(await reply.json()).toMatchObject({ phone: 'alice', outcome: 'completed', committed: true });
  await expect(page.getByTestId('prize-amount')).toHaveText('¥0.88');
  const bank = await page.request.post(`${kiosk.url}sim/tap`, { data: { card: 'bank-card' } });
  expect(await bank.json()).toMatchObject({ outcome: 'ignored' });
  await expect(page.getByTestId('tap-overlay')).toHaveAttribute('data-state', 'not-supported');
  await expect
    .poll(async () => kioskStatus(dir.dir), { timeout: 20_000 })
    .toMatchObject({ counter: 2, backlog: 0 });
});

test('Ctrl-C stops the kiosk cleanly', async () => {
  const exited = new Promise<number | null>((resolve) => kiosk.child.once('exit', resolve));
  kiosk.child.kill('SIGINT');
  expect(await exited).toBe(0);
});
