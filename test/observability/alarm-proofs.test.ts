import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALARM_DEFINITIONS, ALARM_PROOF_TESTS } from '../../lib/alarms';

const proofTests = readFileSync(join(__dirname, '../..', ALARM_PROOF_TESTS), 'utf8');
const name = (d: (typeof ALARM_DEFINITIONS)[number]) => `${d.condition}${d.task ? ` (${d.task})` : ''}`;

describe('how each alarm is proven', () => {
  it('every alarm names the test that makes it fire, or why none can and what covers it instead', () => {
    const unproven = ALARM_DEFINITIONS.filter((d) =>
      'test' in d.proof ? d.proof.test.trim() === '' : d.proof.cannotInduce.trim() === '' || d.proof.coveredBy.trim() === '');
    expect(unproven.map(name)).toEqual([]);
  });

  it('every test an alarm names exists in the proof suite', () => {
    const missing = ALARM_DEFINITIONS.filter((d) => 'test' in d.proof && !proofTests.includes(`it('${d.proof.test.replace(/'/g, "\\'")}'`));
    expect(missing.map(name)).toEqual([]);
  });

  it('every alarm fed by the health check or the maintenance function is induced by a test, but transaction ID age', () => {
    const notInduced = ALARM_DEFINITIONS.filter((d) => (d.source === 'health-check' || d.source === 'maintenance') && !('test' in d.proof));
    expect(notInduced.map(name)).toEqual(['transaction-id-age-high']);
  });
});
