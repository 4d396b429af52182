import { ALARM_DEFINITIONS, MetricSource } from '../../lib/alarms';
import { DIMENSIONS, METRIC_NAMESPACE, METRICS, ROLES, TASK_NAMES } from '../../lib/observability/contract';
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

/** Metrics a runbook may query, per namespace: the tier's own (lib/observability/contract.ts), those the alarms watch, and documented AWS metrics. */
const knownMetrics = (namespace: string): string[] => [
  ...(namespace === METRIC_NAMESPACE ? Object.keys(METRICS) : []),
  ...ALARM_DEFINITIONS.filter((d) => NAMESPACE_OF[d.source] === namespace).map((d) => d.metric.name),
  ...(documentedMetrics[namespace] ?? []),
];

/** The values a dimension of the tier's namespace may take in a runbook, where they are fixed. */
const DIMENSION_VALUES: Record<string, readonly string[] | undefined> = { [DIMENSIONS.role]: ROLES, [DIMENSIONS.task]: TASK_NAMES };

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

  it.each(queries.filter(({ command }) => command.valueOf('--namespace') === METRIC_NAMESPACE).map(({ file, command }) => [file, command.valueOf('--metric-name'), command.source]))(
    '%s: %s is queried with the dimension names and values of lib/observability/contract.ts',
    (_file, _metric, source) => {
      const names: readonly string[] = Object.values(DIMENSIONS);
      const problems = [...source.matchAll(/Name=([^,\s]+),Value=([^\s"']+)/g)].flatMap(([, name, value]) => {
        if (!names.includes(name)) return [`no dimension ${name}`];
        const values = DIMENSION_VALUES[name];
        return values && !value.startsWith('$') && !values.includes(value) ? [`${name}=${value} is none of ${values.join(', ')}`] : [];
      });
      expect(problems).toEqual([]);
    },
  );

  it('lists documented metrics for the namespaces of the alarms', () => {
    for (const definition of ALARM_DEFINITIONS.filter((d) => d.source !== 'health-check' && d.source !== 'maintenance')) {
      expect(documentedMetrics[NAMESPACE_OF[definition.source]]).toContain(definition.metric.name);
    }
  });
});
