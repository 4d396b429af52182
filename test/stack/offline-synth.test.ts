import { App } from 'aws-cdk-lib';
import { buildApp } from '../../app/app';
import { DataTierValidationError } from '../../lib/validation';

/** The app as `cdk synth -c env=prod -c account=... -c region=...` builds it, with no AWS credentials. */
function synthWith(context: Record<string, unknown>) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = buildApp(app, { context: { env: 'prod', ...context }, environment: {} });
  return { stack, assembly: app.synth() };
}

describe('synthesis with an explicit account and region', () => {
  const { stack, assembly } = synthWith({ account: '123456789012', region: 'eu-west-1' });

  it('needs no lookup: the configured zones answer the zone lookup, so no AWS call is left for the CLI', () => {
    expect(assembly.manifest.missing ?? []).toEqual([]);
    expect(stack.availabilityZones).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
  });

  it('builds the tier in that account and region', () => {
    expect(stack.account).toBe('123456789012');
    expect(stack.region).toBe('eu-west-1');
    expect(stack.tier.availabilityZones).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
  });

  it('refuses a zone of another region with the friendly error, not a stack trace from the lookup', () => {
    expect(() => synthWith({ account: '123456789012', region: 'eu-west-1', availabilityZones: 'eu-west-1a,eu-west-1b,us-east-1c' })).toThrow(DataTierValidationError);
    expect(() => synthWith({ account: '123456789012', region: 'eu-west-1', availabilityZones: 'eu-west-1a,eu-west-1b,us-east-1c' })).toThrow(/invalid availabilityZones\[2\] = "us-east-1c": must be a zone of eu-west-1/);
  });
});
