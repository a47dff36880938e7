#!/usr/bin/env node
// The PostgreSQL run of the tests (`npm run test:postgres`, part of `npm test`) needs Debian's
// PostgreSQL server and the `libpq` addon (an optional dependency, built by `npm install` only where
// libpq's headers are). On a Debian machine where either is missing and we are root, install
// Debian's packages and build the addon; never download anything else.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const hasServer = () => existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/postgres`));
const hasAddon = () => {
  try {
    require('libpq');
    return true;
  } catch {
    return false;
  }
};
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

if (!hasServer() || !existsSync('/usr/include/postgresql/libpq-fe.h')) {
  if (!(isRoot && existsSync('/usr/bin/apt-get'))) {
    console.error('[ensure-postgres] PostgreSQL is missing. Install it (Debian: sudo apt-get install -y postgresql libpq-dev).');
    process.exit(1);
  }
  console.log("[ensure-postgres] installing Debian's postgresql and libpq-dev packages");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'postgresql', 'libpq-dev'], { stdio: 'inherit', env });
}
if (!hasAddon()) {
  console.log('[ensure-postgres] building the libpq addon');
  execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', 'libpq'], { stdio: 'inherit' });
  if (!hasAddon()) {
    console.error('[ensure-postgres] the libpq addon did not build: see the output above');
    process.exit(1);
  }
}
