import { ALARM_DEFINITIONS, ALARM_PROOF_TESTS, type AlarmProof } from '../alarms';
import { AlarmThresholds } from '../alarm-thresholds';

const RESOURCES: Record<string, string> = {
  rds: 'primary, replica-N',
  'health-check': 'primary, replica-N',
  proxy: 'proxy',
  'cache-node': 'cache-001..003',
  maintenance: '',
  'schedule-dlq': 'schedule-dlq',
};

function provenBy(proof: AlarmProof): string {
  return 'test' in proof ? `induced in [${ALARM_PROOF_TESTS}](${ALARM_PROOF_TESTS}): “${proof.test}”` : `not induced: ${proof.cannotInduce}. Covered by ${proof.coveredBy}`;
}

/** The alarm table for these thresholds as markdown, for the README and SREs. */
export function alarmTableMarkdown(thresholds: AlarmThresholds, allocatedStorageGiB: number): string {
  const context = { thresholds, allocatedStorageGiB };
  const rows = ALARM_DEFINITIONS.map((d) => {
    // A cluster's targets are its writer and its readers.
    const onClustersOnly = d.topologies !== undefined && !d.topologies.includes('instances');
    const roleName = (r: string) => (r === 'primary' ? (onClustersOnly ? 'writer' : 'primary') : onClustersOnly ? 'readers' : 'replica-N');
    const targets = d.source === 'maintenance' ? d.task! : d.roles ? d.roles.map(roleName).join(', ') : RESOURCES[d.source];
    const resources = d.topologies ? `${targets} (only on ${d.topologies.map((t) => `\`${t}\``).join(', ')})` : targets;
    const comparison = d.comparison.startsWith('GreaterThanOrEqual') ? '≥' : d.comparison.startsWith('Greater') ? '>' : '<';
    const metric = d.expression ? d.expression.replace(/\bm\b/, d.metric.name) : d.metric.name;
    const threshold = d.threshold(context);
    const { unit } = d.metric;
    const shown = unit === 'Bytes' ? `${threshold / 1024 ** 3} GiB` : unit === 'Microseconds' ? `${threshold} µs (${threshold / 1000} ms)` : String(threshold);
    const window = `${d.datapointsToAlarm} of ${d.evaluationPeriods} × ${d.period.toHumanString()}`;
    return `| \`${d.condition}\` | ${resources} | \`${metric}\` ${d.statistic} | ${comparison} ${shown} | ${unit} | ${window} | ${d.treatMissingData} | [${d.runbook}](runbooks/${d.runbook}) | ${provenBy(d.proof)} |`;
  });
  return [
    '| condition | resource | metric, statistic | threshold | unit | datapoints | missing data | runbook | proven by |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
