// Starts the real Electron shell and checks the kiosk window: the renderer loads from the app
// protocol, the preload exposes only the typed API, and the default content plays. Electron is an
// optional dependency; without its binary this is the one test allowed to skip, even in CI.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test } from '@playwright/test';

function electronBinary(): { path: string } | { missing: string } {
  try {
    const path: unknown = createRequire(import.meta.url)('electron');
    if (typeof path !== 'string') return { missing: 'require("electron") did not return a binary path' };
    return existsSync(path) ? { path } : { missing: `no Electron binary at ${path}` };
  } catch (error) {
    return {
      missing: `electron is not installed (${error instanceof Error ? error.message.split('\n')[0] : 'unknown'})`,
    };
  }
}

const binary = electronBinary();
if ('missing' in binary) console.warn(`[electron-smoke] SKIPPED: ${binary.missing}`);
const mainBundle = fileURLToPath(new URL('../dist/electron/main.cjs', import.meta.url));

test('Electron kiosk window shows the screen with a locked-down renderer', async () => {
  test.skip(
    'missing' in binary,
    `SKIPPED: the Electron binary is not installed, so the shell cannot start: ${'missing' in binary ? binary.missing : ''}`,
  );
  if (!('path' in binary)) return;
  const app = await electron.launch({
    executablePath: binary.path,
    args: ['--no-sandbox', mainBundle],
    env: { ...process.env, REDTAP_KIOSK_MODE: '0', REDTAP_LOCALE: 'zh' },
  });
  try {
    const window = await app.firstWindow();
    await expect(window.getByTestId('default-creative')).toBeVisible();
    await expect(window.getByTestId('cta')).toContainText('碰一碰 抢红包');
    expect(window.url()).toBe('redtap-app://screen/index.html');
    const exposed = await window.evaluate(() => ({
      api: Object.keys((window as unknown as { redtap: object }).redtap).sort(),
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
    }));
    expect(exposed).toEqual({
      api: ['getCreativeUrl', 'on', 'ready', 'reportPlay'],
      require: 'undefined',
      process: 'undefined',
    });
  } finally {
    await app.close();
  }
});
