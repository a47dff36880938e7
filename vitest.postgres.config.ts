/**
 * The proxy's tests again with every ledger on PostgreSQL (`npm run test:postgres`): the same files,
 * a throwaway server started by the global setup. Browser tests stay on the SQLite run: the ledger
 * under them is the same code. The chain's tests (tests/chain: several proxies over one database)
 * run here only.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/proxy/**/*.test.ts', 'tests/contract/**/*.test.ts', 'tests/faults/provider-faults*.test.ts', 'tests/faults/sigkill*.test.ts', 'tests/load/**/*.test.ts', 'tests/chain/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
    globalSetup: ['tests/helpers/postgres-global-setup.ts'],
  },
});
