// The README, docs/ and runbooks/ ship in the package and are read where it is installed (and on
// npmjs.com), where only the package's files exist. Every relative link of a shipped markdown file
// must therefore name a file (or directory) the package holds, and a heading that file has; a file
// the package does not ship is linked by its address in the repository at this version's tag.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { REPOSITORY_URL, RELEASE_TAG } from '../../scripts/repository';
import { run } from '../support/run';

const REPO = join(__dirname, '..', '..');

/** The files `npm pack` puts in the package (without building it). */
function packageFiles(): Set<string> {
  const output = run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], REPO);
  const [packed] = JSON.parse(output.slice(output.indexOf('['))) as Array<{ files: Array<{ path: string }> }>;
  return new Set(packed.files.map((file) => file.path));
}

/** The anchors GitHub and npm give a file's headings. */
function headingAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, title] of withoutCode(markdown).matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const slug = title.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Markdown without fenced code blocks and code spans, where brackets are not links. */
function withoutCode(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** The targets of a file's inline links and images, and of its link reference definitions. */
function linkTargets(markdown: string): string[] {
  const text = withoutCode(markdown);
  return [...[...text.matchAll(/\]\(<?([^)\s>]+)>?(?: "[^"]*")?\)/g)].map((m) => m[1]), ...[...text.matchAll(/^ {0,3}\[[^\]]+\]: +<?(\S+?)>?(?: .*)?$/gm)].map((m) => m[1])];
}

interface Broken {
  readonly file: string;
  readonly link: string;
  readonly why: string;
}

const files = packageFiles();
const shippedMarkdown = [...files].filter((file) => file === 'README.md' || /^(docs|runbooks)\/[^/]+\.md$/.test(file)).sort();
const REPOSITORY_LINK = new RegExp(`^${REPOSITORY_URL.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(?:blob|tree)/([^/]+)/([^#?]+)`);

function brokenLinks(file: string): Broken[] {
  const markdown = readFileSync(join(REPO, file), 'utf8');
  return linkTargets(markdown).flatMap((link): Broken[] => {
    const repositoryLink = REPOSITORY_LINK.exec(link);
    if (repositoryLink) {
      const [, ref, path] = repositoryLink;
      if (ref !== RELEASE_TAG) return [{ file, link, why: `names ${ref}, not this version's tag ${RELEASE_TAG}` }];
      return existsSync(join(REPO, path)) ? [] : [{ file, link, why: `${path} is not in the repository` }];
    }
    if (/^[a-z][a-z+.-]*:/i.test(link)) return [];
    const [pathPart, anchor] = link.split('#', 2) as [string, string | undefined];
    const target = pathPart === '' ? file : posix.normalize(posix.join(dirname(file), decodeURI(pathPart)));
    // A directory (`../sql/`) counts when the package holds files in it.
    const held = files.has(target) || (target.endsWith('/') && [...files].some((path) => path.startsWith(target)));
    if (!held) return [{ file, link, why: `${target} is not a file or directory of the package` }];
    if (anchor !== undefined && target.endsWith('.md') && !headingAnchors(readFileSync(join(REPO, target), 'utf8')).has(anchor)) {
      return [{ file, link, why: `${target} has no heading #${anchor}` }];
    }
    return [];
  });
}

describe('the links of the markdown the package ships', () => {
  it('are checked in the README, every doc and every runbook', () => {
    expect(shippedMarkdown).toEqual(expect.arrayContaining(['README.md', 'docs/props.md', 'runbooks/README.md']));
  });

  it.each(shippedMarkdown)('%s: relative links name files of the package; repository links name this version and a file that exists', (file) => {
    expect(brokenLinks(file)).toEqual([]);
  });
});
