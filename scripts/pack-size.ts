// Prints what `npm pack` would put in the tarball and how big it is: `npm run pack:size`.
// Packing runs prepare, so this rebuilds dist/ and assets/ first.
import { execFileSync } from 'node:child_process';

interface PackResult {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: ReadonlyArray<{ readonly path: string; readonly size: number }>;
}

const output = execFileSync('npm', ['pack', '--dry-run', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const [packed] = JSON.parse(output.slice(output.indexOf('['))) as PackResult[];
const kB = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;
const byTopDirectory = new Map<string, { files: number; size: number }>();
for (const file of packed.files) {
  const top = file.path.includes('/') ? `${file.path.split('/')[0]}/` : file.path;
  const entry = byTopDirectory.get(top) ?? { files: 0, size: 0 };
  byTopDirectory.set(top, { files: entry.files + 1, size: entry.size + file.size });
}
for (const [top, { files, size }] of byTopDirectory) console.log(`${top.padEnd(14)} ${String(files).padStart(3)} files ${kB(size).padStart(10)}`);
console.log(`${packed.filename}: ${kB(packed.size)} packed, ${kB(packed.unpackedSize)} unpacked, ${packed.files.length} files`);
