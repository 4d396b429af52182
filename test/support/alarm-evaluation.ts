// CloudWatch's alarm evaluation, applied to what a handler published, so that a test can say
// whether an alarm would be in ALARM or OK. The rules are those of "Evaluating an alarm" and
// "Configuring how CloudWatch alarms treat missing data" in the CloudWatch User Guide
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html),
// whose example tables test/support/alarm-evaluation.test.ts replays.
import type { MetricDatum } from '@aws-sdk/client-cloudwatch';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** The parts of an alarm's definition that decide its state (values as CloudFormation spells them). */
export interface AlarmRule {
  /** Maximum, Minimum, Average, Sum, SampleCount or pNN. */
  readonly statistic: string;
  /** `DIFF(m)`: the alarm watches the change of the statistic from one period to the next. */
  readonly expression?: string;
  readonly comparison: string;
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  /** missing, breaching, notBreaching or ignore. */
  readonly treatMissingData: string;
}

/** A published datum: one Value, or raw samples as Values with their Counts. */
export type Published = Pick<MetricDatum, 'Value' | 'Values' | 'Counts'>;

/** The samples of the data published in one period, each repeated as often as its count says. */
function samplesOf(data: readonly Published[]): number[] {
  return data.flatMap((datum) => {
    if (datum.Values) return datum.Values.flatMap((value, i) => Array<number>(datum.Counts?.[i] ?? 1).fill(value));
    return datum.Value === undefined ? [] : [datum.Value];
  });
}

/** The statistic over one period's data; undefined when nothing was published (a missing datapoint). */
export function statisticOf(statistic: string, data: readonly Published[]): number | undefined {
  const samples = samplesOf(data);
  if (samples.length === 0) return undefined;
  const percentile = /^p(\d+(?:\.\d+)?)$/.exec(statistic);
  if (percentile) {
    // Nearest rank over the raw samples: CloudWatch's percentiles are exact when it has every sample.
    // However few the samples: the tier's alarms leave EvaluateLowSampleCountPercentile at its default, evaluate.
    const sorted = [...samples].sort((a, b) => a - b);
    return sorted[Math.max(0, Math.ceil((Number(percentile[1]) / 100) * sorted.length) - 1)];
  }
  switch (statistic) {
    case 'Maximum': return Math.max(...samples);
    case 'Minimum': return Math.min(...samples);
    case 'Sum': return samples.reduce((sum, value) => sum + value, 0);
    case 'Average': return samples.reduce((sum, value) => sum + value, 0) / samples.length;
    case 'SampleCount': return samples.length;
    default: throw new Error(`unknown statistic ${statistic}`);
  }
}

export function breaches(comparison: string, value: number, threshold: number): boolean {
  switch (comparison) {
    case 'GreaterThanThreshold': return value > threshold;
    case 'GreaterThanOrEqualToThreshold': return value >= threshold;
    case 'LessThanThreshold': return value < threshold;
    case 'LessThanOrEqualToThreshold': return value <= threshold;
    default: throw new Error(`unknown comparison ${comparison}`);
  }
}

/**
 * The state of an alarm given the datapoints of its evaluation range, oldest first (undefined
 * for a missing one). `current` is the state an `ignore` alarm keeps when it cannot decide.
 */
export function alarmState(rule: AlarmRule, datapoints: readonly (number | undefined)[], current: AlarmState = 'INSUFFICIENT_DATA'): AlarmState {
  const M = rule.evaluationPeriods;
  const N = rule.datapointsToAlarm;
  const existing = datapoints.filter((value): value is number => value !== undefined).map((value) => breaches(rule.comparison, value, rule.threshold));
  // Enough real datapoints: the most recent M decide, and the missing-data treatment is not used.
  if (existing.length >= M) return existing.slice(-M).filter(Boolean).length >= N ? 'ALARM' : 'OK';

  const fill = M - existing.length;
  switch (rule.treatMissingData) {
    case 'breaching': return existing.filter(Boolean).length + fill >= N ? 'ALARM' : 'OK';
    case 'notBreaching': return existing.filter(Boolean).length >= N ? 'ALARM' : 'OK';
    case 'missing':
    case 'ignore': {
      const undecided = rule.treatMissingData === 'ignore' ? current : 'INSUFFICIENT_DATA';
      if (existing.length === 0) return undecided;
      if (existing.filter(Boolean).length >= N) return 'ALARM';
      if (existing.some((breaching) => !breaching)) return 'OK';
      // Only breaching datapoints, too few of them: the guide's tables put `missing` in ALARM
      // when the oldest datapoint of the range is one of them (it was already evaluated with it)
      // and in INSUFFICIENT_DATA otherwise; `ignore` keeps its state in both.
      return rule.treatMissingData === 'missing' && datapoints[0] !== undefined ? 'ALARM' : undecided;
    }
    default: throw new Error(`unknown treatMissingData ${rule.treatMissingData}`);
  }
}

/** The datapoint of each period: the statistic over its data, then the alarm's expression. */
export function datapointsOf(rule: Pick<AlarmRule, 'statistic' | 'expression'>, periods: readonly (readonly Published[])[]): (number | undefined)[] {
  const values = periods.map((data) => statisticOf(rule.statistic, data));
  if (rule.expression === undefined) return values;
  if (rule.expression !== 'DIFF(m)') throw new Error(`unsupported expression ${rule.expression}`);
  return values.map((value, i) => (i === 0 || value === undefined || values[i - 1] === undefined ? undefined : value - values[i - 1]!));
}

/** The alarm's state after the given periods of published data (oldest first), and the datapoints it saw. */
export function evaluateAlarm(rule: AlarmRule, periods: readonly (readonly Published[])[], current?: AlarmState): { state: AlarmState; datapoints: (number | undefined)[] } {
  const datapoints = datapointsOf(rule, periods);
  return { state: alarmState(rule, datapoints, current), datapoints };
}
