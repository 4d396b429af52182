import * as logs from 'aws-cdk-lib/aws-logs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Database } from '../../lib/database';
import { FunctionPlacement } from '../../lib/function-placement';
import { DataTierValidationError } from '../../lib/private/validation';

/** An explicit environment: the constructs check zones against it and name regional principals. */
export const TEST_ENV = { account: '123456789012', region: 'us-east-1' };
export const TEST_ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

/** Lambda code is not bundled: the assertions read templates only, and bundling is most of the synth time. */
export function newApp(): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [] } });
}

/** A bare stack with an explicit environment, in an app of its own. */
export function newStack(id = 'Test', env: { account?: string; region?: string } | undefined = TEST_ENV): Stack {
  return new Stack(newApp(), id, env === undefined ? {} : { env });
}

/** A caller's VPC: three zones, one isolated subnet group, no NAT, no internet gateway. */
export function isolatedVpc(scope: Stack, id = 'Vpc'): ec2.Vpc {
  return new ec2.Vpc(scope, id, {
    availabilityZones: TEST_ZONES,
    natGateways: 0,
    subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
  });
}

/** The `DataTierValidationError` that `build` throws; fails the test if it throws nothing or anything else. */
export function validationError(build: () => unknown): DataTierValidationError {
  try {
    build();
  } catch (error) {
    if (error instanceof DataTierValidationError) return error;
    throw error;
  }
  throw new Error('expected a DataTierValidationError, but nothing was thrown');
}

/** `<path>: invalid <prop> = `, the start of every validation message. */
export function messageStart(path: string, prop: string): string {
  return `${path ? `${path}: ` : ''}invalid ${prop} = `;
}

/** Properties that hold a physical name (a name, identifier or alias AWS requires unique). */
const PHYSICAL_NAME = /(Name|Identifier)$|^ReplicationGroupId$|^AliasName$/;
/**
 * Properties named like one that are not: the metric an alarm watches, the database inside an
 * instance, the CA of its certificate, the proxy's target group (always `default`), the AWS
 * service of an endpoint.
 */
const NOT_PHYSICAL = new Set(['MetricName', 'DatabaseName', 'DBName', 'CACertificateIdentifier', 'TargetGroupName', 'ServiceName']);

/**
 * Every literal physical name in the template, as `Type.Property = value`, including those in
 * nested property objects (a backup plan's `BackupPlan.BackupPlanName`). Only CloudFormation's
 * PascalCase properties count, not the content of a document such as an SSM document's.
 */
export function physicalNames(template: Template): string[] {
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  const names: string[] = [];
  const collect = (type: string, properties: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(properties)) {
      if (!/^[A-Z]/.test(key)) continue;
      if (typeof value === 'string' && PHYSICAL_NAME.test(key) && !NOT_PHYSICAL.has(key)) names.push(`${type}.${key} = ${value}`);
      else if (typeof value === 'object' && value !== null && !Array.isArray(value)) collect(type, value as Record<string, unknown>);
    }
  };
  for (const resource of Object.values(resources)) collect(resource.Type, resource.Properties ?? {});
  return names;
}

/** The entries of `values` that occur more than once. */
export function duplicatesOf(values: readonly string[]): string[] {
  return [...new Set(values.filter((value, index) => values.indexOf(value) !== index))];
}

/** A stack with a VPC, a `Database` named `orders` and the placement of the tier's functions in it. */
export function databaseWithPlacement(stack: Stack): { database: Database; placement: FunctionPlacement } {
  const vpc = isolatedVpc(stack);
  const database = new Database(stack, 'Db', { vpc, name: 'orders' });
  const placement: FunctionPlacement = {
    vpc,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    securityGroup: new ec2.SecurityGroup(stack, 'FunctionSecurityGroup', { vpc, allowAllOutbound: false }),
    dataKey: database.dataKey,
    logsKey: new kms.Key(stack, 'LogsKey'),
    logRetention: logs.RetentionDays.ONE_MONTH,
    name: 'orders',
  };
  return { database, placement };
}

/** The AWS APIs the tier's functions reach through interface endpoints. */
const API_ENDPOINT_SERVICES = ['secretsmanager', 'monitoring', 'logs', 'kms', 'elasticache'];

/** Asserts an interface endpoint with private DNS for each AWS API the tier's functions call. */
export function expectApiEndpoints(template: Template): void {
  for (const service of API_ENDPOINT_SERVICES) {
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: `com.amazonaws.${TEST_ENV.region}.${service}`,
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
    });
  }
}
