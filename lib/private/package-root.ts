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

interface PackageManifest {
  readonly version: string;
  readonly repository?: { readonly url?: string };
}

let manifest: PackageManifest | undefined;

/** This package's package.json, read once per process. */
function packageManifest(): PackageManifest {
  manifest ??= JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as PackageManifest;
  return manifest;
}

/** The repository's web address, from package.json `repository` (`git+https://...git` written as `https://...`). */
export function packageRepositoryUrl(): string | undefined {
  return packageManifest().repository?.url?.replace(/^git\+/, '').replace(/\.git$/, '');
}

/**
 * The runbooks of the installed version of the package on the web: package.json's `repository`
 * at the version's tag, e.g. `https://github.com/<owner>/<repo>/blob/v0.1.0/runbooks`. The
 * package ships the same files under `runbooks/`.
 */
export function packageRunbooksUrl(): string | undefined {
  const repository = packageRepositoryUrl();
  return repository === undefined ? undefined : `${repository}/blob/v${packageManifest().version}/runbooks`;
}
