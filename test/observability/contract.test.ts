import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALARM_DEFINITIONS, type AlarmDefinition, type MetricSource } from '../../lib/alarms';
import {
  HEALTH_CHECK_FUNCTION_METRICS, HEALTH_CHECK_ROW_METRICS, MAINTENANCE_METRICS, type MetricDefinition, METRICS, TASK_NAMES,
} from '../../lib/observability/contract';

/** The contract's metrics an alarm of each source may watch; the other sources watch AWS's metrics. */
const WATCHABLE: Partial<Record<MetricSource, readonly MetricDefinition[]>> = {
  // An alarm's target has no Object dimension: only metrics reported in one row.
  'health-check': [...Object.values(HEALTH_CHECK_ROW_METRICS).filter((m) => m.rows !== 'per-object'), ...Object.values(HEALTH_CHECK_FUNCTION_METRICS)],
  maintenance: Object.values(MAINTENANCE_METRICS),
};

const label = (d: AlarmDefinition) => `${d.task ? `${d.task}-` : ''}${d.condition} (${d.source}, ${d.metric.name})`;

describe('the observability contract', () => {
  it('imports nothing, so that the Lambda handlers can bundle it', () => {
    const source = readFileSync(join(__dirname, '../../lib/observability/contract.ts'), 'utf8');
    expect(source.match(/^\s*(import|export .* from)\b.*$/gm)).toBeNull();
  });

  it('names each metric once across the health check rows, the health-check function and maintenance', () => {
    const groups = [HEALTH_CHECK_ROW_METRICS, HEALTH_CHECK_FUNCTION_METRICS, MAINTENANCE_METRICS].map((group) => Object.keys(group));
    expect(Object.keys(METRICS)).toHaveLength(groups.flat().length);
    for (const [name, metric] of Object.entries(METRICS)) expect(metric.name).toBe(name);
  });
});

describe('the alarm table against the contract', () => {
  it.each(ALARM_DEFINITIONS.filter((d) => WATCHABLE[d.source]).map((d) => [label(d), d] as const))(
    '%s watches a metric of the contract that its source publishes without an object, in the contract’s unit',
    (_label, definition) => {
      const published = WATCHABLE[definition.source]!.find((m) => m.name === definition.metric.name);
      expect(definition.metric).toEqual(published);
    },
  );

  it.each(ALARM_DEFINITIONS.filter((d) => !WATCHABLE[d.source]).map((d) => [label(d), d] as const))('%s watches an AWS metric, not one of the contract', (_label, definition) => {
    expect(Object.keys(METRICS)).not.toContain(definition.metric.name);
  });

  it('watches every maintenance task, and only those', () => {
    const tasks = ALARM_DEFINITIONS.filter((d) => d.source === 'maintenance').map((d) => d.task);
    expect([...new Set(tasks)].sort()).toEqual([...TASK_NAMES].sort());
  });
});
