// Browser tests of the web console against a real cloud (PGlite, embedded broker, ephemeral ports).
import { defineConfig } from '@playwright/test';
import { browserTestConfig } from '@redtap/shared/testing/browser-tests';

export default defineConfig(
  browserTestConfig({
    timeoutMs: 90_000,
    expectTimeoutMs: 10_000,
    viewport: { width: 1440, height: 900 },
    globalSetup: './e2e/global-setup.ts',
    use: { locale: 'zh-CN', timezoneId: 'Asia/Shanghai' },
  }),
);
