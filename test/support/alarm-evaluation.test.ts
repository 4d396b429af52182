import { type AlarmRule, type AlarmState, alarmState, evaluateAlarm, statisticOf } from './alarm-evaluation';

/** `0` a datapoint within the threshold, `X` one breaching it, `-` a missing one; oldest first. */
function datapoints(sequence: string): (number | undefined)[] {
  return sequence.split(' ').map((point) => (point === '-' ? undefined : point === 'X' ? 1 : 0));
}

const rule = (treatMissingData: string, datapointsToAlarm: number): AlarmRule => ({
  statistic: 'Maximum', comparison: 'GreaterThanThreshold', threshold: 0, evaluationPeriods: 3, datapointsToAlarm, treatMissingData,
});
const TREATMENTS = ['missing', 'ignore', 'breaching', 'notBreaching'] as const;
/** `ignore` keeps the state the alarm was in: shown as RETAIN, checked from both OK and ALARM. */
type Expected = AlarmState | 'RETAIN';

function expectTable(datapointsToAlarm: number, table: [string, Expected, Expected, Expected, Expected][]) {
  for (const [sequence, ...states] of table) {
    TREATMENTS.forEach((treatment, i) => {
      for (const current of ['OK', 'ALARM'] as const) {
        const expected = states[i] === 'RETAIN' ? current : states[i];
        expect([sequence, treatment, current, alarmState(rule(treatment, datapointsToAlarm), datapoints(sequence), current)]).toEqual([sequence, treatment, current, expected]);
      }
    });
  }
}

// The two tables of "How alarm state is evaluated when data is missing", CloudWatch User Guide,
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html:
// 3 evaluation periods, CloudWatch retrieving the 5 most recent datapoints.
describe('CloudWatch alarm evaluation, as the CloudWatch User Guide tabulates it', () => {
  it('3 of 3 datapoints to alarm', () => {
    expectTable(3, [
      // datapoints   MISSING, IGNORE, BREACHING, NOT BREACHING
      ['0 - X - X', 'OK', 'OK', 'OK', 'OK'],
      ['0 - - - -', 'OK', 'OK', 'OK', 'OK'],
      ['- - - - -', 'INSUFFICIENT_DATA', 'RETAIN', 'ALARM', 'OK'],
      ['0 X X - X', 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
      ['- - - - X', 'INSUFFICIENT_DATA', 'RETAIN', 'ALARM', 'OK'],
      ['X - - - -', 'ALARM', 'RETAIN', 'ALARM', 'OK'],
    ]);
  });

  it('2 of 3 datapoints to alarm', () => {
    expectTable(2, [
      ['0 - X - X', 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
      ['0 0 X 0 X', 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
      ['0 - X - -', 'OK', 'OK', 'ALARM', 'OK'],
      ['- - - - 0', 'OK', 'OK', 'ALARM', 'OK'],
      ['- - - - X', 'INSUFFICIENT_DATA', 'RETAIN', 'ALARM', 'OK'],
    ]);
  });
});

describe('statistics over a period', () => {
  it('computes percentiles over raw samples published as Values and Counts', () => {
    // 100 samples: 94 of 10 ms and 6 of 500 ms; the 95th is a slow one, the average hides it.
    const published = [{ Values: [10, 500], Counts: [94, 6] }];
    expect(statisticOf('p95', published)).toBe(500);
    expect(statisticOf('p90', published)).toBe(10);
    expect(statisticOf('Average', published)).toBeCloseTo(39.4);
  });

  it('takes Maximum, Minimum, Sum and SampleCount over every datum of the period', () => {
    const published = [{ Value: 3 }, { Value: 7 }, { Values: [1], Counts: [2] }];
    expect([statisticOf('Maximum', published), statisticOf('Minimum', published), statisticOf('Sum', published), statisticOf('SampleCount', published)]).toEqual([7, 1, 12, 4]);
  });

  it('has no datapoint for a period with nothing published', () => {
    expect(statisticOf('Maximum', [])).toBeUndefined();
  });
});

describe('evaluating published periods against an alarm', () => {
  const diff: AlarmRule = { ...rule('missing', 1), statistic: 'Maximum', expression: 'DIFF(m)', evaluationPeriods: 1 };

  it('diffs a counter between periods, the first period having no datapoint', () => {
    expect(evaluateAlarm(diff, [[{ Value: 40 }], [{ Value: 41 }]])).toEqual({ state: 'ALARM', datapoints: [undefined, 1] });
    expect(evaluateAlarm(diff, [[{ Value: 41 }], [{ Value: 41 }]])).toEqual({ state: 'OK', datapoints: [undefined, 0] });
  });

  it('compares with the alarm\'s own operator', () => {
    const atLeastOne = { ...rule('missing', 1), comparison: 'GreaterThanOrEqualToThreshold', threshold: 1, evaluationPeriods: 1 };
    const belowOne = { ...atLeastOne, comparison: 'LessThanThreshold' };
    expect([alarmState(atLeastOne, [1]), alarmState(atLeastOne, [0]), alarmState(belowOne, [0]), alarmState(belowOne, [1])]).toEqual(['ALARM', 'OK', 'ALARM', 'OK']);
  });
});
