import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  MAX_DATA_PER_CALL, MAX_VALUES_PER_DATUM, datum, isStandardUnit, publishMetrics, samples,
} from '../../lib/functions/shared/metrics';
import { acceptMetrics, cloudwatch, putMetricDataCalls } from './handler-fixtures';

const scope = { environment: 'prod', instanceId: 'data-tier-primary', role: 'primary' } as const;
const at = new Date('2026-11-01T12:00:00Z');
const latency = { name: 'query_latency', unit: 'Milliseconds' } as const;

beforeEach(() => acceptMetrics());
afterAll(() => cloudwatch.restore());

describe('datum', () => {
  it('carries Environment, DBInstance and Role, then Object for one object', () => {
    expect(datum({ ...scope, object: 'public.analytics_events' }, { name: 'partitions_ahead', unit: 'Count' }, 6, at)).toEqual({
      MetricName: 'partitions_ahead',
      Dimensions: [
        { Name: 'Environment', Value: 'prod' },
        { Name: 'DBInstance', Value: 'data-tier-primary' },
        { Name: 'Role', Value: 'primary' },
        { Name: 'Object', Value: 'public.analytics_events' },
      ],
      Timestamp: at,
      Unit: 'Count',
      Value: 6,
    });
  });
});

describe('samples', () => {
  it('counts equal values once, so CloudWatch keeps every sample for percentiles', () => {
    expect(samples(scope, latency, [1.5, 2, 1.5, 3], at)).toEqual([
      expect.objectContaining({ MetricName: 'query_latency', Unit: 'Milliseconds', Values: [1.5, 2, 3], Counts: [2, 1, 1] }),
    ]);
  });

  it('splits more than 150 distinct values over several data', () => {
    const data = samples(scope, latency, Array.from({ length: 400 }, (_, i) => i), at);

    expect(data.map((d) => d.Values!.length)).toEqual([MAX_VALUES_PER_DATUM, MAX_VALUES_PER_DATUM, 100]);
    expect(data.flatMap((d) => d.Values)).toEqual(Array.from({ length: 400 }, (_, i) => i));
  });

  it('makes no datum of no samples', () => {
    expect(samples(scope, latency, [], at)).toEqual([]);
  });
});

describe('publishMetrics', () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => datum(scope, { name: `m${i}`, unit: 'Count' }, i, at));
  const client = new CloudWatchClient({});

  it('sends up to 1000 data per PutMetricData call, in order, to the namespace', async () => {
    const calls = await publishMetrics(client, 'DataTier', many(2_500));

    expect(calls).toBe(3);
    expect(putMetricDataCalls().map((input) => [input.Namespace, input.MetricData!.length])).toEqual([
      ['DataTier', MAX_DATA_PER_CALL],
      ['DataTier', MAX_DATA_PER_CALL],
      ['DataTier', 500],
    ]);
    expect(putMetricDataCalls().flatMap((input) => input.MetricData!.map((d) => d.MetricName))).toEqual(many(2_500).map((d) => d.MetricName));
  });

  it('makes one call for up to 1000 data, and none for none', async () => {
    expect(await publishMetrics(client, 'DataTier', many(1_000))).toBe(1);
    expect(await publishMetrics(client, 'DataTier', [])).toBe(0);
    expect(putMetricDataCalls()).toHaveLength(1);
  });

  it('throws, after every call settled, when any call failed', async () => {
    cloudwatch.on(PutMetricDataCommand).resolvesOnce({}).rejectsOnce(new Error('Throttling: Rate exceeded')).resolves({});

    await expect(publishMetrics(client, 'DataTier', many(2_500))).rejects.toThrow(
      'PutMetricData failed for 1 of 3 calls to namespace DataTier: Throttling: Rate exceeded',
    );
    expect(putMetricDataCalls()).toHaveLength(3);
  });
});

describe('isStandardUnit', () => {
  it('accepts the CloudWatch unit names health_check() uses, and nothing else', () => {
    for (const unit of ['Count', 'Percent', 'Seconds', 'None', 'Milliseconds']) expect(isStandardUnit(unit)).toBe(true);
    expect(isStandardUnit('percent')).toBe(false);
    expect(isStandardUnit('ms')).toBe(false);
  });
});
