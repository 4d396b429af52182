import { ALARM_DEFINITIONS } from '../../lib/alarms';
import { OUTPUTS } from '../../app/data-tier-stack';
import { effectiveDatabaseOptions } from '../../app/config';
import { outputVariables, variableName } from '../../lib/cli/outputs';
import { DATABASE_NAME, MASTER_USERNAME, OPERATOR_USERNAME } from '../../lib/database';
import { TIER_METADATA_KEY, type TierMetadata } from '../../lib/outputs';
import { synthesize } from '../stack/synth';
import { environmentsOnTopology } from '../stack/topology-environments';
import { assignedVariables, dataTierCommands, nameMentions, outputKeys, readIndex, readRunbook, runbookFiles, shellLines, shellScript, usedVariables } from './runbooks';

/** Outputs the stack adds only when an environment opts in to AWS FIS drills. */
const DRILL_OUTPUTS = ['FailoverExperimentTemplateId', 'CacheAzPowerInterruptExperimentTemplateId'];
/** Outputs only a DB cluster topology has (prod runs on instances); test/constructs/topology.test.ts checks them there. */
const CLUSTER_OUTPUTS = [OUTPUTS.clusterIdentifier, OUTPUTS.readerEndpoint, OUTPUTS.proxyReadOnlyEndpoint, OUTPUTS.writerInstanceId, OUTPUTS.writerInstanceEndpoint, OUTPUTS.readerInstanceId(1), OUTPUTS.readerInstanceEndpoint(1), OUTPUTS.globalClusterIdentifier] as string[];
const drillOutputsLanded = DRILL_OUTPUTS.every((name) => (Object.values(OUTPUTS) as unknown[]).includes(name));

const prod = synthesize('prod');
type TemplateJson = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
const template = prod.template.toJSON() as TemplateJson;
/**
 * Prod on a Multi-AZ DB cluster: the alarms that exist on that topology only (AlarmDefinition.topologies)
 * and its writer's names, which its runbook names.
 */
const prodOnMultiAzCluster = synthesize('prod', {}, { sources: { environmentsDirectory: environmentsOnTopology('multi-az-cluster') } }).template.toJSON() as TemplateJson;
const prodOutputs = new Set(Object.keys(prod.template.findOutputs('*')));

/** The outputs prod's tier records in its template, by their names in OUTPUTS: what `data-tier outputs` reads. */
const tierOf = (templateJson: unknown): TierMetadata => {
  const tiers = (templateJson as { Metadata: Record<string, TierMetadata[]> }).Metadata[TIER_METADATA_KEY];
  expect(tiers).toHaveLength(1);
  return tiers[0];
};
const prodTierOutputs = Object.keys(tierOf(template).outputs);
/** The variables `eval "$(npx data-tier outputs ...)"` sets for prod's tier. */
const printed = new Set(outputVariables(prodTierOutputs));
const DRILL_VARIABLES = DRILL_OUTPUTS.map(variableName);

/** Variables a runbook uses that no command it shows (nor Before you start) assigns: they can only come from `data-tier outputs`. */
function outputVariablesUsed(text: string, script: string): string[] {
  const index = readIndex();
  const shared = shellLines(index.slice(index.indexOf('## Before you start'))).join('\n');
  const assigned = assignedVariables(`${shared}\n${script}`);
  return usedVariables(text).filter((name) => !assigned.has(name));
}

/** Every string in the template, however deep. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

/** Physical names of prod (`data-tier-prod...`), on instances and on a Multi-AZ DB cluster: instances, alarms, functions, rules, proxy, vault, plan, secrets, log groups. */
const prodNames = new Set([
  prod.stack.stackName,
  ...[template, prodOnMultiAzCluster].flatMap((t) => stringsIn(t).flatMap((s) => [...s.matchAll(/data-tier-prod[A-Za-z0-9/_-]*/g)].map((m) => m[0]))),
]);

/** Alarms of prod (on instances and on a Multi-AZ DB cluster) with the metric they watch, directly or through a math expression. */
const alarms = [template, prodOnMultiAzCluster].flatMap((t) => Object.values(t.Resources))
  .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
  .map((r) => {
    const props = r.Properties as { AlarmName: string; MetricName?: string; Metrics?: Array<{ MetricStat?: { Metric: { MetricName: string } } }> };
    const metricNames = props.MetricName ? [props.MetricName] : (props.Metrics ?? []).flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric.MetricName] : []));
    return { name: props.AlarmName, metricNames };
  });

const files = runbookFiles();
const texts = [...files.map((file) => ({ file, text: readRunbook(file).text })), { file: 'README.md', text: readIndex() }];

describe('stack outputs named by the runbooks', () => {
  it('the outputs of OUTPUTS are in the synthesized prod template', () => {
    const names = Object.values(OUTPUTS).map((value) => (typeof value === 'function' ? value(1) : value));
    expect(names.filter((name) => !prodOutputs.has(name) && !DRILL_OUTPUTS.includes(name) && !CLUSTER_OUTPUTS.includes(name))).toEqual([]);
  });

  it.each(files)('%s looks up only outputs the prod stack has', (file) => {
    const missing = outputKeys(readRunbook(file).text).filter((key) => !prodOutputs.has(key) && !DRILL_OUTPUTS.includes(key));
    expect(missing).toEqual([]);
  });

  it.each(files)('%s uses only variables `data-tier outputs` prints for the prod tier', (file) => {
    const runbook = readRunbook(file);
    const missing = outputVariablesUsed(runbook.text, shellScript(runbook)).filter((name) => !printed.has(name) && !DRILL_VARIABLES.includes(name));
    expect(missing).toEqual([]);
  });

  it.each(files)('%s asks `data-tier outputs --get` only for outputs the prod tier records', (file) => {
    const names = dataTierCommands(readRunbook(file))
      .filter((c) => c.command === 'outputs' && c.args.includes('--get'))
      .map((c) => c.args[c.args.indexOf('--get') + 1]);
    expect(names.filter((name) => !prodTierOutputs.includes(name) && !DRILL_OUTPUTS.includes(name))).toEqual([]);
  });

  it('prints each output of prod under the upper snake case of its name, beside STACK and REGION', () => {
    expect(printed).toEqual(new Set(['STACK', 'REGION', ...[...prodOutputs].map(variableName)]));
    expect([...printed]).toEqual(expect.arrayContaining(['PROXY_ENDPOINT', 'WRITER_ENDPOINT', 'REPLICA1_ENDPOINT', 'PRIMARY_INSTANCE_ID', 'MONITOR_SECRET_ARN']));
  });

  (drillOutputsLanded ? it : it.skip)('the FIS experiment template outputs exist in prod with drills.faultInjection on', () => {
    const drills = synthesize('prod', { overrides: JSON.stringify({ drills: { faultInjection: true } }) });
    const outputs = Object.keys(drills.template.findOutputs('*'));
    const drillVariables = new Set(outputVariables(Object.keys(tierOf(drills.template.toJSON()).outputs)));
    const used = files.flatMap((file) => {
      const runbook = readRunbook(file);
      return [...outputKeys(runbook.text), ...outputVariablesUsed(runbook.text, shellScript(runbook)).filter((name) => DRILL_VARIABLES.includes(name)).map((name) => DRILL_OUTPUTS[DRILL_VARIABLES.indexOf(name)])];
    }).filter((key) => DRILL_OUTPUTS.includes(key));
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((key) => !outputs.includes(key) || !drillVariables.has(variableName(key)))).toEqual([]);
  });
});

describe('names of the tier in the runbooks', () => {
  it.each(texts.map((t) => [t.file, t.text]))('%s names only alarms, instances, functions and other resources that exist in prod', (_file, text) => {
    const unknown = nameMentions(text)
      .filter((mention) => ![...prodNames].some((name) => mention.pattern.test(name)))
      .map((mention) => mention.written);
    expect(unknown).toEqual([]);
  });

  it.each(ALARM_DEFINITIONS.map((d) => [`${d.condition} (${d.metric.name})`, d]))(
    'the alarm %s is named in the Symptoms of its runbook',
    (_label, definition) => {
      const names = alarms.filter((a) => a.metricNames.includes(definition.metric.name) && a.name.endsWith(`-${definition.condition}`)).map((a) => a.name);
      expect(names.length).toBeGreaterThan(0);
      const symptoms = readRunbook(definition.runbook).sections.get('Symptoms') ?? '';
      const named = nameMentions(symptoms).some((mention) => names.some((name) => mention.pattern.test(name)));
      expect({ runbook: definition.runbook, alarms: names, named }).toEqual({ runbook: definition.runbook, alarms: names, named: true });
    },
  );

  it.each(ALARM_DEFINITIONS.map((d) => [`${d.condition} (${d.metric.name})`, d]))('the Symptoms of the runbook of %s name the metric it watches', (_label, definition) => {
    const symptoms = readRunbook(definition.runbook).sections.get('Symptoms') ?? '';
    expect({ runbook: definition.runbook, mentions: symptoms.includes(`\`${definition.metric.name}\``) }).toEqual({ runbook: definition.runbook, mentions: true });
  });
});

describe('connection settings in the runbooks', () => {
  const config = prod.stack.config;

  it.each(files)('%s connects with the port, database and user of the stack', (file) => {
    const text = readRunbook(file).text;
    // An application's role, signed in as with the username its own secret holds (the runbook reads it: `ROLE_USER=$(... | jq -r .username)`).
    const secretUsers = [...text.matchAll(/^\s*([A-Z][A-Z0-9_]*)=\$\([^\n]*\| jq -r \.username\)\s*$/gm)].map((u) => `\\$${u[1]}`);
    const users = [MASTER_USERNAME, OPERATOR_USERNAME, ...secretUsers].join('|');
    for (const m of text.matchAll(/psql "host=[^"]*"/g)) {
      // Through the tunnel the port is the laptop's; instances a restore creates are reached directly.
      expect(m[0]).toMatch(new RegExp(` port=(\\$TUNNEL_PORT|${effectiveDatabaseOptions(config).port}) `));
      expect(m[0]).toContain(` dbname=${DATABASE_NAME} `);
      expect(m[0]).toMatch(new RegExp(` user=(${users}) `));
      expect(m[0]).toMatch(/ sslmode=verify-full sslrootcert=(global-bundle|AmazonRootCA1)\.pem/);
    }
    // The cache is reached through the tunnel: its name for TLS, the laptop's port for the connection.
    for (const m of text.matchAll(/redis-cli --tls[^\n]*/g)) expect(m[0]).toMatch(/^redis-cli --tls --sni "\$CACHE_[A-Z_]+" -h 127\.0\.0\.1 -p "\$CACHE_TUNNEL_PORT"/);
  });
});
