// First step of `npm test` (and so of .ci/run): the cache's tests run against a real redis-server
// (Debian's package: no npm package ships one) with TLS (a certificate made by openssl). Installs
// what is missing with apt-get when it can (root on Debian/Ubuntu); otherwise stops the run with
// one line saying what to install. Never lets the run go on without them: the cache tests are not
// skipped.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const NEEDED = [
  { command: 'redis-server', aptPackage: 'redis-server' },
  { command: 'openssl', aptPackage: 'openssl' },
];

function onPath(command) {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, command)));
}

function aptGet(args) {
  return spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
}

const missing = NEEDED.filter((tool) => !onPath(tool.command));
if (missing.length > 0) {
  const packages = missing.map((tool) => tool.aptPackage);
  const what = `${missing.map((tool) => tool.command).join(' and ')} (for the cache tests)`;
  if (!onPath('apt-get') || process.getuid?.() !== 0) {
    console.error(`npm test needs ${what}: install ${packages.join(' ')} (Debian/Ubuntu: sudo apt-get install -y ${packages.join(' ')}; macOS: brew install redis openssl) and run again`);
    process.exit(1);
  }
  console.error(`installing ${packages.join(' ')} with apt-get for the cache tests`);
  // A fresh image has no package lists: the install then fails, and succeeds after an update.
  const installed = aptGet(['install', '-y', ...packages]) || (aptGet(['update']) && aptGet(['install', '-y', ...packages]));
  const still = missing.filter((tool) => !onPath(tool.command));
  if (!installed || still.length > 0) {
    console.error(`npm test needs ${what}: apt-get install -y ${packages.join(' ')} failed; install it and run again`);
    process.exit(1);
  }
}
