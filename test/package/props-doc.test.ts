import { readFileSync } from 'node:fs';
import { PROPS_DOC, renderPropsDoc } from '../../scripts/props-doc';

const doc = readFileSync(PROPS_DOC, 'utf8');

describe('docs/props.md', () => {
  it('is the TSDoc of lib/*.ts as it is (refresh: npx tsx scripts/props-doc.ts)', () => {
    expect(doc).toBe(renderPropsDoc());
  });
});
