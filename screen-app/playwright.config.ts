// Browser tests of the screen UI against a real kiosk core.
import { defineConfig } from '@playwright/test';
import { browserTestConfig } from '@redtap/shared/testing/browser-tests';

export default defineConfig(
  browserTestConfig({
    timeoutMs: 60_000,
    expectTimeoutMs: 10_000,
    viewport: { width: 1280, height: 720 },
    globalSetup: './e2e/global-setup.ts',
  }),
);
