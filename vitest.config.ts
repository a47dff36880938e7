import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // A chain needs PostgreSQL: those tests run in vitest.postgres.config.ts only.
    exclude: [...configDefaults.exclude, 'tests/chain/**'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Browser tests start Chromium; two cores, so keep files from fighting over them.
    maxWorkers: 2,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
