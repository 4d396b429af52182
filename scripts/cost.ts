// Prints the itemised monthly on-demand cost of an environment's synthesized tier:
//   npm run cost -- --env prod [--region eu-west-1] [--json]
// The app is synthesized offline with bundling off; prices come from lib/cli/cost/prices.ts.
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../app/app';
import { ENVIRONMENT_NAMES, EnvironmentName } from '../app/config';
import { estimateMonthlyCost } from '../lib/cli/cost/estimate';
import { PRICED_REGIONS, PRICES } from '../lib/cli/cost/prices';
import { formatReport } from '../lib/cli/cost/report';

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const env = argument('env') ?? fail(`usage: npm run cost -- --env <${ENVIRONMENT_NAMES.join('|')}> [--region <region>] [--json]`);
if (!ENVIRONMENT_NAMES.includes(env as EnvironmentName)) fail(`unknown environment ${env}: one of ${ENVIRONMENT_NAMES.join(', ')}`);
const region = argument('region') ?? 'us-east-1';
if (!PRICES[region]) fail(`no prices for region ${region}: lib/cli/cost/prices.ts has ${PRICED_REGIONS.join(', ')}`);

const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = buildApp(app, { context: { env, region }, environment: {} });
const estimate = estimateMonthlyCost(Template.fromStack(stack).toJSON(), { region });
console.log(process.argv.includes('--json') ? JSON.stringify(estimate, null, 2) : formatReport(estimate, `data-tier-${env}`));
