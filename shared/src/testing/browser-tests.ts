// The Playwright settings every package's browser tests share: Debian's Chromium (never a downloaded
// browser), launched without background connections (this network refuses them), one worker (two
// cores shared with the other suites, and every suite drives stateful processes), no retries, and
// `.e2e.ts` files so vitest never picks them up.
import type { PlaywrightTestConfig } from '@playwright/test';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function browserTestConfig(options: {
  timeoutMs: number;
  expectTimeoutMs: number;
  viewport: { width: number; height: number };
  globalSetup?: string;
  use?: PlaywrightTestConfig['use'];
}): PlaywrightTestConfig {
  return {
    testDir: './e2e',
    testMatch: '**/*.e2e.ts',
    ...(options.globalSetup === undefined ? {} : { globalSetup: options.globalSetup }),
    workers: 1,
    fullyParallel: false,
    timeout: options.timeoutMs,
    expect: { timeout: options.expectTimeoutMs },
    retries: 0,
    forbidOnly: process.env.CI === 'true',
    reporter: [['list']],
    use: {
      browserName: 'chromium',
      viewport: options.viewport,
      launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
      trace: 'off',
      ...options.use,
    },
  };
}
