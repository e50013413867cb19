// Database, broker and HTTP suites share PGlite instances per file; timeouts are generous because
// the machine is small and shared. The reply-coverage project runs after all the others: it reads
// what their test clouds recorded (test/reply-coverage.ts) and checks every documented route was
// called with a reply that matched its schema.
import { defineConfig } from 'vitest/config';

const shared = { testTimeout: 30_000, hookTimeout: 60_000 };

export default defineConfig({
  test: {
    // Two cores: more workers than that only thrash PGlite's WASM start-up.
    maxWorkers: 2,
    projects: [
      {
        test: {
          ...shared,
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'console/test/**/*.test.ts'],
          globalSetup: ['test/reply-coverage.setup.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'reply-coverage',
          include: ['test/reply-coverage.check.ts'],
          globalSetup: ['test/reply-coverage.setup.ts'],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
