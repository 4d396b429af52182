// `npm run cost -- --env prod [--region eu-west-1] [--json]`: `data-tier cost` (lib/cli) for an
// environment of this repository's app, synthesized offline (bundling off) into a throwaway
// cloud assembly; prices come from lib/cli/cost/prices.ts.
// `npm run cost -- --topologies [--env prod]`: the itemised estimate of each topology (RDS
// instances, Multi-AZ DB cluster, Aurora provisioned, Aurora Serverless v2) at the size of each
// environment (or the one named), each the app's stack synthesized on that topology
// (scripts/cost/topologies.ts).
import { App } from 'aws-cdk-lib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../app/app';
import { ENVIRONMENT_NAMES, EnvironmentName } from '../app/config';
import { PRICED_REGIONS, PRICES } from '../lib/cli/cost/prices';
import { main } from '../lib/cli/index';
import { formatTopologyReport, topologiesTableMarkdown, topologyEstimates, TOPOLOGY_REGION } from './cost/topologies';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const { values } = parseArgs({ options: {
  env: { type: 'string' }, region: { type: 'string', default: TOPOLOGY_REGION }, json: { type: 'boolean', default: false }, topologies: { type: 'boolean', default: false },
} });
const usage = `usage: npm run cost -- --env <${ENVIRONMENT_NAMES.join('|')}> [--region <region>] [--json]\n       npm run cost -- --topologies [--env <${ENVIRONMENT_NAMES.join('|')}>] [--region <region>] [--json]`;
const env = values.env ?? (values.topologies ? undefined : fail(usage));
if (env !== undefined && !ENVIRONMENT_NAMES.includes(env as EnvironmentName)) fail(`unknown environment ${env}: one of ${ENVIRONMENT_NAMES.join(', ')}`);
const region = values.region!;
if (!PRICES[region]) fail(`no prices for region ${region}: lib/cli/cost/prices.ts has ${PRICED_REGIONS.join(', ')}`);

if (values.topologies) {
  const envs = env === undefined ? ENVIRONMENT_NAMES : [env as EnvironmentName];
  const estimates = envs.map((e) => ({ env: e, estimates: topologyEstimates(e, region) }));
  if (values.json) console.log(JSON.stringify(estimates, null, 2));
  else {
    console.log(estimates.map((e) => formatTopologyReport(e.env, e.estimates)).join('\n\n'));
    if (region === TOPOLOGY_REGION && env === undefined) console.log(`\n## Side by side\n\n${topologiesTableMarkdown()}`);
  }
  process.exit(0);
}

const outdir = mkdtempSync(join(tmpdir(), 'data-tier-cost-'));
const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
buildApp(app, { context: { env, region }, environment: {} });
app.synth();
main(['cost', '--app', outdir, '--region', region, ...(values.json ? ['--json'] : [])])
  .then((code) => (process.exitCode = code))
  .finally(() => rmSync(outdir, { recursive: true, force: true }));
