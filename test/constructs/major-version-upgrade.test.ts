import { Template } from 'aws-cdk-lib/assertions';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Database } from '../../lib/database';
import { DatabaseOptions } from '../../lib/database-options';
import { BLUE_GREEN_COMPLETED } from '../../lib/major-version-upgrade';
import { isolatedVpc, newStack, validationError } from './support';

function database(options: DatabaseOptions) {
  const stack = newStack();
  const db = new Database(stack, 'Db', { vpc: isolatedVpc(stack), ...options });
  return { db, template: Template.fromStack(stack) };
}

describe('Database major-version upgrade (library)', () => {
  test('upgradeTarget prepares the target family\'s group with the tier\'s settings; the instances keep the current one', () => {
    const { db, template } = database({ upgradeTarget: rds.PostgresEngineVersion.VER_18 });
    template.resourceCountIs('AWS::RDS::DBParameterGroup', 2);
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Family: 'postgres18' });
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Family: 'postgres17' });
    expect(db.upgradeParameterGroup).toBeDefined();
    const groupRefs = Object.values(template.findResources('AWS::RDS::DBInstance')).map((i) => JSON.stringify(i.Properties.DBParameterGroupName));
    expect(new Set(groupRefs).size).toBe(1);
    expect(groupRefs[0]).toContain('DbParameterGroup');
  });

  test('a deployed major other than engineVersion is refused without the acknowledgement, naming the runbook', () => {
    const error = validationError(() => database({ engineVersion: rds.PostgresEngineVersion.VER_18, deployedMajorVersion: 17 }));
    expect(error.prop).toBe('engineVersion');
    expect(error.allowed).toContain('runbooks/major-version-upgrade.md');
    expect(() => database({ engineVersion: rds.PostgresEngineVersion.VER_18, deployedMajorVersion: 17, majorVersionUpgrade: BLUE_GREEN_COMPLETED })).not.toThrow();
  });

  test('a lower deployed major than engineVersion\'s is a downgrade RDS cannot do', () => {
    const error = validationError(() => database({ engineVersion: rds.PostgresEngineVersion.VER_17, deployedMajorVersion: 18, majorVersionUpgrade: BLUE_GREEN_COMPLETED }));
    expect(error.allowed).toContain('RDS cannot downgrade');
  });

  test('without a deployed major (unknown), no refusal: the consumer opts in to the check', () => {
    expect(() => database({ engineVersion: rds.PostgresEngineVersion.VER_18 })).not.toThrow();
  });
});
