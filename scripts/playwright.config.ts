// The demo in a browser: the launcher on ephemeral ports, the phone simulator and a screen.
import { defineConfig } from '@playwright/test';
import { browserTestConfig } from '@redtap/shared/testing/browser-tests';

export default defineConfig(
  browserTestConfig({
    // The demo starts a cloud and three kiosks.
    timeoutMs: 120_000,
    expectTimeoutMs: 15_000,
    viewport: { width: 1440, height: 900 },
  }),
);
