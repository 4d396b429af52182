import { ALARM_DEFINITIONS, MetricSource } from '../../lib/alarms';
import { METRIC_NAMESPACE } from '../../lib/observability/contract';
import reference from './aws-cli-reference.json';
import { awsCommands, readRunbook, runbookFiles } from './runbooks';

const operations = reference.operations as Record<string, Record<string, string[]>>;
const documentedMetrics = reference.metrics as Record<string, string[]>;

const NAMESPACE_OF: Record<MetricSource, string> = {
  rds: 'AWS/RDS',
  proxy: 'AWS/RDS',
  'cache-node': 'AWS/ElastiCache',
  'health-check': METRIC_NAMESPACE,
  maintenance: METRIC_NAMESPACE,
  'schedule-dlq': 'AWS/SQS',
};

/** Metrics a runbook may query, per namespace: those the alarms watch, and documented AWS metrics. */
const knownMetrics = (namespace: string): string[] => [
  ...ALARM_DEFINITIONS.filter((d) => NAMESPACE_OF[d.source] === namespace).map((d) => d.metric.name),
  ...(documentedMetrics[namespace] ?? []),
];

const files = runbookFiles();
const commands = files.flatMap((file) => awsCommands(readRunbook(file)).map((command) => ({ file, command })));

describe('aws commands in the runbooks', () => {
  it('finds aws commands in the runbooks', () => {
    expect(commands.length).toBeGreaterThan(50);
  });

  it.each(files)('%s uses only operations of the AWS CLI reference, with their options', (file) => {
    const problems = awsCommands(readRunbook(file)).flatMap(({ service, operation, options, source }) => {
      const allowed = operations[service]?.[operation];
      if (!allowed) return [`unknown operation "aws ${service} ${operation}": ${source}`];
      return options
        .filter((option) => !allowed.includes(option) && !reference.globalOptions.includes(option))
        .map((option) => `"aws ${service} ${operation}" has no option ${option}: ${source}`);
    });
    expect(problems).toEqual([]);
  });

  it('the reference keeps only operations the runbooks use', () => {
    const used = new Set(commands.map(({ command }) => `${command.service} ${command.operation}`));
    const listed = Object.entries(operations).flatMap(([service, ops]) => Object.keys(ops).map((operation) => `${service} ${operation}`));
    expect(listed.filter((op) => !used.has(op))).toEqual([]);
  });
});

describe('metrics in the runbooks', () => {
  const queries = commands.filter(({ command }) => command.options.includes('--metric-name'));

  it('finds metric queries', () => {
    expect(queries.length).toBeGreaterThan(0);
  });

  it.each(queries.map(({ file, command }) => [file, command.valueOf('--metric-name'), command.valueOf('--namespace'), command]))(
    '%s: %s in %s is an alarm metric of lib/alarms.ts or a documented AWS metric of that namespace',
    (_file, metricName, namespace) => {
      expect(namespace).toBeDefined();
      expect(knownMetrics(namespace as string)).toContain(metricName);
    },
  );

  it('lists documented metrics for the namespaces of the alarms', () => {
    for (const definition of ALARM_DEFINITIONS.filter((d) => d.source !== 'health-check' && d.source !== 'maintenance')) {
      expect(documentedMetrics[NAMESPACE_OF[definition.source]]).toContain(definition.metric.name);
    }
  });
});
