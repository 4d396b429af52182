import { App } from 'aws-cdk-lib';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from './app';
import { EnvironmentName } from './config';

/** Account and region the reviewable snapshots are synthesized for. */
export const SNAPSHOT_ENVIRONMENT = { CDK_DEFAULT_ACCOUNT: '111111111111', CDK_DEFAULT_REGION: 'us-east-1' };

/** Where the reviewable template of each environment is kept. */
export function snapshotPath(envName: EnvironmentName): string {
  return join(__dirname, '..', 'test', 'snapshots', `${envName}.template.json`);
}

/**
 * The CDK feature flags cdk.json sets (`cdk synth` passes them to the app as context; an App
 * built in-process must be given them). docs/feature-flags.md says why each has its value.
 */
export function featureFlagsOfCdkJson(): Record<string, unknown> {
  const { context } = JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return Object.fromEntries(Object.entries(context ?? {}).filter(([key]) => key.startsWith('@aws-cdk')));
}

/**
 * The template exactly as `cdk synth` writes it (cdk.json's feature flags, nag packs
 * registered, acknowledgements in the metadata), with asset hashes replaced so the snapshot
 * only changes when the infrastructure does.
 */
export function reviewableTemplate(envName: EnvironmentName): string {
  const outdir = mkdtempSync(join(tmpdir(), 'data-tier-synth-'));
  try {
    const app = new App({ outdir, context: featureFlagsOfCdkJson() });
    const stack = buildApp(app, { context: { env: envName }, environment: SNAPSHOT_ENVIRONMENT }, { registerNagPacks: true });
    app.synth();
    const template = readFileSync(join(outdir, stack.templateFile), 'utf8');
    return normalizeAssetHashes(template);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export function normalizeAssetHashes(template: string): string {
  return template.replace(/[0-9a-f]{64}(\.zip|\.json)?/g, (_, ext: string | undefined) => `<asset-hash>${ext ?? ''}`);
}
