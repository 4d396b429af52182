// Where the package's sources are published. The README and docs/ ship in the package, so a link
// to a file the package does not hold (test/, scripts/, app/, lib/ sources) is written as an
// absolute link to the repository at the released version (test/package/readme-links.test.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string; repository: { url: string } };

/** The repository's web address, from package.json `repository`. */
export const REPOSITORY_URL = manifest.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');

/** The git tag of this version of the package. */
export const RELEASE_TAG = `v${manifest.version}`;

/** A file or directory of the repository (a path from its root) as it is at this version's tag. */
export function sourceUrl(path: string): string {
  return `${REPOSITORY_URL}/blob/${RELEASE_TAG}/${path}`;
}
