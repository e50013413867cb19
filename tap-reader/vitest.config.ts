import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The PC/SC tests start a pcscd and vpcd ports of their own; one file at a time keeps the load low.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
