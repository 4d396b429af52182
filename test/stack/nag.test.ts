import { ENVIRONMENT_NAMES } from '../../lib/config';
import { NAG_PACKS } from '../../lib/app';
import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { synthesize } from './synth';

/** [rule id, reason] of every cdk-nag pack acknowledgement recorded on the given constructs. */
function nagAcknowledgements(constructs: IConstruct[]): Array<[string, string]> {
  return constructs
    .flatMap((construct) => construct.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
    .flatMap((m) => Object.entries(m.data as Record<string, string>))
    .filter(([id]) => /(AwsSolutions|NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321|Serverless)-/.test(id));
}

describe.each(ENVIRONMENT_NAMES)('cdk-nag on %s', (envName) => {
  const { app } = synthesize(envName);

  it.each(NAG_PACKS.map((Pack) => [new Pack().readPackName, Pack] as const))('%s reports no unacknowledged finding', (_, Pack) => {
    const report = new Pack().validateScope(app);
    const findings = report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath ?? r.resourceLogicalId).join(', ')}`);
    expect(findings).toEqual([]);
  });
});

describe('cdk-nag with the game-day experiments on', () => {
  const { app } = synthesize('prod', { overrides: JSON.stringify({ drills: { faultInjection: true } }) });

  it.each(NAG_PACKS.map((Pack) => [new Pack().readPackName, Pack] as const))('%s reports no unacknowledged finding', (_, Pack) => {
    expect(new Pack().validateScope(app).violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('acknowledgements', () => {
  const { stack } = synthesize('prod');

  it('each give a reason a reviewer can check, of more than a few words', () => {
    const reasons = nagAcknowledgements(stack.node.findAll());
    expect(reasons.length).toBeGreaterThanOrEqual(10);
    const tooShort = reasons.filter(([, reason]) => reason.split(/\s+/).length < 12);
    expect(tooShort).toEqual([]);
  });

  it('sit on the construct they name, never on the stack or the app', () => {
    expect(nagAcknowledgements([stack, stack.node.root])).toEqual([]);
  });
});
