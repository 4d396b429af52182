// `data-tier tunnel`: a tunnel from the laptop to one endpoint of a tier, through its operator
// host and AWS Systems Manager (no inbound port, no SSH key), and the exact client command to use it.
//
//   data-tier tunnel --to primary                          the one tier of ./cdk.out
//   data-tier tunnel --tier orders --to replica-2 --local-port 15433 --region eu-west-1
//   data-tier tunnel --deployed --stack Orders --to cache  the tier as deployed, no assembly needed
//
// The tier, its stack and the OutputKeys of its outputs come from the metadata the tier records
// in its template; the endpoints from the deployed stack's outputs. Needs the AWS CLI v2, the
// Session Manager plugin (`session-manager-plugin`) and credentials allowed to call
// ssm:StartSession on the operator host.
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DATABASE_NAME, MASTER_USERNAME, OPERATOR_USERNAME } from '../database';
import { OUTPUTS } from '../outputs';
import { awsError, CliError } from './errors';
import { deployedTiers, selectTier, stackOutputs, tierOutputs, tiersInAssembly, type FoundTier } from './tiers';

/** The SSM document that forwards a local port to a host the target instance can reach. */
export const PORT_FORWARDING_DOCUMENT = 'AWS-StartPortForwardingSessionToRemoteHost';

/** A failure the operator can act on: printed as one line, exit code 1. */
export class TunnelError extends CliError {
  override readonly name = 'TunnelError';
}

/** The targets `--to` accepts. */
const TARGET = /^(primary|proxy|proxy-ro|reader|cache|replica-[1-9]\d*|reader-[1-9]\d*|instance:[a-z0-9][a-z0-9.-]*\.rds\.amazonaws\.com(\.cn)?)$/;

/** Checks `--to`, `--local-port` and `--region` as given on a command line. */
export function checkTunnelOptions(values: { to?: string; localPort?: string; region?: string }, usage: string): { to: string; localPort?: number; region?: string } {
  if (!values.to) throw new TunnelError(`--to is required; ${usage}`);
  if (!TARGET.test(values.to)) {
    throw new TunnelError(`unknown target "${values.to}"; use primary, proxy, replica-N (N from 1), cache or instance:<RDS instance endpoint>; on a DB cluster also reader, proxy-ro and reader-N (Aurora)`);
  }
  let localPort: number | undefined;
  if (values.localPort !== undefined) {
    localPort = Number(values.localPort);
    if (!/^\d+$/.test(values.localPort) || localPort < 1024 || localPort > 65535) {
      throw new TunnelError(`--local-port must be a whole number from 1024 to 65535, not "${values.localPort}"`);
    }
  }
  if (values.region !== undefined && !/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/.test(values.region)) throw new TunnelError(`--region must be an AWS region such as us-east-1, not "${values.region}"`);
  return { to: values.to, localPort, region: values.region };
}

/** Where the tunnel leads, as the stack's outputs name it. */
export interface TunnelTarget {
  readonly kind: 'postgres' | 'redis';
  readonly host: string;
  readonly port: number;
}

/** The endpoint and port of `to`, from the stack outputs. */
export function resolveTarget(outputs: Record<string, string>, to: string, stackName: string): TunnelTarget {
  const need = (key: string, why: string) => {
    const value = outputs[key];
    if (!value) throw new TunnelError(`stack ${stackName} has no output ${key}: ${why}`);
    return value;
  };
  if (to === 'cache') return { kind: 'redis', host: need(OUTPUTS.cachePrimaryEndpoint, 'is it deployed?'), port: Number(need(OUTPUTS.cachePort, 'is it deployed?')) };
  const port = Number(need(OUTPUTS.databasePort, 'is it deployed?'));
  if (to === 'primary') return { kind: 'postgres', host: need(OUTPUTS.writerEndpoint, 'is it deployed?'), port };
  if (to === 'proxy') return { kind: 'postgres', host: need(OUTPUTS.proxyEndpoint, 'is it deployed?'), port };
  // A DB cluster's reader endpoint and the proxy's read-only endpoint (topology multi-az-cluster or aurora).
  if (to === 'reader') return { kind: 'postgres', host: need(OUTPUTS.readerEndpoint, 'only a DB cluster (topology multi-az-cluster or aurora) has a reader endpoint; use replica-N'), port };
  if (to === 'proxy-ro') return { kind: 'postgres', host: need(OUTPUTS.proxyReadOnlyEndpoint, 'only a DB cluster (topology multi-az-cluster or aurora) has a proxy read-only endpoint'), port };
  if (to.startsWith('reader-')) {
    const n = Number(to.slice('reader-'.length));
    const readers = Object.keys(outputs).filter((key) => /^Reader\d+InstanceEndpoint$/.test(key)).length;
    const host = outputs[OUTPUTS.readerInstanceEndpoint(n)];
    if (!host) throw new TunnelError(`${stackName} has ${readers === 0 ? 'no Aurora readers of its own (reader-N is an Aurora reader the stack created; a Multi-AZ DB cluster\'s instances are reached with instance:<endpoint>)' : `${readers} Aurora reader${readers === 1 ? '' : 's'} (reader-1${readers > 1 ? ` to reader-${readers}` : ''})`}; there is no ${to}`);
    return { kind: 'postgres', host, port };
  }
  // An instance the stack does not know, such as one a restore runbook created beside the primary.
  if (to.startsWith('instance:')) return { kind: 'postgres', host: to.slice('instance:'.length), port };
  const n = Number(to.slice('replica-'.length));
  const replicas = Object.keys(outputs).filter((key) => /^Replica\d+Endpoint$/.test(key)).length;
  const host = outputs[OUTPUTS.replicaEndpoint(n)];
  if (!host) throw new TunnelError(`${stackName} has ${replicas === 0 ? 'no read replicas' : `${replicas} read replica${replicas === 1 ? '' : 's'} (replica-1${replicas > 1 ? ` to replica-${replicas}` : ''})`}; there is no ${to}`);
  return { kind: 'postgres', host, port };
}

/** Arguments of `aws` that open the port-forwarding session. */
export function sessionArguments(instanceId: string, target: TunnelTarget, localPort: number, region?: string): string[] {
  return [
    'ssm',
    'start-session',
    '--target',
    instanceId,
    '--document-name',
    PORT_FORWARDING_DOCUMENT,
    '--parameters',
    `host=${target.host},portNumber=${target.port},localPortNumber=${localPort}`,
    ...(region ? ['--region', region] : []),
  ];
}

/**
 * The command to run in a second terminal while the tunnel is open. psql connects to the tunnel
 * (`hostaddr=127.0.0.1`) while verifying the certificate against the endpoint's real name
 * (`host=`): `verify-full` against `localhost` would fail. The instances present RDS CA
 * certificates (global-bundle.pem); RDS Proxy presents an ACM certificate, verified with Amazon
 * Root CA 1.
 */
export function clientCommand(to: string, target: TunnelTarget, localPort: number, outputs: Record<string, string>, region?: string): string {
  const regionFlag = region ? ` --region ${region}` : '';
  if (target.kind === 'redis') {
    const secret = outputs[OUTPUTS.cacheAuthSecretArn];
    return (
      `REDISCLI_AUTH="$(aws secretsmanager get-secret-value${regionFlag} --secret-id ${secret} --query SecretString --output text)" ` +
      `redis-cli -h 127.0.0.1 -p ${localPort} --tls --sni ${target.host}`
    );
  }
  // The operator's role where the stack has its secret; a stack from before it, the master user.
  const operator = outputs[OUTPUTS.operatorSecretArn];
  const [user, secret] = operator ? [OPERATOR_USERNAME, operator] : [MASTER_USERNAME, outputs[OUTPUTS.databaseSecretArn]];
  const rootCert = to === 'proxy' ? 'AmazonRootCA1.pem' : 'global-bundle.pem';
  return (
    `PGPASSWORD="$(aws secretsmanager get-secret-value${regionFlag} --secret-id ${secret} --query SecretString --output text | jq -r .password)" ` +
    `psql "host=${target.host} hostaddr=127.0.0.1 port=${localPort} dbname=${outputs[OUTPUTS.databaseName] ?? DATABASE_NAME} user=${user} sslmode=verify-full sslrootcert=${rootCert}"`
  );
}

/** What the command needs from the outside world; tests pass fakes. */
export interface TunnelDependencies {
  readonly cloudFormation: Pick<CloudFormationClient, 'send'>;
  readonly autoScaling: Pick<AutoScalingClient, 'send'>;
  /** Starts `aws` with these arguments, inheriting stdio; resolves with its exit code. */
  readonly spawn: (command: string, args: string[]) => Promise<number>;
  /** Whether a program is on PATH. */
  readonly onPath: (program: string) => boolean;
  readonly print: (line: string) => void;
}

/** Which tier to reach and how. */
export interface TunnelRequest {
  /** A cloud assembly directory holding the tier's stack; ignored when `deployed`. @default cdk.out */
  readonly app?: string;
  /** Find the tier in the deployed stacks (of `stacks`, else of the whole account and region). */
  readonly deployed?: boolean;
  readonly stacks?: readonly string[];
  /** The tier's name or construct path; needed when there are several. */
  readonly tier?: string;
  /** Tiers the caller found its own way (a committed template, say): no looking for them. */
  readonly tiers?: readonly FoundTier[];
  /**
   * `primary` (the writer), `proxy`, `replica-N`, `cache`, or `instance:<endpoint>` (an instance a
   * restore created in the primary's security group, or an instance of a DB cluster); on a DB
   * cluster also `reader` (its reader endpoint), `proxy-ro` (the proxy's read-only endpoint) and
   * `reader-N` (an Aurora reader the stack created).
   */
  readonly to: string;
  readonly localPort?: number;
  readonly region?: string;
  /** Print the `aws ssm start-session` command instead of running it. */
  readonly print?: boolean;
}

/** Finds the tier and its operator host and opens the tunnel; resolves with the exit code of `aws`. */
export async function openTunnel(request: TunnelRequest, deps: TunnelDependencies): Promise<number> {
  if (!request.print) {
    if (!deps.onPath('session-manager-plugin')) {
      throw new TunnelError('session-manager-plugin is not on PATH: install the Session Manager plugin for the AWS CLI (docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html)');
    }
    if (!deps.onPath('aws')) throw new TunnelError('aws is not on PATH: install the AWS CLI v2');
  }
  const found = await findTier(request, deps.cloudFormation);
  const { stackName } = found;
  const outputs = tierOutputs(found.tier, found.outputs ?? (await stackOutputs(deps.cloudFormation, stackName)));
  const groupName = outputs[OUTPUTS.operatorHostGroupName];
  if (!groupName) throw new TunnelError(`stack ${stackName} has no operator host (output ${OUTPUTS.operatorHostGroupName}): deploy it with operatorAccess.enabled=true`);
  const target = resolveTarget(outputs, request.to, stackName);
  const instanceId = await runningInstance(deps.autoScaling, groupName);
  const localPort = request.localPort ?? target.port;
  const args = sessionArguments(instanceId, target, localPort, request.region);
  if (request.print) {
    deps.print(['aws', ...args].join(' '));
    return 0;
  }

  deps.print(`Tunnel to ${request.to} (${target.host}:${target.port}) on localhost:${localPort} through ${instanceId}; Ctrl-C closes it.`);
  if (target.kind === 'postgres') {
    deps.print(request.to === 'proxy' ? 'CA: AmazonRootCA1.pem from https://www.amazontrust.com/repository/AmazonRootCA1.pem' : 'CA: global-bundle.pem from https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem');
  }
  deps.print('In another terminal:');
  deps.print(`  ${clientCommand(request.to, target, localPort, outputs, request.region)}`);
  return deps.spawn('aws', args);
}

async function findTier(request: TunnelRequest, cloudFormation: Pick<CloudFormationClient, 'send'>): Promise<FoundTier> {
  if (request.tiers) return selectTier(request.tiers, request.tier, request.tiers[0]?.where ?? 'the tiers given');
  if (request.deployed) {
    const tiers = await deployedTiers(cloudFormation, { stacks: request.stacks, region: request.region });
    return selectTier(tiers, request.tier, tiers[0]?.where ?? 'the deployed stacks');
  }
  const app = request.app ?? 'cdk.out';
  return selectTier(tiersInAssembly(app).filter((t) => !request.stacks?.length || request.stacks.includes(t.stackName)), request.tier, app);
}

async function runningInstance(client: Pick<AutoScalingClient, 'send'>, groupName: string): Promise<string> {
  let groups;
  try {
    groups = (await client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] }))).AutoScalingGroups ?? [];
  } catch (error) {
    throw awsError(error, `Auto Scaling group ${groupName}`, (message) => new TunnelError(message));
  }
  const instance = groups[0]?.Instances?.find((i) => i.LifecycleState === 'InService' && i.HealthStatus === 'Healthy');
  if (!instance?.InstanceId) {
    throw new TunnelError(`the operator host group ${groupName} has no healthy instance in service yet: it replaces a failed host within minutes (aws autoscaling describe-scaling-activities --auto-scaling-group-name ${groupName})`);
  }
  return instance.InstanceId;
}
