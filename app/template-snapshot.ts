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
 * The template exactly as `cdk synth` writes it (nag packs registered, acknowledgements in
 * the metadata), with asset hashes replaced so the snapshot only changes when the
 * infrastructure does.
 */
export function reviewableTemplate(envName: EnvironmentName): string {
  const outdir = mkdtempSync(join(tmpdir(), 'data-tier-synth-'));
  try {
    const app = new App({ outdir });
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
