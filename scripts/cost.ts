// `npm run cost -- --env prod [--region eu-west-1] [--json]`: `data-tier cost` (lib/cli) for an
// environment of this repository's app, synthesized offline (bundling off) into a throwaway
// cloud assembly; prices come from lib/cli/cost/prices.ts.
import { App } from 'aws-cdk-lib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../app/app';
import { ENVIRONMENT_NAMES, EnvironmentName } from '../app/config';
import { PRICED_REGIONS, PRICES } from '../lib/cli/cost/prices';
import { main } from '../lib/cli/index';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const { values } = parseArgs({ options: { env: { type: 'string' }, region: { type: 'string', default: 'us-east-1' }, json: { type: 'boolean', default: false } } });
const env = values.env ?? fail(`usage: npm run cost -- --env <${ENVIRONMENT_NAMES.join('|')}> [--region <region>] [--json]`);
if (!ENVIRONMENT_NAMES.includes(env as EnvironmentName)) fail(`unknown environment ${env}: one of ${ENVIRONMENT_NAMES.join(', ')}`);
const region = values.region!;
if (!PRICES[region]) fail(`no prices for region ${region}: lib/cli/cost/prices.ts has ${PRICED_REGIONS.join(', ')}`);

const outdir = mkdtempSync(join(tmpdir(), 'data-tier-cost-'));
const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
buildApp(app, { context: { env, region }, environment: {} });
app.synth();
main(['cost', '--app', outdir, '--region', region, ...(values.json ? ['--json'] : [])])
  .then((code) => (process.exitCode = code))
  .finally(() => rmSync(outdir, { recursive: true, force: true }));
