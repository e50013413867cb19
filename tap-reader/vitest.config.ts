import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The PC/SC tests share pcscd and the two vpcd slots: files must not run side by side.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
