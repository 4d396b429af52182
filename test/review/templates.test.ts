import { readFileSync } from 'node:fs';
import { ENVIRONMENT_NAMES } from '../../app/config';
import { dashboardBodySubstitution, reviewableForm, snapshotPath } from '../../app/template-snapshot';
import { acknowledgedRules } from '../../lib/cli/review/report';
import { acknowledgementShare, synthesizeAsBefore } from '../../scripts/review/template-stats';
import { synthesize } from '../stack/synth';

describe('the committed templates', () => {
  it.each(ENVIRONMENT_NAMES)('%s: cdk-nag and validation metadata is under 10 % of the bytes', (envName) => {
    const share = acknowledgementShare(readFileSync(snapshotPath(envName), 'utf8'));
    console.log(`${envName}: acknowledgements are ${(100 * share).toFixed(1)} % of the template's bytes`);
    expect(share).toBeLessThan(0.1);
    expect(share).toBeGreaterThan(0); // still there, for the reviewer
  });

  it('write the dashboard body one widget, metric or alarm per line, resolving to the same string as the deployed template', () => {
    const deployed = synthesize('dev').template.toJSON();
    const reviewable = JSON.parse(reviewableForm(JSON.stringify(deployed)));
    const [id] = Object.entries<{ Type: string }>(deployed.Resources).find(([, r]) => r.Type === 'AWS::CloudWatch::Dashboard')!;
    const [a, b] = [deployed.Resources[id].Properties.DashboardBody, reviewable.Resources[id].Properties.DashboardBody];
    expect(dashboardBodySubstitution(b)).toBe(dashboardBodySubstitution(a));
    expect(b['Fn::Join'][1].length).toBeGreaterThan(20);
    expect(JSON.stringify(b, undefined, 1).split('\n').every((line) => line.length < 1200)).toBe(true);
  });
});

/** Whether a (rule, resource) pair names an ARN in a literal partition beside the same pair with `arn:<AWS::Partition>:`. */
const otherPartitionForm = (pair: string, pairs: Set<string>) => {
  const anyPartition = pair.replace(/arn:aws[\w-]*:/g, 'arn:<AWS::Partition>:');
  return anyPartition !== pair && pairs.has(anyPartition);
};

describe('the acknowledgements recorded once', () => {
  it('are every (rule, resource) pair cdk-nag’s writeSuppressionsToCloudFormation wrote on each resource, an ARN in its `arn:<AWS::Partition>:` form only', () => {
    const before = acknowledgedRules(JSON.parse(synthesizeAsBefore({}, 'dev')));
    const after = acknowledgedRules(JSON.parse(readFileSync(snapshotPath('dev'), 'utf8')));
    expect(before.size).toBeGreaterThan(100);
    // acknowledge() adds the `arn:aws:` form of each ARN it is given: the record writes it once.
    expect([...before].filter((pair) => otherPartitionForm(pair, before)).length).toBeGreaterThan(0);
    expect([...after].sort()).toEqual([...before].filter((pair) => !otherPartitionForm(pair, before)).sort());
  });
});
