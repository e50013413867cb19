// Builds what the browser tests load: the renderer (vite) and the Electron main/preload bundles, so
// `npm test` works on a fresh clone.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { buildElectron } from '../src/electron/build-electron.ts';
import { CHROMIUM_PATH } from '@redtap/shared/testing/browser-tests';

const appDir = fileURLToPath(new URL('../', import.meta.url));

export default async function globalSetup(): Promise<void> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`Chromium is required at ${CHROMIUM_PATH} (scripts/install-system-deps.sh installs it)`);
  await build({ configFile: `${appDir}vite.config.ts`, logLevel: 'warn' });
  await buildElectron();
}
