// The installable wallet with a passkey, in a phone-sized Chromium whose platform authenticator is
// Chromium's virtual one (DevTools WebAuthn domain: CTAP2, internal transport, resident keys, user
// verified): the manifest and icons are served for /wallet, the service worker registers with the
// wallet's scope and starts the wallet offline, and a wallet created with a passkey is the one the
// same passkey signs in to again after signing out.
import { expect, test, type CDPSession } from '@playwright/test';
import { startConsoleCloud, type ConsoleCloud } from './support/console-cloud.ts';
import { browserErrorLog, newPhoneContext } from './support/console-pages.ts';

let env: ConsoleCloud;
/** Passkeys need a host name for their RP id, not an IP address: the cloud's default origin is localhost. */
let walletUrl = '';
const { errors: browserErrors, watch } = browserErrorLog();

test.beforeAll(async () => {
  env = await startConsoleCloud();
  walletUrl = env.url.replace('127.0.0.1', 'localhost');
});

test.afterAll(async () => {
  await env.stop();
});

/** The page's service-worker container, as far as the test reads it (the test runs without the DOM lib). */
interface PageGlobals {
  navigator: {
    serviceWorker: { ready: Promise<{ scope: string }>; controller: { scriptURL: string } | null };
  };
}

interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  signCount: number;
}

async function addPlatformAuthenticator(cdp: CDPSession): Promise<string> {
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return authenticatorId;
}

test('a wallet created with a passkey signs in again with it, and the wallet installs and starts offline', async ({
  browser,
}) => {
  const context = await newPhoneContext(browser, walletUrl);
  const page = watch(await context.newPage());
  const cdp = await context.newCDPSession(page);
  const authenticatorId = await addPlatformAuthenticator(cdp);

  await page.goto('/wallet');
  await expect(page.getByRole('heading', { name: '我的红包' })).toBeVisible();

  // The web app manifest: linked from the page, served as a manifest, with icons; it starts at the wallet
  // and its scope is the whole origin, so the installed app opens claim URLs (/claim?…) too.
  const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(manifestHref).toBe('/manifest.webmanifest');
  const manifestReply = await page.request.get(manifestHref ?? '');
  expect(manifestReply.headers()['content-type']).toBe('application/manifest+json');
  const manifest = (await manifestReply.json()) as {
    start_url: string;
    scope: string;
    display: string;
    theme_color: string;
    icons: { src: string; sizes: string; type: string }[];
  };
  expect(manifest).toMatchObject({ start_url: '/wallet', scope: '/', display: 'standalone' });
  expect(manifest.icons.map((icon) => icon.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
  for (const icon of manifest.icons) {
    const reply = await page.request.get(icon.src);
    expect(reply.status(), icon.src).toBe(200);
    expect(reply.headers()['content-type']).toBe('image/png');
  }

  // The service worker registers for the wallet's scope and takes the page over once the shell is cached.
  const scope = await page.evaluate(async () => {
    const { navigator } = globalThis as unknown as PageGlobals;
    return (await navigator.serviceWorker.ready).scope;
  });
  expect(scope).toBe(`${walletUrl}/wallet`);
  await expect
    .poll(
      () =>
        page.evaluate(() => {
          const { navigator } = globalThis as unknown as PageGlobals;
          return navigator.serviceWorker.controller?.scriptURL ?? null;
        }),
      {
        timeout: 30_000,
      },
    )
    .toBe(`${walletUrl}/sw.js`);

  // No passkey yet: the browser finds none to offer, and the wallet says so in words, not as a failure.
  await page.getByTestId('passkey-sign-in').click();
  await expect(page.locator('[data-error-code="PASSKEY_CANCELLED"]')).toBeVisible();

  // Create a wallet with a passkey: the virtual authenticator keeps a resident credential for localhost.
  await page.getByTestId('passkey-create').click();
  await expect(page.getByTestId('wallet-balance')).toHaveText('¥0.00');
  await expect(page.getByTestId('wallet-id')).toHaveText(/#\d+$/);
  const walletIdText = (await page.getByTestId('wallet-id').textContent()) ?? '';
  const { credentials } = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })) as {
    credentials: VirtualCredential[];
  };
  expect(credentials).toHaveLength(1);
  expect(credentials[0]?.isResidentCredential).toBe(true);
  expect(credentials[0]?.rpId).toBe('localhost');
  await expect(page.getByTestId('wallet-passkey-count')).toContainText('1');

  // Sign out (the server ends the wallet's sessions), then sign in with the same passkey.
  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page.getByTestId('passkey-sign-in')).toBeVisible();
  await page.getByTestId('passkey-sign-in').click();
  await expect(page.getByTestId('wallet-balance')).toHaveText('¥0.00');
  await expect(page.getByTestId('wallet-id')).toHaveText(walletIdText);
  const after = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })) as {
    credentials: VirtualCredential[];
  };
  expect(after.credentials[0]?.signCount).toBeGreaterThan(credentials[0]?.signCount ?? 0);

  // Offline, the installed wallet still starts: the service worker answers with the cached app shell.
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { name: '我的红包' })).toBeVisible();
  await context.setOffline(false);

  expect(browserErrors).toEqual([]);
  await context.close();
});
