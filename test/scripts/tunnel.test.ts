import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { clientCommand, openTunnel, parseArgs, PORT_FORWARDING_DOCUMENT, resolveTarget, sessionArguments, TunnelDependencies, TunnelError } from '../../scripts/tunnel';

const cloudFormation = mockClient(CloudFormationClient);
const autoScaling = mockClient(AutoScalingClient);

/** Outputs of a prod stack with two replicas, as describe-stacks returns them. */
const PROD_OUTPUTS: Record<string, string> = {
  ProxyEndpoint: 'data-tier-prod-proxy.proxy-abc.us-east-1.rds.amazonaws.com',
  WriterEndpoint: 'data-tier-prod-primary.abc.us-east-1.rds.amazonaws.com',
  Replica1Endpoint: 'data-tier-prod-replica-1.abc.us-east-1.rds.amazonaws.com',
  Replica2Endpoint: 'data-tier-prod-replica-2.abc.us-east-1.rds.amazonaws.com',
  DatabasePort: '5433',
  DatabaseName: 'app',
  DatabaseSecretArn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:data-tier-prod/postgres/master-AbCdEf',
  CacheAuthSecretArn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:data-tier-prod/cache/auth-token-AbCdEf',
  CachePrimaryEndpoint: 'master.data-tier-prod-cache.abc.use1.cache.amazonaws.com',
  CachePort: '6380',
  OperatorHostGroupName: 'data-tier-prod-operator',
};

function givenStack(outputs: Record<string, string> = PROD_OUTPUTS, instances = [{ InstanceId: 'i-0123456789abcdef0', LifecycleState: 'InService', HealthStatus: 'Healthy' }]) {
  cloudFormation.on(DescribeStacksCommand, { StackName: 'data-tier-prod' }).resolves({
    Stacks: [{ StackName: 'data-tier-prod', CreationTime: new Date(0), StackStatus: 'UPDATE_COMPLETE', Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }],
  });
  autoScaling.on(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: ['data-tier-prod-operator'] }).resolves({
    AutoScalingGroups: [{ AutoScalingGroupName: 'data-tier-prod-operator', Instances: instances as any, MinSize: 1, MaxSize: 1, DesiredCapacity: 1, DefaultCooldown: 300, AvailabilityZones: [], HealthCheckType: 'EC2', CreatedTime: new Date(0) }],
  });
}

/** Fakes for everything outside: the spawner records instead of starting `aws`. */
function fakes(onPath: (program: string) => boolean = () => true) {
  const spawned: Array<{ command: string; args: string[] }> = [];
  const printed: string[] = [];
  const deps: TunnelDependencies = {
    cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
    autoScaling: new AutoScalingClient({ region: 'us-east-1' }),
    spawn: async (command, args) => {
      spawned.push({ command, args });
      return 0;
    },
    onPath,
    print: (line) => printed.push(line),
  };
  return { deps, spawned, printed };
}

beforeEach(() => {
  cloudFormation.reset();
  autoScaling.reset();
});

describe('tunnel arguments', () => {
  it('reads --env, --to, --local-port and --region, in either form', () => {
    expect(parseArgs(['--env', 'prod', '--to', 'replica-2', '--local-port=15433', '--region', 'eu-west-1'])).toEqual({ envName: 'prod', to: 'replica-2', localPort: 15433, region: 'eu-west-1' });
    expect(parseArgs(['--env=dev', '--to=cache'])).toEqual({ envName: 'dev', to: 'cache', localPort: undefined, region: undefined });
    expect(parseArgs(['--env', 'prod', '--name', 'data-tier-prod-r1', '--to', 'primary']).name).toBe('data-tier-prod-r1');
    expect(() => parseArgs(['--env', 'prod', '--name', 'data-tier-staging-r1', '--to', 'primary'])).toThrow('--name must be the stack of a tier of prod');
  });

  it.each([
    [[], /--env is required/],
    [['--env', 'prod'], /--to is required/],
    [['--env', 'qa', '--to', 'primary'], /unknown environment "qa"; use one of dev, staging, prod/],
    [['--env', 'prod', '--to', 'writer'], /unknown target "writer"; use primary, proxy, replica-N \(N from 1\), cache or instance:<RDS instance endpoint>; on a DB cluster also reader, proxy-ro and reader-N \(Aurora\)/],
    [['--env', 'prod', '--to', 'replica-0'], /unknown target "replica-0"/],
    [['--env', 'prod', '--to', 'primary', '--local-port', '80'], /--local-port must be a whole number from 1024 to 65535/],
    [['--env', 'prod', '--to', 'primary', '--local-port', 'x'], /--local-port must be/],
    [['--env', 'prod', '--to', 'primary', '--region', 'moon'], /--region must be an AWS region/],
    [['--env', 'prod', '--to'], /--to needs a value/],
    [['--env', 'prod', '--to', 'primary', '--verbose'], /unknown argument "--verbose"/],
  ])('rejects %j with a one-line message', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(TunnelError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe('tunnel targets', () => {
  it('map primary, proxy, replica-N and cache to their outputs and ports', () => {
    expect(resolveTarget(PROD_OUTPUTS, 'primary', 'data-tier-prod')).toEqual({ kind: 'postgres', host: PROD_OUTPUTS.WriterEndpoint, port: 5433 });
    expect(resolveTarget(PROD_OUTPUTS, 'proxy', 'data-tier-prod')).toEqual({ kind: 'postgres', host: PROD_OUTPUTS.ProxyEndpoint, port: 5433 });
    expect(resolveTarget(PROD_OUTPUTS, 'replica-2', 'data-tier-prod')).toEqual({ kind: 'postgres', host: PROD_OUTPUTS.Replica2Endpoint, port: 5433 });
    expect(resolveTarget(PROD_OUTPUTS, 'cache', 'data-tier-prod')).toEqual({ kind: 'redis', host: PROD_OUTPUTS.CachePrimaryEndpoint, port: 6380 });
  });

  it('map a DB cluster\'s reader endpoint, the proxy\'s read-only endpoint and each Aurora reader to their outputs', () => {
    const aurora = {
      WriterEndpoint: 'data-tier-prod-cluster.cluster-abc.us-east-1.rds.amazonaws.com',
      ReaderEndpoint: 'data-tier-prod-cluster.cluster-ro-abc.us-east-1.rds.amazonaws.com',
      ProxyReadOnlyEndpoint: 'data-tier-prod-proxy-ro.endpoint.proxy-abc.us-east-1.rds.amazonaws.com',
      Reader1InstanceEndpoint: 'data-tier-prod-reader-1.abc.us-east-1.rds.amazonaws.com',
      DatabasePort: '5433',
    };
    expect(resolveTarget(aurora, 'primary', 'data-tier-prod')).toEqual({ kind: 'postgres', host: aurora.WriterEndpoint, port: 5433 });
    expect(resolveTarget(aurora, 'reader', 'data-tier-prod')).toEqual({ kind: 'postgres', host: aurora.ReaderEndpoint, port: 5433 });
    expect(resolveTarget(aurora, 'proxy-ro', 'data-tier-prod')).toEqual({ kind: 'postgres', host: aurora.ProxyReadOnlyEndpoint, port: 5433 });
    expect(resolveTarget(aurora, 'reader-1', 'data-tier-prod')).toEqual({ kind: 'postgres', host: aurora.Reader1InstanceEndpoint, port: 5433 });
    expect(() => resolveTarget(aurora, 'reader-2', 'data-tier-prod')).toThrow('data-tier-prod has 1 Aurora reader (reader-1); there is no reader-2');
    expect(() => resolveTarget(PROD_OUTPUTS, 'reader', 'data-tier-prod')).toThrow('has no output ReaderEndpoint: only a DB cluster');
  });

  it('reach an instance a restore created, by its RDS endpoint, on the database port; nothing else', () => {
    const restored = 'data-tier-prod-restored.abc123.us-east-1.rds.amazonaws.com';
    expect(parseArgs(['--env', 'prod', '--to', `instance:${restored}`]).to).toBe(`instance:${restored}`);
    expect(resolveTarget(PROD_OUTPUTS, `instance:${restored}`, 'data-tier-prod')).toEqual({ kind: 'postgres', host: restored, port: 5433 });
    expect(() => parseArgs(['--env', 'prod', '--to', 'instance:example.com'])).toThrow('unknown target "instance:example.com"');
  });

  it('say how many replicas the stack has when the one asked for does not exist', () => {
    expect(() => resolveTarget(PROD_OUTPUTS, 'replica-3', 'data-tier-prod')).toThrow('data-tier-prod has 2 read replicas (replica-1 to replica-2); there is no replica-3');
    const { Replica1Endpoint, Replica2Endpoint, ...dev } = PROD_OUTPUTS;
    expect(() => resolveTarget(dev, 'replica-1', 'data-tier-dev')).toThrow('data-tier-dev has no read replicas; there is no replica-1');
  });
});

describe('the commands a tunnel builds', () => {
  it('start port forwarding to the remote host through the operator host', () => {
    expect(sessionArguments('i-0abc', { kind: 'postgres', host: 'db.example', port: 5433 }, 15433, 'us-east-1')).toEqual([
      'ssm', 'start-session', '--target', 'i-0abc', '--document-name', PORT_FORWARDING_DOCUMENT,
      '--parameters', 'host=db.example,portNumber=5433,localPortNumber=15433', '--region', 'us-east-1',
    ]);
    expect(PORT_FORWARDING_DOCUMENT).toBe('AWS-StartPortForwardingSessionToRemoteHost');
  });

  it('give psql the endpoint name to verify and the tunnel address to connect to, with the RDS CA bundle', () => {
    const target = resolveTarget(PROD_OUTPUTS, 'replica-1', 'data-tier-prod');
    const command = clientCommand('replica-1', target, 15433, PROD_OUTPUTS);
    expect(command).toContain(`psql "host=${PROD_OUTPUTS.Replica1Endpoint} hostaddr=127.0.0.1 port=15433 dbname=app user=dbadmin sslmode=verify-full sslrootcert=global-bundle.pem"`);
    expect(command).toContain(`--secret-id ${PROD_OUTPUTS.DatabaseSecretArn}`);
  });

  it('sign in as data_tier_operator with its own secret when the stack has one', () => {
    const outputs = { ...PROD_OUTPUTS, OperatorSecretArn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:data-tier-prod/postgres/operator-AbCdEf' };
    const command = clientCommand('primary', resolveTarget(outputs, 'primary', 'data-tier-prod'), 5433, outputs);
    expect(command).toContain('user=data_tier_operator');
    expect(command).toContain(`--secret-id ${outputs.OperatorSecretArn}`);
  });

  it('verify the proxy with Amazon Root CA 1: it presents an ACM certificate', () => {
    expect(clientCommand('proxy', resolveTarget(PROD_OUTPUTS, 'proxy', 'data-tier-prod'), 5433, PROD_OUTPUTS)).toContain('sslmode=verify-full sslrootcert=AmazonRootCA1.pem');
  });

  it('give redis-cli TLS with the endpoint as SNI and the AUTH token from its secret, never on the command line', () => {
    const command = clientCommand('cache', resolveTarget(PROD_OUTPUTS, 'cache', 'data-tier-prod'), 16380, PROD_OUTPUTS, 'us-east-1');
    expect(command).toBe(
      `REDISCLI_AUTH="$(aws secretsmanager get-secret-value --region us-east-1 --secret-id ${PROD_OUTPUTS.CacheAuthSecretArn} --query SecretString --output text)" ` +
        `redis-cli -h 127.0.0.1 -p 16380 --tls --sni ${PROD_OUTPUTS.CachePrimaryEndpoint}`,
    );
  });
});

describe('opening a tunnel (AWS faked, aws not spawned)', () => {
  it('finds the healthy instance of the operator group, prints the client command and spawns aws ssm start-session', async () => {
    givenStack(PROD_OUTPUTS, [
      { InstanceId: 'i-0terminating', LifecycleState: 'Terminating', HealthStatus: 'Unhealthy' },
      { InstanceId: 'i-0123456789abcdef0', LifecycleState: 'InService', HealthStatus: 'Healthy' },
    ]);
    const { deps, spawned, printed } = fakes();
    await expect(openTunnel(parseArgs(['--env', 'prod', '--to', 'primary', '--local-port', '15433']), deps)).resolves.toBe(0);
    expect(spawned).toEqual([{ command: 'aws', args: sessionArguments('i-0123456789abcdef0', { kind: 'postgres', host: PROD_OUTPUTS.WriterEndpoint, port: 5433 }, 15433) }]);
    expect(printed.join('\n')).toContain(`hostaddr=127.0.0.1 port=15433`);
    expect(printed[0]).toBe(`Tunnel to primary (${PROD_OUTPUTS.WriterEndpoint}:5433) on localhost:15433 through i-0123456789abcdef0; Ctrl-C closes it.`);
  });

  it('uses the remote port locally unless told otherwise', async () => {
    givenStack();
    const { deps, spawned } = fakes();
    await openTunnel(parseArgs(['--env', 'prod', '--to', 'cache']), deps);
    expect(spawned[0].args).toContain(`host=${PROD_OUTPUTS.CachePrimaryEndpoint},portNumber=6380,localPortNumber=6380`);
  });

  it('stops before calling AWS when the Session Manager plugin is not on PATH', async () => {
    const { deps, spawned } = fakes((program) => program !== 'session-manager-plugin');
    await expect(openTunnel(parseArgs(['--env', 'prod', '--to', 'primary']), deps)).rejects.toThrow(/session-manager-plugin is not on PATH: install the Session Manager plugin/);
    expect(cloudFormation.calls()).toHaveLength(0);
    expect(spawned).toEqual([]);
  });

  it('says so in one line when there are no credentials', async () => {
    const error = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    cloudFormation.on(DescribeStacksCommand).rejects(error);
    const { deps } = fakes();
    await expect(openTunnel(parseArgs(['--env', 'prod', '--to', 'primary']), deps)).rejects.toThrow('no AWS credentials: run `aws sso login` or `aws configure`, or set AWS_PROFILE, then try again');
  });

  it('says so when the stack is not in this account and region', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id data-tier-prod does not exist'), { name: 'ValidationError' }));
    const { deps } = fakes();
    await expect(openTunnel(parseArgs(['--env', 'prod', '--to', 'primary']), deps)).rejects.toThrow('stack data-tier-prod does not exist in this account and region (use --region?)');
  });

  it('names the switch when the stack has no operator host', async () => {
    const { OperatorHostGroupName, ...withoutHost } = PROD_OUTPUTS;
    givenStack(withoutHost);
    const { deps, spawned } = fakes();
    await expect(openTunnel(parseArgs(['--env', 'prod', '--to', 'primary']), deps)).rejects.toThrow(/no operator host \(output OperatorHostGroupName\): deploy it with operatorAccess.enabled=true/);
    expect(spawned).toEqual([]);
  });

  it('refuses a replica the stack does not have, before looking for the host', async () => {
    givenStack();
    const { deps, spawned } = fakes();
    await expect(openTunnel(parseArgs(['--env', 'prod', '--to', 'replica-3']), deps)).rejects.toThrow('there is no replica-3');
    expect(autoScaling.calls()).toHaveLength(0);
    expect(spawned).toEqual([]);
  });

  it('says the host is being replaced when the group has no healthy instance', async () => {
    givenStack(PROD_OUTPUTS, []);
    const { deps } = fakes();
    await expect(openTunnel(parseArgs(['--env', 'prod', '--to', 'proxy']), deps)).rejects.toThrow(/has no healthy instance in service yet/);
  });
});
