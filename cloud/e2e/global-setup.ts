// Builds the console (vite) before the browser tests, so `npm test` works on a fresh clone.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { CHROMIUM_PATH } from '@redtap/shared/testing/browser-tests';

const consoleDir = fileURLToPath(new URL('../console/', import.meta.url));

export default async function globalSetup(): Promise<void> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`Chromium is required at ${CHROMIUM_PATH} (scripts/install-system-deps.sh installs it)`);
  await build({ configFile: `${consoleDir}vite.config.ts`, logLevel: 'warn' });
}
