import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROPS_DOC, renderPropsDoc } from '../../scripts/props-doc';

const doc = readFileSync(PROPS_DOC, 'utf8');

describe('docs/props.md', () => {
  it('is the TSDoc of lib/*.ts as it is (refresh: npx tsx scripts/props-doc.ts)', () => {
    expect(doc).toBe(renderPropsDoc());
  });

  it("names every prop the README shows at a glance as DataTier's own, by the path a consumer writes", () => {
    const dataTierSection = doc.slice(doc.indexOf('## DataTier'), doc.indexOf('\n## ', doc.indexOf('## DataTier') + 1));
    const props = new Set([...dataTierSection.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1]));
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const glance = readme.slice(readme.indexOf('## Props at a glance'), readme.indexOf('\n## ', readme.indexOf('## Props at a glance') + 1));
    // A row names a prop, or siblings in one group: `database.replicaCount` / `multiAz`.
    const named = glance
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((row) => {
        const names = [...row.split(' | ')[0].matchAll(/`([^`]+)`/g)].map((match) => match[1]);
        const group = names[0].slice(0, names[0].lastIndexOf('.') + 1);
        return names.map((name) => (name.includes('.') ? name : `${group}${name}`));
      });
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((name) => !props.has(name))).toEqual([]);
  });
});
