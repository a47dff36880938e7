#!/usr/bin/env node
// Browser tests use the system's Chromium (CHROME_PATH, else /usr/bin/chromium). On a Debian
// machine where it is missing and we are root, install Debian's package; never download a browser.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const path = process.env.CHROME_PATH || '/usr/bin/chromium';
// `BENCH_NO_BROWSER=1 npm run bench` measures no browser figures.
if (process.env.BENCH_NO_BROWSER) process.exit(0);
if (existsSync(path)) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (isRoot && existsSync('/usr/bin/apt-get')) {
  console.log(`[ensure-chromium] ${path} is missing: installing Debian's chromium package`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
  if (existsSync(path)) process.exit(0);
}
console.error(
  `[ensure-chromium] No Chromium at ${path}. Install it (Debian: sudo apt-get install -y chromium) ` +
    'or set CHROME_PATH to a Chromium/Chrome binary.',
);
process.exit(1);
