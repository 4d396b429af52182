// `npm run tunnel`: `data-tier tunnel` (lib/cli/tunnel.ts) for an environment of this repository's
// app, by its name: the tier is the one the environment's committed template records
// (app/templates/<env>.template.json), in the deployed stack data-tier-<env> (or --name). A
// deployed template takes the tier's Metadata only with an update that changes a resource, so
// the committed one is read instead.
//
//   npm run tunnel -- --env prod --to primary
//   npm run tunnel -- --env prod --to replica-2 --local-port 15433 --region eu-west-1
//   npm run tunnel -- --env staging --to cache
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENT_NAMES, stackNameFor, type EnvironmentName } from '../app/config';
import { COMMITTED_TEMPLATES_DIR } from '../app/deployed-version';
import { DEFAULT_DEPENDENCIES } from '../lib/cli/index';
import { tiersIn, type FoundTier } from '../lib/cli/tiers';
import { checkTunnelOptions, openTunnel as openTierTunnel, TunnelError, type TunnelDependencies } from '../lib/cli/tunnel';

export { clientCommand, PORT_FORWARDING_DOCUMENT, resolveTarget, sessionArguments, TunnelError, type TunnelDependencies } from '../lib/cli/tunnel';

const USAGE = 'usage: npm run tunnel -- --env <dev|staging|prod> --to <primary|proxy|replica-N|cache|instance:<endpoint>> [--local-port N] [--region R] [--name data-tier-<env>-<suffix>]';

export interface TunnelArgs {
  readonly envName: EnvironmentName;
  /** `primary`, `proxy`, `replica-N`, `cache`, or `instance:<endpoint>` (an instance a restore created in the primary's security group). */
  readonly to: string;
  readonly localPort?: number;
  readonly region?: string;
  /** The stack of a tier restored beside the environment's (`-c name=` at deploy). @default data-tier-<env> */
  readonly name?: string;
}

/** Parses `--env`, `--to`, `--local-port`, `--region` and `--name` (also as `--name=value`). */
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
  const { to, localPort, region } = checkTunnelOptions({ to: values.to, localPort: values['local-port'], region: values.region }, USAGE);
  if (values.name !== undefined && !new RegExp(`^data-tier-${values.env}(-[a-z0-9]+)+$`).test(values.name)) throw new TunnelError(`--name must be the stack of a tier of ${values.env}, data-tier-${values.env}-<suffix>, not "${values.name}"`);
  return { envName: values.env as EnvironmentName, to, localPort, region, name: values.name };
}

/** Opens the tunnel to the tier of the environment's deployed stack; resolves with the exit code of `aws`. */
export function openTunnel(args: TunnelArgs, deps: TunnelDependencies): Promise<number> {
  const stackName = stackNameFor({ envName: args.envName, name: args.name });
  const file = join(COMMITTED_TEMPLATES_DIR, `${args.envName}.template.json`);
  const template = JSON.parse(readFileSync(file, 'utf8'));
  const tiers: FoundTier[] = tiersIn(template).map((tier) => ({ stackName, template, paths: new Map(), tier, where: file }));
  return openTierTunnel({ tiers, to: args.to, localPort: args.localPort, region: args.region }, deps);
}

if (require.main === module) {
  (async () => {
    const args = parseArgs(process.argv.slice(2));
    const region = args.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    const deps = DEFAULT_DEPENDENCIES;
    process.exitCode = await openTunnel(args, { cloudFormation: deps.cloudFormation(region), autoScaling: deps.autoScaling(region), spawn: deps.spawn, onPath: deps.onPath, print: deps.out });
  })().catch((error: Error) => {
    console.error(error instanceof TunnelError || error.name === 'CliError' ? `tunnel: ${error.message}` : `tunnel: ${error.name}: ${error.message}`);
    process.exitCode = 1;
  });
}
