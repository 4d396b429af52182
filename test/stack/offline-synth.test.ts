import { App } from 'aws-cdk-lib';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../app/app';
import { DataTierValidationError } from '../../lib/private/validation';

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

describe('the CDK CLI', () => {
  it('synthesizes the app with an explicit account and region, with no AWS credentials and no network', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'data-tier-cli-'));
    const root = join(__dirname, '..', '..');
    const environment = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_') && !key.startsWith('CDK_')));
    try {
      execFileSync(join(root, 'node_modules', '.bin', 'cdk'), ['synth', '-c', 'env=prod', '-c', 'account=123456789012', '-c', 'region=eu-west-1', '--quiet', '--output', outdir], {
        cwd: root,
        env: { ...environment, AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true' },
        stdio: 'pipe',
      });
      expect(existsSync(join(outdir, 'data-tier-prod.template.json'))).toBe(true);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 120_000);
});
