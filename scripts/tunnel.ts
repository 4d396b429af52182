// A tunnel from the laptop to one endpoint of the data tier, through the operator host and
// AWS Systems Manager (no inbound port, no SSH key), and the exact client command to use it.
//
//   npm run tunnel -- --env prod --to primary
//   npm run tunnel -- --env prod --to replica-2 --local-port 15433 --region eu-west-1
//   npm run tunnel -- --env staging --to cache
//
// Needs the AWS CLI v2, the Session Manager plugin (`session-manager-plugin`) and credentials
// allowed to call ssm:StartSession on the operator host.
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { spawn as spawnProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ENVIRONMENT_NAMES, stackNameFor, type EnvironmentName } from '../app/config';
import { OUTPUTS } from '../app/data-tier-stack';
import { DATABASE_NAME, MASTER_USERNAME, OPERATOR_USERNAME } from '../lib/database';

/** The SSM document that forwards a local port to a host the target instance can reach. */
export const PORT_FORWARDING_DOCUMENT = 'AWS-StartPortForwardingSessionToRemoteHost';

const USAGE = 'usage: npm run tunnel -- --env <dev|staging|prod> --to <primary|proxy|replica-N|cache|instance:<endpoint>> [--local-port N] [--region R] [--name data-tier-<env>-<suffix>]';

/** A failure the operator can act on: printed as one line, exit code 1. */
export class TunnelError extends Error {
  override readonly name = 'TunnelError';
}

export interface TunnelArgs {
  readonly envName: EnvironmentName;
  /** `primary`, `proxy`, `replica-N`, `cache`, or `instance:<endpoint>` (an instance a restore created in the primary's security group). */
  readonly to: string;
  readonly localPort?: number;
  readonly region?: string;
  /** The stack of a tier restored beside the environment's (`-c name=` at deploy). @default data-tier-<env> */
  readonly name?: string;
}

/** Parses `--env`, `--to`, `--local-port` and `--region` (also as `--name=value`). */
export function parseArgs(argv: readonly string[]): TunnelArgs {
  const values: Record<string, string> = {};
  const known = ['env', 'to', 'local-port', 'region', 'name'];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match || !known.includes(match[1])) throw new TunnelError(`unknown argument "${arg}"; ${USAGE}`);
    const value = match[2] ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new TunnelError(`--${match[1]} needs a value; ${USAGE}`);
    values[match[1]] = value;
  }
  if (!values.env) throw new TunnelError(`--env is required; ${USAGE}`);
  if (!(ENVIRONMENT_NAMES as readonly string[]).includes(values.env)) throw new TunnelError(`unknown environment "${values.env}"; use one of ${ENVIRONMENT_NAMES.join(', ')}`);
  if (!values.to) throw new TunnelError(`--to is required; ${USAGE}`);
  if (!/^(primary|proxy|cache|replica-[1-9]\d*|instance:[a-z0-9][a-z0-9.-]*\.rds\.amazonaws\.com(\.cn)?)$/.test(values.to)) {
    throw new TunnelError(`unknown target "${values.to}"; use primary, proxy, replica-N (N from 1), cache or instance:<RDS instance endpoint>`);
  }
  let localPort: number | undefined;
  if (values['local-port'] !== undefined) {
    localPort = Number(values['local-port']);
    if (!/^\d+$/.test(values['local-port']) || localPort < 1024 || localPort > 65535) {
      throw new TunnelError(`--local-port must be a whole number from 1024 to 65535, not "${values['local-port']}"`);
    }
  }
  if (values.region !== undefined && !/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/.test(values.region)) throw new TunnelError(`--region must be an AWS region such as us-east-1, not "${values.region}"`);
  if (values.name !== undefined && !new RegExp(`^data-tier-${values.env}(-[a-z0-9]+)+$`).test(values.name)) throw new TunnelError(`--name must be the stack of a tier of ${values.env}, data-tier-${values.env}-<suffix>, not "${values.name}"`);
  return { envName: values.env as EnvironmentName, to: values.to, localPort, region: values.region, name: values.name };
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

/** Looks the stack up, finds the operator host and opens the tunnel; resolves with the exit code of `aws`. */
export async function openTunnel(args: TunnelArgs, deps: TunnelDependencies): Promise<number> {
  if (!deps.onPath('session-manager-plugin')) {
    throw new TunnelError('session-manager-plugin is not on PATH: install the Session Manager plugin for the AWS CLI (docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html)');
  }
  if (!deps.onPath('aws')) throw new TunnelError('aws is not on PATH: install the AWS CLI v2');
  const stackName = stackNameFor({ envName: args.envName, name: args.name });
  const outputs = await stackOutputs(deps.cloudFormation, stackName);
  const groupName = outputs[OUTPUTS.operatorHostGroupName];
  if (!groupName) throw new TunnelError(`stack ${stackName} has no operator host (output ${OUTPUTS.operatorHostGroupName}): deploy it with operatorAccess.enabled=true`);
  const target = resolveTarget(outputs, args.to, stackName);
  const instanceId = await runningInstance(deps.autoScaling, groupName);
  const localPort = args.localPort ?? target.port;

  deps.print(`Tunnel to ${args.to} (${target.host}:${target.port}) on localhost:${localPort} through ${instanceId}; Ctrl-C closes it.`);
  if (target.kind === 'postgres') {
    deps.print(args.to === 'proxy' ? 'CA: AmazonRootCA1.pem from https://www.amazontrust.com/repository/AmazonRootCA1.pem' : 'CA: global-bundle.pem from https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem');
  }
  deps.print('In another terminal:');
  deps.print(`  ${clientCommand(args.to, target, localPort, outputs, args.region)}`);
  return deps.spawn('aws', sessionArguments(instanceId, target, localPort, args.region));
}

async function stackOutputs(client: Pick<CloudFormationClient, 'send'>, stackName: string): Promise<Record<string, string>> {
  try {
    const response = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = response.Stacks?.[0];
    if (!stack) throw new TunnelError(`stack ${stackName} not found in this account and region`);
    return Object.fromEntries((stack.Outputs ?? []).filter((o) => o.OutputKey && o.OutputValue).map((o) => [o.OutputKey!, o.OutputValue!]));
  } catch (error) {
    throw awsError(error, `stack ${stackName}`);
  }
}

async function runningInstance(client: Pick<AutoScalingClient, 'send'>, groupName: string): Promise<string> {
  let groups;
  try {
    groups = (await client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] }))).AutoScalingGroups ?? [];
  } catch (error) {
    throw awsError(error, `Auto Scaling group ${groupName}`);
  }
  const instance = groups[0]?.Instances?.find((i) => i.LifecycleState === 'InService' && i.HealthStatus === 'Healthy');
  if (!instance?.InstanceId) {
    throw new TunnelError(`the operator host group ${groupName} has no healthy instance in service yet: it replaces a failed host within minutes (aws autoscaling describe-scaling-activities --auto-scaling-group-name ${groupName})`);
  }
  return instance.InstanceId;
}

/** One line for what the SDK threw: missing credentials, a missing stack, denied access. */
function awsError(error: unknown, what: string): Error {
  if (error instanceof TunnelError) return error;
  const e = error as { name?: string; message?: string };
  if (e.name === 'CredentialsProviderError' || /credential/i.test(e.message ?? '')) {
    return new TunnelError('no AWS credentials: run `aws sso login` or `aws configure`, or set AWS_PROFILE, then try again');
  }
  if (e.name === 'ValidationError' && /does not exist/.test(e.message ?? '')) return new TunnelError(`${what} does not exist in this account and region (use --region?)`);
  if (/AccessDenied|not authorized/i.test(`${e.name} ${e.message}`)) return new TunnelError(`access denied reading ${what}: ${e.message}`);
  return new TunnelError(`could not read ${what}: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`);
}

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

if (require.main === module) {
  (async () => {
    const args = parseArgs(process.argv.slice(2));
    const region = args.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    const code = await openTunnel(args, {
      cloudFormation: new CloudFormationClient({ region }),
      autoScaling: new AutoScalingClient({ region }),
      spawn: (command, commandArgs) =>
        new Promise((resolve, reject) => {
          const child = spawnProcess(command, commandArgs, { stdio: 'inherit' });
          child.on('error', reject);
          child.on('exit', (exitCode) => resolve(exitCode ?? 1));
        }),
      onPath,
      print: (line) => console.log(line),
    });
    process.exit(code);
  })().catch((error: Error) => {
    console.error(error instanceof TunnelError ? `tunnel: ${error.message}` : `tunnel: ${error.name}: ${error.message}`);
    process.exit(1);
  });
}
