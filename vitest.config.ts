import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Integration tests talk to real servers; give them room without hiding hangs.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: two workers keep real-server tests from starving each other.
    maxWorkers: 2,
  },
});
