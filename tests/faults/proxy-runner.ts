/**
 * A whole store (proxy + in-process sandboxes) in a process of its own, for the fault matrix's
 * SIGKILL cells: `node --import tsx tests/faults/proxy-runner.ts '<config overrides as JSON>'`.
 * The overrides go through the tests' `testConfig` (quick timings), so a file data directory and a
 * fixed port make a restart land on the same ledger, sandbox books and origin. Prints one JSON line
 * (`{"ready": true, url, port, pairingCode, managerPairingCode}`) once it listens; a kill -9 is the
 * point, so it installs no signal handlers.
 */
import { startStore } from '../../proxy/server.ts';
import { testConfig } from '../helpers/store.ts';

const over = JSON.parse(process.argv[2] ?? '{}') as Parameters<typeof testConfig>[0];
const store = await startStore(testConfig(over));
// Never outlive the test run that started it (a crashed runner would leave the port taken).
const parent = Number(process.env.POS_TEST_PARENT_PID);
if (parent) {
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      process.exit(0);
    }
  }, 1_000).unref();
}
process.stdout.write(
  `${JSON.stringify({ ready: true, url: store.url, port: store.port, pairingCode: store.pairingCode, managerPairingCode: store.managerPairingCode })}\n`,
);
