import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = 'postgres-data-tier';

/**
 * The root of this package: the nearest directory above `from` holding this package's
 * package.json. The same whether the code runs from the TypeScript sources (`lib/`) or the
 * compiled package (`dist/`), in this repository or in a consumer's node_modules.
 */
export function packageRoot(from: string = __dirname): string {
  for (let directory = from; ; directory = dirname(directory)) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) {
      return directory;
    }
    if (dirname(directory) === directory) throw new Error(`No package.json of ${PACKAGE_NAME} above ${from}`);
  }
}

/**
 * The runbooks of the installed version of the package on the web: package.json's `repository`
 * at the version's tag, e.g. `https://github.com/<owner>/<repo>/blob/v0.1.0/runbooks`. The
 * package ships the same files under `runbooks/`.
 */
export function packageRunbooksUrl(): string | undefined {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string; repository?: { url?: string } };
  const repository = manifest.repository?.url?.replace(/^git\+/, '').replace(/\.git$/, '');
  return repository === undefined ? undefined : `${repository}/blob/v${manifest.version}/runbooks`;
}
