/**
 * Vitest global setup of the PostgreSQL run (vitest.postgres.config.ts): one throwaway server for
 * the whole run; every ledger the tests open goes to a schema of its own on it (POS_TEST_POSTGRES_URL,
 * read by proxy/ledger/db.ts).
 */
import { startTestPostgres, type TestPostgres } from './postgres-server.ts';

let server: TestPostgres | undefined;

export async function setup(): Promise<void> {
  if (process.env.POS_TEST_POSTGRES_URL) return; // a server the caller runs
  server = await startTestPostgres();
  process.env.POS_TEST_POSTGRES_URL = server.url;
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
