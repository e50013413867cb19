// Generous timeouts: the machine has two cores shared with other suites, and the crash test spawns processes.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { testTimeout: 30_000, hookTimeout: 30_000 },
});
