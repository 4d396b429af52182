// `npx tsx scripts/review/template-stats.ts [--base <git ref>]`
//
// 1. The share of each environment's template bytes taken by cdk-nag and validation
//    acknowledgements (`cdk_nag` metadata, per resource and top-level), in the snapshots of
//    <base> (default: 65b9efe, the last commit before acknowledgements were recorded once in the
//    top-level Metadata) and of the working tree.
// 2. The lines of the diff of prod's snapshot when database.replicaCount goes 2 → 3, with the
//    dashboard body as `cdk synth` writes it and in the reviewable form (one widget per line).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aspects } from 'aws-cdk-lib';
import { WriteNagSuppressionsToCloudFormationAspect } from 'cdk-nag';
import { buildApp } from '../../app/app';
import { committedTemplateAt } from './committed-template';
import { ENVIRONMENT_NAMES, EnvironmentName } from '../../app/config';
import { normalizeAssetHashes, reviewableForm, SNAPSHOT_ENVIRONMENT, snapshotPath, synthesizeTemplate } from '../../app/template-snapshot';


/** Bytes of the `cdk_nag` metadata over the bytes of the template, both as written (indent 1). */
export function acknowledgementShare(templateText: string): number {
  const template = JSON.parse(templateText);
  const total = JSON.stringify(template, undefined, 1).length;
  delete template.Metadata?.cdk_nag;
  if (template.Metadata && Object.keys(template.Metadata).length === 0) delete template.Metadata;
  for (const resource of Object.values<{ Metadata?: Record<string, unknown> }>(template.Resources ?? {})) {
    delete resource.Metadata?.cdk_nag;
    if (resource.Metadata && Object.keys(resource.Metadata).length === 0) delete resource.Metadata;
  }
  return (total - JSON.stringify(template, undefined, 1).length) / total;
}

/** Changed lines (+ and −) of a unified diff of two texts, and their characters. */
export function diffLineCount(a: string, b: string): number {
  return changedLines(a, b).length;
}

export function changedLines(a: string, b: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'template-diff-'));
  try {
    writeFileSync(join(dir, 'a'), a.endsWith('\n') ? a : a + '\n');
    writeFileSync(join(dir, 'b'), b.endsWith('\n') ? b : b + '\n');
    let out = '';
    try {
      out = execFileSync('diff', ['-u', join(dir, 'a'), join(dir, 'b')], { encoding: 'utf8', maxBuffer: 1 << 28 });
    } catch (error) {
      out = (error as { stdout: string }).stdout; // diff exits 1 when the files differ
    }
    return out.split('\n').filter((l) => /^[+-]/.test(l) && !/^(\+\+\+|---) /.test(l));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function withoutDashboards(templateText: string): string {
  const template = JSON.parse(templateText);
  for (const [id, r] of Object.entries<{ Type: string }>(template.Resources)) if (r.Type === 'AWS::CloudWatch::Dashboard') delete template.Resources[id];
  return JSON.stringify(template, undefined, 1);
}

export interface ReplicaDiff {
  readonly form: string;
  readonly lines: number;
  readonly dashboardLines: number;
  readonly characters: number;
  readonly dashboardCharacters: number;
}

/** An environment as the snapshots were written before: cdk-nag's per-resource acknowledgements, no summary. */
export function synthesizeAsBefore(overrides: object, envName: EnvironmentName = 'prod'): string {
  const outdir = mkdtempSync(join(tmpdir(), 'data-tier-synth-'));
  try {
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = buildApp(app, { context: { env: envName, overrides: JSON.stringify(overrides) }, environment: SNAPSHOT_ENVIRONMENT });
    Aspects.of(app).add(new WriteNagSuppressionsToCloudFormationAspect());
    app.synth();
    return JSON.stringify(JSON.parse(normalizeAssetHashes(readFileSync(join(outdir, stack.templateFile), 'utf8'))), undefined, 1);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The diff of prod's template for replicaCount 2 → 3, in both forms. */
export function replicaCountDiff(): ReplicaDiff[] {
  const two = synthesizeTemplate('prod', { overrides: JSON.stringify({ database: { replicaCount: 2 } }) }).text;
  const three = synthesizeTemplate('prod', { overrides: JSON.stringify({ database: { replicaCount: 3 } }) }).text;
  const forms: Array<[string, string, string]> = [
    ['before (acknowledgements per resource, dashboard one string)', synthesizeAsBefore({ database: { replicaCount: 2 } }), synthesizeAsBefore({ database: { replicaCount: 3 } })],
    ['acknowledgements once, dashboard one string', ...([two, three].map((t) => JSON.stringify(JSON.parse(normalizeAssetHashes(t)), undefined, 1)) as [string, string])],
    ['after (acknowledgements once, one widget, metric or alarm per line)', reviewableForm(two), reviewableForm(three)],
  ];
  return forms.map(([form, a, b]) => {
    const all = changedLines(a, b);
    const rest = changedLines(withoutDashboards(a), withoutDashboards(b));
    const chars = (lines: string[]) => lines.reduce((n, l) => n + l.length, 0);
    return { form, lines: all.length, dashboardLines: all.length - rest.length, characters: chars(all), dashboardCharacters: chars(all) - chars(rest) };
  });
}

if (require.main === module) {
  const i = process.argv.indexOf('--base');
  const base = i > 0 ? process.argv[i + 1] : '65b9efe';
  console.log(`cdk-nag and validation metadata, share of template bytes (${base} → working tree):`);
  for (const envName of ENVIRONMENT_NAMES) {
    const before = committedTemplateAt(base, envName)?.text;
    if (before === undefined) throw new Error(`${base} records no template of ${envName}`);
    const after = readFileSync(snapshotPath(envName), 'utf8');
    const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
    console.log(`  ${envName.padEnd(8)} ${pct(acknowledgementShare(before)).padStart(7)} of ${before.length} bytes → ${pct(acknowledgementShare(after)).padStart(7)} of ${after.length} bytes`);
  }
  console.log('diff of prod\'s snapshot, database.replicaCount 2 → 3 (changed lines):');
  for (const d of replicaCountDiff()) {
    const pct = (x: number, of: number) => `${((100 * x) / of).toFixed(0)} %`;
    console.log(`  ${d.form.padEnd(62)} ${String(d.lines).padStart(5)} lines (dashboard ${d.dashboardLines}, ${pct(d.dashboardLines, d.lines)}), ${String(d.characters).padStart(7)} characters (dashboard ${pct(d.dashboardCharacters, d.characters)})`);
  }
}
