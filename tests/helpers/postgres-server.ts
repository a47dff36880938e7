/**
 * A throwaway PostgreSQL server on loopback for the suite's PostgreSQL run: Debian's binaries
 * (/usr/lib/postgresql/<version>/bin), a cluster in a temporary directory, trust authentication on
 * 127.0.0.1 and a free port. The server refuses to run as root, so as root the cluster belongs to
 * the `postgres` user the Debian package creates.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))) : [];
  if (!versions.length) {
    throw new Error('No PostgreSQL server found under /usr/lib/postgresql (Debian: apt-get install -y postgresql; `node scripts/ensure-postgres.mjs` does it as root)');
  }
  return join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a PostgreSQL binary as ourselves, or as `postgres` when we are root. */
function command(bin: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

/**
 * `durable`: the server flushes every commit to disk (fsync, synchronous_commit), as a chain's
 * database does: for `npm run bench`. The tests' server skips that (nothing must survive a power cut).
 */
export async function startTestPostgres(opts: { durable?: boolean } = {}): Promise<TestPostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'pos-pg-'));
  chmodSync(dir, 0o777);
  if (isRoot()) execFileSync('chown', ['postgres', dir]);
  const data = join(dir, 'data');
  const [initCmd, initArgs] = command(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  execFileSync(initCmd, initArgs, { stdio: 'pipe' });
  const port = await freePort();
  const [cmd, args] = command(join(bin, 'postgres'), [
    '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
    '-c', 'max_connections=200',
    // A test server: nothing here needs to survive a power cut.
    ...(opts.durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
  ]);
  const server: ChildProcess = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  const started = Date.now();
  for (;;) {
    try {
      execFileSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres'], { stdio: 'ignore' });
      break;
    } catch {
      if (server.exitCode !== null || Date.now() - started > 30_000) {
        server.kill('SIGKILL');
        throw new Error(`PostgreSQL did not start:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    async stop() {
      if (server.exitCode === null) {
        // Through pg_ctl: a signal to `runuser` does not reach the server it started.
        const exited = new Promise((r) => server.once('exit', r));
        const [stopCmd, stopArgs] = command(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w']);
        execFileSync(stopCmd, stopArgs, { stdio: 'ignore' });
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
