// The five cdk-nag packs over a consumer's app, under no feature flags and under the flags
// `cdk init` writes for the pinned aws-cdk-lib: the flags change how ARNs are written
// (`@aws-cdk/core:enablePartitionLiterals` puts `arn:aws:` where `arn:<AWS::Partition>:` was),
// and an acknowledgement names its finding by the ARN.
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CURRENTLY_RECOMMENDED_FLAGS, ENABLE_PARTITION_LITERALS } from 'aws-cdk-lib/cx-api';
import { DataTier } from '../../lib/data-tier';
import { acknowledge, recordAcknowledgements } from '../../lib/private/nag';
import { isolatedVpc, TEST_ZONES } from '../constructs/support';
import { findings, PACKS, templateFindings } from './nag-findings';
import { templateView, TemplateView } from './template-view';

const ACCOUNT = '111111111111';
const REGION = 'us-east-1';
const STACK = 'Consumer';
/** The tier with a VPC of its own: a stack of its own, as three tiers in one would pass CloudFormation's 500 resources. */
const OWN_VPC_STACK = 'ConsumerInventory';

/**
 * The flag sets: none at all, and what `cdk init` writes into a new project's cdk.json. The CLI
 * copies aws-cdk-lib's `recommended-feature-flags.json`, which aws-cdk-lib also exports as
 * `CURRENTLY_RECOMMENDED_FLAGS` (checked below).
 */
const FLAG_SETS: Array<[string, Record<string, unknown>]> = [
  ['no feature flags', {}],
  ['the feature flags cdk init writes', CURRENTLY_RECOMMENDED_FLAGS],
];

interface Consumer {
  readonly app: App;
  readonly stacks: Stack[];
  /** The template of each stack, included back for the packs. */
  readonly views: TemplateView[];
}

/**
 * A consumer's app: two tiers (`Orders`, `Billing`) in the caller's VPC of isolated subnets,
 * and, in a stack of its own in the same environment (three zones), one (`Inventory`) in a VPC it creates.
 */
function consumerApp(flags: Record<string, unknown>): Consumer {
  const app = new App({ context: { ...flags, [`availability-zones:account=${ACCOUNT}:region=${REGION}`]: TEST_ZONES, 'aws:cdk:bundling-stacks': [] } });
  const env = { account: ACCOUNT, region: REGION };
  const stack = new Stack(app, STACK, { env });
  const vpc = isolatedVpc(stack, 'Vpc');
  new DataTier(stack, 'Orders', { network: { vpc } });
  new DataTier(stack, 'Billing', { network: { vpc } });
  const ownVpcStack = new Stack(app, OWN_VPC_STACK, { env });
  new DataTier(ownVpcStack, 'Inventory');
  const stacks = [stack, ownVpcStack];
  return { app, stacks, views: stacks.map((s) => templateView(s, Template.fromStack(s).toJSON())) };
}

/**
 * What the caller's bare VPC is reported for: the VPC itself (no flow logs; without
 * `@aws-cdk/aws-ec2:restrictDefaultSecurityGroup`, an open default security group) and, with
 * that flag, the provider aws-cdk-lib adds to its stack to close that group. The caller's to
 * answer, not the tiers': a tier acknowledges the provider only in a VPC it creates.
 */
const CALLERS_VPC = [`${STACK}/Vpc/Resource`, `${STACK}/Custom::VpcRestrictDefaultSGCustomResourceProvider/`];
const callersVpc = (finding: string) => finding.split(': ')[1].split(', ').every((path) => CALLERS_VPC.some((own) => path === own || (own.endsWith('/') && path.startsWith(own))));

it('the flags cdk init writes are aws-cdk-lib’s recommended flags, partition literals among them', () => {
  expect(CURRENTLY_RECOMMENDED_FLAGS).toEqual(require('aws-cdk-lib/recommended-feature-flags.json'));
  expect(CURRENTLY_RECOMMENDED_FLAGS[ENABLE_PARTITION_LITERALS]).toBe(true);
});

describe.each(FLAG_SETS)('cdk-nag on a consumer’s three tiers with %s', (_, flags) => {
  const { app, stacks, views } = consumerApp(flags);

  it('writes ARNs with the partition the flags give', () => {
    for (const stack of stacks) expect(stack.resolve(stack.partition)).toEqual(flags[ENABLE_PARTITION_LITERALS] ? 'aws' : { Ref: 'AWS::Partition' });
  });

  it.each(PACKS)('%s reports no unacknowledged finding in the construct tree but on the caller’s VPC', (_, Pack) => {
    expect(findings(new Pack().validateScope(app)).filter((finding) => !callersVpc(finding))).toEqual([]);
  });

  it.each(PACKS)('%s reports no unacknowledged finding on any resource of the template but the caller’s VPC, aws-cdk-lib’s own providers included', (_, Pack) => {
    expect(views.flatMap((view) => templateFindings(Pack, view)).filter((finding) => !callersVpc(finding))).toEqual([]);
  });
});

describe('an acknowledgement that names an ARN', () => {
  const id = 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';
  const inPartition = (partition: string) => id.replace('<AWS::Partition>', partition);
  const acknowledged = (env: { account: string; region: string } | undefined, flags: Record<string, unknown>) => {
    const stack = new Stack(new App({ context: flags }), 'Acknowledging', { env });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    acknowledge(role, { id, reason: 'The AWS-maintained policy a function writes its logs with.' });
    recordAcknowledgements(stack);
    const metadata = role.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
    const recorded: Array<{ rules: string[] }> = Template.fromStack(stack).toJSON().Metadata.cdk_nag.acknowledgements;
    // Ids of no registered plugin are kept as annotations (`Annotation::<id>`), as this app registers none.
    return { ids: metadata.flatMap((m) => Object.keys(m.data as object)).map((key) => key.replace(/^annotation::/i, '')).sort(), recorded: recorded.flatMap((r) => r.rules) };
  };

  it.each([
    ['an environment-agnostic stack', undefined, {}, ['<AWS::Partition>', 'aws']],
    ['a stack in us-east-1', { account: ACCOUNT, region: REGION }, {}, ['<AWS::Partition>', 'aws']],
    ['a stack in cn-north-1', { account: ACCOUNT, region: 'cn-north-1' }, {}, ['<AWS::Partition>', 'aws', 'aws-cn']],
    ['a stack in cn-north-1 writing partition literals', { account: ACCOUNT, region: 'cn-north-1' }, { [ENABLE_PARTITION_LITERALS]: true }, ['<AWS::Partition>', 'aws', 'aws-cn']],
  ])('is acknowledged in every partition it can be written with, in %s, and recorded once in the template', (_, env, flags, partitions) => {
    const { ids, recorded } = acknowledged(env, flags);
    expect(ids).toEqual(partitions.map(inPartition).sort());
    expect(recorded).toEqual([id]);
  });
});
