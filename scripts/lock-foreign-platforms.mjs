#!/usr/bin/env node
// The npm registry reachable from our build machines serves only the linux-x64
// builds of some packages' per-platform binaries (squawk-cli's, for one). `npm install`
// then leaves the other platforms out of package-lock.json and `npm ci` refuses the
// lockfile. This adds the missing optional entries, marked with their os/cpu so npm
// skips them on this platform. Run it after any `npm install` that rewrites the lock.
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);
const PLATFORM = /(darwin|linux|win32|freebsd|android|openharmony)-(arm64|x64|ia32|arm)/;

const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    const match = PLATFORM.exec(name);
    if (lock.packages[key] || !match) continue;
    lock.packages[key] = {
      version,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      os: [match[1]],
      cpu: [match[2]],
    };
    added++;
    console.log(`added ${key}@${version} (needed by ${path || 'root'})`);
  }
}
const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
lock.packages = sorted;
writeFileSync(LOCK, JSON.stringify(lock, null, 2) + '\n');
console.log(`${added} foreign-platform entries added`);
