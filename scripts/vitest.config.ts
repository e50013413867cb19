// Unit tests beside the code, end-to-end suites under e2e/ (*.test.ts); Playwright owns e2e/*.e2e.ts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'e2e/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/*.e2e.ts'],
    // Suites share the database server and the machine's two cores: one file at a time.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
