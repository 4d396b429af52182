// Where the package's sources are published. The README and docs/ ship in the package, so a link
// to a file the package does not hold (test/, scripts/, app/, lib/ sources) is written as an
// absolute link to the repository at the released version (test/package/readme-links.test.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRepositoryUrl } from '../lib/private/package-root';

const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string; repository: { url: string }; files: string[] };

/** The repository's web address, from package.json `repository`. */
export const REPOSITORY_URL = packageRepositoryUrl()!;

/** The git tag of this version of the package. */
export const RELEASE_TAG = `v${manifest.version}`;

/** A file or directory of the repository (a path from its root) as it is at this version's tag. */
export function sourceUrl(path: string): string {
  return `${REPOSITORY_URL}/blob/${RELEASE_TAG}/${path}`;
}

/** What the package holds besides what npm always packs (package.json `files`). */
const SHIPPED = ['README.md', 'package.json', ...manifest.files];

/** Whether a path from the repository root is in the package. */
export function isShipped(path: string): boolean {
  const file = path.replace(/[#?].*$/, '').replace(/\/$/, '');
  return SHIPPED.some((entry) => file === entry || file.startsWith(`${entry}/`));
}

/**
 * Markdown written with links from the repository root, as it reads in docs/: a link to a file
 * the package ships becomes relative to docs/ (`../runbooks/x.md`), any other the file's address
 * in the repository at this version.
 */
export function linksFromDocs(markdown: string): string {
  const relinked = (target: string) => (target.startsWith('docs/') ? target.slice('docs/'.length) : isShipped(target) ? `../${target}` : sourceUrl(target));
  return markdown.replace(/\]\((?!https?:|mailto:|#)([^)\s]+)\)/g, (_, target: string) => `](${relinked(target)})`);
}
