// Bundles every Lambda handler in lib/functions/<name>/index.ts to assets/functions/<name>/index.js,
// so the package ships ready-to-deploy code and synthesis never runs esbuild (or Docker).
import { build } from 'esbuild';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const functionsDir = join(root, 'lib', 'functions');
const outDir = join(root, 'assets', 'functions');

/** Handler directories: every directory under lib/functions with an index.ts (shared/ has none). */
export function handlerNames(): string[] {
  return readdirSync(functionsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(functionsDir, entry.name, 'index.ts')))
    .map((entry) => entry.name)
    .sort();
}

async function main(): Promise<void> {
  const started = Date.now();
  // Stale bundles of removed handlers would otherwise ship in the package.
  rmSync(outDir, { recursive: true, force: true });
  const names = handlerNames();
  await Promise.all(
    names.map((name) =>
      build({
        entryPoints: [join(functionsDir, name, 'index.ts')],
        outfile: join(outDir, name, 'index.js'),
        bundle: true,
        platform: 'node',
        target: 'node24',
        format: 'cjs',
        minify: true,
        sourcemap: false,
        // The Lambda runtime provides the AWS SDK v3; pg-native is an optional pg add-on we do not use.
        external: ['pg-native', '@aws-sdk/*'],
        // Absolute paths would leak the build machine into the bundle and change the asset hash.
        absWorkingDir: root,
        legalComments: 'none',
        logLevel: 'warning',
      }),
    ),
  );
  console.log(`bundled ${names.join(', ')} to ${outDir} in ${Date.now() - started} ms`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
