// The `data-tier` command over a consumer's cloud assembly (two tiers in stack Shop, one in stack
// Analytics, hashed output keys), run in-process with AWS faked and nothing spawned.
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snapshotPath } from '../../app/template-snapshot';
import { main, type CliDependencies } from '../../lib/cli/index';
import { outputVariables, variableName } from '../../lib/cli/outputs';
import { PORT_FORWARDING_DOCUMENT } from '../../lib/cli/tunnel';
import { TIER_METADATA_KEY, type TierMetadata } from '../../lib/outputs';
import { synthesizeConsumerAssembly } from './assembly';

const cloudFormation = mockClient(CloudFormationClient);
const autoScaling = mockClient(AutoScalingClient);

let assembly: string;
const template = (stack: string) => JSON.parse(readFileSync(join(assembly, `${stack}.template.json`), 'utf8'));
const tiersOf = (stack: string): TierMetadata[] => template(stack).Metadata[TIER_METADATA_KEY];

beforeAll(() => {
  assembly = synthesizeConsumerAssembly();
}, 120_000);
afterAll(() => rmSync(assembly, { recursive: true, force: true }));
beforeEach(() => {
  cloudFormation.reset();
  autoScaling.reset();
});

/** Runs one command line; what it printed, what it would have spawned, its exit code. */
async function run(argv: string[], deps: Partial<CliDependencies> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const spawned: Array<{ command: string; args: string[] }> = [];
  const code = await main(argv, {
    out: (line) => out.push(...line.split('\n')),
    err: (line) => err.push(...line.split('\n')),
    spawn: async (command, args) => {
      spawned.push({ command, args });
      return 0;
    },
    onPath: () => true,
    ...deps,
  });
  return { code, out, err, spawned };
}

/** A deployed stack's outputs as describe-stacks returns them, under the OutputKeys the tier's metadata names. */
function givenDeployed(stackName: string, tier: TierMetadata, values: Record<string, string>) {
  cloudFormation.on(DescribeStacksCommand, { StackName: stackName }).resolves({
    Stacks: [{ StackName: stackName, CreationTime: new Date(0), StackStatus: 'CREATE_COMPLETE', Outputs: Object.entries(values).map(([name, OutputValue]) => ({ OutputKey: tier.outputs[name], OutputValue })) }],
  });
  autoScaling.on(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: [values.OperatorHostGroupName] }).resolves({
    AutoScalingGroups: [
      {
        AutoScalingGroupName: values.OperatorHostGroupName,
        Instances: [{ InstanceId: 'i-0123456789abcdef0', LifecycleState: 'InService', HealthStatus: 'Healthy', AvailabilityZone: 'us-east-1a', ProtectedFromScaleIn: false }],
        MinSize: 1, MaxSize: 1, DesiredCapacity: 1, DefaultCooldown: 300, AvailabilityZones: [], HealthCheckType: 'EC2', CreatedTime: new Date(0),
      },
    ],
  });
}

const PAYMENTS = {
  WriterEndpoint: 'payments-primary.abc.us-east-1.rds.amazonaws.com',
  ProxyEndpoint: 'payments-proxy.proxy-abc.us-east-1.rds.amazonaws.com',
  DatabasePort: '5433',
  DatabaseName: 'app',
  OperatorSecretArn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:payments/postgres/operator-AbCdEf',
  OperatorHostGroupName: 'payments-operator',
};

describe('what each tier records in its template', () => {
  it('one entry per tier of the stack: name, construct path, version and the OutputKey of each output', () => {
    const tiers = tiersOf('Shop');
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
    expect(tiers.map(({ name, path, version: v }) => ({ name, path, version: v }))).toEqual([
      { name: 'orders', path: 'Shop/Orders', version },
      { name: 'payments', path: 'Shop/Payments', version },
    ]);
    const outputKeys = Object.keys(template('Shop').Outputs);
    for (const tier of tiers) {
      expect(Object.values(tier.outputs).filter((key) => !outputKeys.includes(key))).toEqual([]);
      expect(tier.outputs.ProxyEndpoint).toMatch(new RegExp(`^${tier.path.split('/')[1]}ProxyEndpoint[0-9A-F]{8}$`));
    }
    expect(tiersOf('Analytics').map((t) => t.path)).toEqual(['Analytics/Db']);
  });

  it("keeps the app's output keys unhashed: its tier's id is Default", () => {
    const [tier] = JSON.parse(readFileSync(snapshotPath('prod'), 'utf8')).Metadata[TIER_METADATA_KEY] as TierMetadata[];
    expect(tier).toMatchObject({ name: 'data-tier-prod', path: 'data-tier-prod/Default' });
    expect(tier.outputs.ProxyEndpoint).toBe('ProxyEndpoint');
    expect(tier.outputs.Replica2Endpoint).toBe('Replica2Endpoint');
  });
});

describe('picking a tier', () => {
  it.each([['cost'], ['review', '--base', '<assembly>'], ['tunnel', '--to', 'primary', '--print']])('%s without --tier lists the three tiers in one line and exits 1', async (...command) => {
    const { code, out, err } = await run([...command.map((a) => (a === '<assembly>' ? assembly : a)), '--app', assembly]);
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(
      new RegExp(`^data-tier ${command[0]}: 3 data tiers in ${assembly}: orders \\(Shop/Orders, stack Shop\\), payments \\(Shop/Payments, stack Shop\\), analytics-db-\\w+ \\(Analytics/Db, stack Analytics\\); pick one with --tier <name or construct path>$`),
    );
    expect(cloudFormation.calls()).toHaveLength(0);
  });

  it('says which tiers there are when --tier names none', async () => {
    const { code, err } = await run(['cost', '--app', assembly, '--tier', 'inventory']);
    expect(code).toBe(1);
    expect(err).toEqual([expect.stringMatching(/^data-tier cost: no data tier "inventory" in .*; there are orders \(Shop\/Orders, stack Shop\), payments/)]);
  });

  it('says what to do when the directory is not a cloud assembly', async () => {
    const { code, err } = await run(['cost', '--app', join(assembly, 'nowhere')]);
    expect(code).toBe(1);
    expect(err).toEqual([expect.stringMatching(/is not a cloud assembly \(no manifest\.json\): synthesize your app first \(cdk synth\)/)]);
  });
});

describe('data-tier cost', () => {
  it("prices one tier of a stack holding two: its own resources, not its neighbour's", async () => {
    const { code, out } = await run(['cost', '--app', assembly, '--tier', 'orders', '--json']);
    expect(code).toBe(0);
    const estimate = JSON.parse(out.join('\n'));
    const items = estimate.lines.map((l: { item: string }) => l.item).join('\n');
    expect(items).toContain('orders-primary');
    expect(items).not.toContain('payments');
    const resources = template('Shop').Resources;
    const priced: string[] = estimate.lines.flatMap((l: { resources: string[] }) => l.resources);
    expect(priced.filter((id) => resources[id] && !id.startsWith('Orders'))).toEqual([]);
    // The same tier with the same defaults alone in its stack costs the same.
    const alone = JSON.parse((await run(['cost', '--app', assembly, '--tier', 'Analytics/Db', '--json'])).out.join('\n'));
    expect(estimate.total).toBe(alone.total);
    expect(estimate.total).toBeGreaterThan(500);
  });

  it('prints the report titled with the tier, its path and its stack, in the stack region', async () => {
    const { code, out } = await run(['cost', '--app', assembly, '--tier', 'Shop/Payments']);
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^payments \(Shop\/Payments, stack Shop\): \$[\d.]+ a month on demand in us-east-1 \(\d+ priced lines; \d+ not sourced, left out of the total\)$/);
    expect(out).toContain('| line | quantity | unit price | per month |');
  });
});

describe('data-tier review', () => {
  it('against the same assembly: no change, exit 0', async () => {
    const { code, out } = await run(['review', '--app', assembly, '--tier', 'orders', '--base', assembly]);
    expect(code).toBe(0);
    expect(out).toContain('No stateful resource would be replaced or deleted.');
    expect(out).toContain('## Shop (tier orders): 0 added, 0 modified, 0 removed, 0 replaced');
  });

  it('against the deployed stack, where a new port replaces the primary: refused, exit 1', async () => {
    const deployed = template('Shop');
    const [primary] = Object.entries<{ Type: string; Properties: Record<string, unknown> }>(deployed.Resources).find(([id, r]) => r.Type === 'AWS::RDS::DBInstance' && id.startsWith('OrdersDatabasePrimary'))!;
    deployed.Resources[primary].Properties.Port = '5432';
    cloudFormation.on(GetTemplateCommand, { StackName: 'Shop' }).resolves({ TemplateBody: JSON.stringify(deployed) });
    const { code, out } = await run(['review', '--app', assembly, '--tier', 'orders', '--deployed']);
    expect(code).toBe(1);
    expect(out).toContain('Compared with the deployed stack Shop.');
    expect(out.join('\n')).toContain(`- Shop (tier orders): ${primary} (AWS::RDS::DBInstance) would be replaced`);
  });

  it('needs a base', async () => {
    const { code, err } = await run(['review', '--app', assembly, '--tier', 'orders']);
    expect(code).toBe(1);
    expect(err).toEqual(['data-tier review: review compares with one of --base <assembly directory | directory of recorded templates | template file> or --deployed']);
  });
});

describe('data-tier review of whole stacks (--all, --stack), each against the template last deployed from it', () => {
  let recorded: string;
  let primary: string;
  beforeAll(() => {
    // A directory of recorded templates, <stack name>.template.json, as a consumer keeps them after each deploy:
    // Shop deployed with the orders primary on another port, Queues as it is, Analytics never.
    recorded = mkdtempSync(join(tmpdir(), 'data-tier-recorded-'));
    const shop = template('Shop');
    [primary] = Object.entries<{ Type: string }>(shop.Resources).find(([id, r]) => r.Type === 'AWS::RDS::DBInstance' && id.startsWith('OrdersDatabasePrimary'))!;
    shop.Resources[primary].Properties.Port = '5432';
    writeFileSync(join(recorded, 'Shop.template.json'), JSON.stringify(shop));
    writeFileSync(join(recorded, 'Queues.template.json'), JSON.stringify(template('Queues')));
  });
  afterAll(() => rmSync(recorded, { recursive: true, force: true }));

  it('--all --base <directory>: every stack of the assembly, a tier in it or not; one not recorded is new', async () => {
    const { code, out } = await run(['review', '--app', assembly, '--all', '--base', recorded]);
    expect(code).toBe(1);
    const report = out.join('\n');
    expect(report).toContain(`- Shop (tiers orders, payments): ${primary} (AWS::RDS::DBInstance) would be replaced`);
    expect(report).toContain(`Compared with the recorded template \`${join(recorded, 'Shop.template.json')}\`.`);
    expect(report).toMatch(/## Analytics \(tier analytics-db-\w+\): \d+ added, 0 modified, 0 removed, 0 replaced/);
    expect(report).toContain(`Compared with nothing: no \`${join(recorded, 'Analytics.template.json')}\`, so Analytics is a new stack and all of it would be created.`);
    expect(report).toContain('## Queues: 0 added, 0 modified, 0 removed, 0 replaced');
  });

  it('--stack <name> --base <template file>: that stack against that file; a file for several stacks is refused', async () => {
    const file = join(recorded, 'Queues.template.json');
    const { code, out } = await run(['review', '--app', assembly, '--stack', 'Queues', '--base', file]);
    expect(code).toBe(0);
    expect(out).toContain(`Compared with \`${file}\`.`);
    const several = await run(['review', '--app', assembly, '--all', '--base', file]);
    expect(several.code).toBe(1);
    expect(several.err).toEqual([`data-tier review: --base ${file} is one template: review one stack with it (--stack <name> or --tier <name>), or give a directory`]);
  });

  it('--stack <name> --deployed: that stack as deployed (GetTemplate)', async () => {
    cloudFormation.on(GetTemplateCommand, { StackName: 'Queues' }).resolves({ TemplateBody: JSON.stringify(template('Queues')) });
    const { code, out } = await run(['review', '--app', assembly, '--stack', 'Queues', '--deployed']);
    expect(code).toBe(0);
    expect(out).toContain('Compared with the deployed stack Queues.');
  });

  it('names the stacks there are when --stack names none', async () => {
    const { code, err } = await run(['review', '--app', assembly, '--stack', 'Inventory', '--base', recorded]);
    expect(code).toBe(1);
    expect(err).toEqual([`data-tier review: no stack Inventory in ${assembly}; there are Shop, Analytics, Queues`]);
  });
});

describe('data-tier tunnel (AWS faked, nothing spawned)', () => {
  const payments = () => tiersOf('Shop')[1];
  const expected = `aws ssm start-session --target i-0123456789abcdef0 --document-name ${PORT_FORWARDING_DOCUMENT} --parameters host=${PAYMENTS.WriterEndpoint},portNumber=5433,localPortNumber=5433 --region us-east-1`;

  it('--print: the exact session command, from the outputs under their hashed keys', async () => {
    givenDeployed('Shop', payments(), PAYMENTS);
    const { code, out, spawned } = await run(['tunnel', '--app', assembly, '--tier', 'payments', '--to', 'primary', '--print']);
    expect(code).toBe(0);
    expect(out).toEqual([expected]);
    expect(spawned).toEqual([]);
    expect(cloudFormation.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input)).toEqual([{ StackName: 'Shop' }]);
  });

  it('without --print: the client command, then aws spawned with the same arguments', async () => {
    givenDeployed('Shop', payments(), PAYMENTS);
    const { code, out, spawned } = await run(['tunnel', '--app', assembly, '--tier', 'payments', '--to', 'primary']);
    expect(code).toBe(0);
    expect(spawned).toEqual([{ command: 'aws', args: expected.split(' ').slice(1) }]);
    expect(out.join('\n')).toContain(`psql "host=${PAYMENTS.WriterEndpoint} hostaddr=127.0.0.1 port=5433 dbname=app user=data_tier_operator sslmode=verify-full sslrootcert=global-bundle.pem"`);
  });

  it('--deployed: finds the tier in the stacks of the account (ListStacks, GetTemplate), none named by the app', async () => {
    cloudFormation.on(ListStacksCommand).resolves({
      StackSummaries: ['Shop', 'Analytics', 'Unrelated'].map((StackName) => ({ StackName, StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(0) })),
    });
    for (const stack of ['Shop', 'Analytics']) cloudFormation.on(GetTemplateCommand, { StackName: stack }).resolves({ TemplateBody: JSON.stringify(template(stack)) });
    cloudFormation.on(GetTemplateCommand, { StackName: 'Unrelated' }).resolves({ TemplateBody: 'Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n' });
    givenDeployed('Shop', payments(), PAYMENTS);
    const { code, out } = await run(['tunnel', '--deployed', '--region', 'us-east-1', '--tier', 'payments', '--to', 'proxy', '--print']);
    expect(code).toBe(0);
    expect(out).toEqual([expected.replace(PAYMENTS.WriterEndpoint, PAYMENTS.ProxyEndpoint)]);
  });
});

describe('data-tier outputs (CloudFormation faked)', () => {
  const payments = () => tiersOf('Shop')[1];
  /** The stack Shop deployed, found with --deployed: ListStacks, then GetTemplate of each stack. */
  function givenAccount(values: Record<string, string>) {
    cloudFormation.on(ListStacksCommand).resolves({
      StackSummaries: ['Shop', 'Analytics'].map((StackName) => ({ StackName, StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(0) })),
    });
    for (const stack of ['Shop', 'Analytics']) cloudFormation.on(GetTemplateCommand, { StackName: stack }).resolves({ TemplateBody: JSON.stringify(template(stack)) });
    givenDeployed('Shop', payments(), values);
  }
  /** What bash makes of the printed assignments: the value of each variable after eval. */
  const evaluated = (assignments: string, names: string[]) =>
    execFileSync('bash', ['-c', `eval "$1"; for v in ${names.join(' ')}; do printf '%s\\0' "\${!v}"; done`, 'bash', assignments], { encoding: 'utf8' }).split('\0').slice(0, -1);

  it('prints STACK, REGION and each output under its upper-snake name, read under the hashed OutputKeys of a consumer tier', async () => {
    givenAccount(PAYMENTS);
    expect(payments().outputs.WriterEndpoint).toMatch(/^PaymentsWriterEndpoint[0-9A-F]{8}$/);
    const { code, out, err } = await run(['outputs', '--deployed', '--region', 'us-east-1', '--tier', 'payments']);
    expect(code).toBe(0);
    expect(out).toEqual(
      expect.arrayContaining([
        'STACK=Shop',
        'REGION=us-east-1',
        `PROXY_ENDPOINT=${PAYMENTS.ProxyEndpoint}`,
        `WRITER_ENDPOINT=${PAYMENTS.WriterEndpoint}`,
        'DATABASE_PORT=5433',
        `OPERATOR_SECRET_ARN=${PAYMENTS.OperatorSecretArn}`,
        'OPERATOR_HOST_GROUP_NAME=payments-operator',
      ]),
    );
    expect(out).toHaveLength(2 + Object.keys(PAYMENTS).length);
    expect(out.slice(0, 2)).toEqual(['STACK=Shop', 'REGION=us-east-1']);
    // Outputs the tier records that the deployed stack does not have yet: said on stderr, not printed.
    expect(err).toEqual([expect.stringMatching(/^data-tier outputs: stack Shop has no value yet for .*\bReplica1Endpoint\b.*: left out$/)]);
    expect(cloudFormation.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input)).toEqual([{ StackName: 'Shop' }]);
  });

  it('quotes for the shell: a value with a space, a quote or a $ reads back unchanged after eval', async () => {
    const odd = { ...PAYMENTS, DatabaseName: "it's my db", WriterEndpoint: 'a "b" $HOME `c` \\d' };
    givenDeployed('Shop', payments(), odd);
    cloudFormation.on(GetTemplateCommand, { StackName: 'Shop' }).resolves({ TemplateBody: JSON.stringify(template('Shop')) });
    const { code, out } = await run(['outputs', '--deployed', '--stack', 'Shop', '--region', 'us-east-1', '--tier', 'Shop/Payments']);
    expect(code).toBe(0);
    expect(out).toContain(`DATABASE_NAME='it'\\''s my db'`);
    expect(evaluated(out.join('\n'), ['STACK', 'DATABASE_NAME', 'WRITER_ENDPOINT', 'PROXY_ENDPOINT'])).toEqual(['Shop', odd.DatabaseName, odd.WriterEndpoint, odd.ProxyEndpoint]);
  });

  it('--json: the same variables as one object', async () => {
    givenAccount(PAYMENTS);
    const { code, out } = await run(['outputs', '--deployed', '--region', 'us-east-1', '--tier', 'payments', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out.join('\n'))).toEqual({
      STACK: 'Shop',
      REGION: 'us-east-1',
      WRITER_ENDPOINT: PAYMENTS.WriterEndpoint,
      PROXY_ENDPOINT: PAYMENTS.ProxyEndpoint,
      DATABASE_PORT: '5433',
      DATABASE_NAME: 'app',
      OPERATOR_SECRET_ARN: PAYMENTS.OperatorSecretArn,
      OPERATOR_HOST_GROUP_NAME: 'payments-operator',
    });
  });

  it('--get: one value, unquoted, by its name in OUTPUTS or its variable name', async () => {
    givenAccount({ ...PAYMENTS, DatabaseName: 'my db' });
    for (const name of ['WriterEndpoint', 'WRITER_ENDPOINT']) {
      const { code, out } = await run(['outputs', '--deployed', '--region', 'us-east-1', '--tier', 'payments', '--get', name]);
      expect({ code, out }).toEqual({ code: 0, out: [PAYMENTS.WriterEndpoint] });
    }
    expect((await run(['outputs', '--deployed', '--region', 'us-east-1', '--tier', 'payments', '--get', 'DatabaseName'])).out).toEqual(['my db']);
  });

  it('--get of an output the tier does not have: one line, exit 1', async () => {
    givenAccount(PAYMENTS);
    const { code, out, err } = await run(['outputs', '--deployed', '--region', 'us-east-1', '--tier', 'payments', '--get', 'WriterEndpointt']);
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toEqual([expect.stringMatching(/^data-tier outputs: tier payments \(stack Shop\) has no output "WriterEndpointt"; its outputs are ProxyEndpoint, WriterEndpoint, .*Replica1Endpoint/)]);
  });

  it('in the app: the stack output keys are unhashed, the variables the same', async () => {
    const [tier] = JSON.parse(readFileSync(snapshotPath('prod'), 'utf8')).Metadata[TIER_METADATA_KEY] as TierMetadata[];
    expect(outputVariables(Object.keys(tier.outputs))).toEqual(expect.arrayContaining(['STACK', 'REGION', 'PROXY_ENDPOINT', 'WRITER_ENDPOINT', 'REPLICA1_ENDPOINT', 'PRIMARY_INSTANCE_ID', 'MONITOR_SECRET_ARN']));
    expect(variableName('CacheAzPowerInterruptExperimentTemplateId')).toBe('CACHE_AZ_POWER_INTERRUPT_EXPERIMENT_TEMPLATE_ID');
  });
});
