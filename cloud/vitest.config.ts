// Database, broker and HTTP suites share PGlite instances per file; timeouts are generous because
// the machine is small and shared.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'console/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: more workers than that only thrash PGlite's WASM start-up.
    maxWorkers: 2,
  },
});
