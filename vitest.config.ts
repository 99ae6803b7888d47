import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starts a throwaway PostgreSQL cluster (or uses TEST_POSTGRES_URL) for the store suites.
    globalSetup: ['test/support/pg-global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests start real HTTP servers and databases; keep the 2-core machine from thrashing.
    maxWorkers: 2,
  },
});
