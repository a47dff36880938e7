/**
 * A store running in a child process (tests/faults/proxy-runner.ts), so a test can kill it with a
 * real SIGKILL — no `close()`, no flush, no finally — and start it again on the same data directory
 * and port, as a till's proxy dies in a power cut and comes back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { testConfig } from './store.ts';

const RUNNER = fileURLToPath(new URL('../faults/proxy-runner.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export type StoreOverrides = NonNullable<Parameters<typeof testConfig>[0]>;

export interface ProxyProcess {
  url: string;
  port: number;
  pid: number;
  pairingCode: string;
  managerPairingCode: string;
  /** kill -9, resolved once the process is gone. */
  kill(): Promise<void>;
  /** Everything it printed on stderr (for a failing test's message). */
  stderr(): string;
}

/** A loopback port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Starts the store in a child process; `over` needs a file `dataDir` and a fixed `port` to be restartable. */
export function startProxyProcess(over: StoreOverrides, timeoutMs = 30_000): Promise<ProxyProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', RUNNER, JSON.stringify(over)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'test', POS_TEST_PARENT_PID: String(process.pid) },
  });
  let out = '';
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the proxy process did not start in ${timeoutMs} ms: ${err}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the proxy process exited (${code}) before it listened: ${err}`));
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{"ready"'));
      if (!line) return;
      clearTimeout(timer);
      const info = JSON.parse(line) as { url: string; port: number; pairingCode: string; managerPairingCode: string };
      resolve({
        ...info,
        pid: child.pid!,
        stderr: () => err,
        async kill() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await exited;
        },
      });
    });
  });
}
