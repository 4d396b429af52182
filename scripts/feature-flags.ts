// Sets every CDK feature flag cdk.json leaves unconfigured: to aws-cdk-lib's recommended value
// when that changes nothing in the three environments' templates, otherwise explicitly to the
// value it has today (so `cdk synth` stops listing it as unconfigured), with the reason in
// docs/feature-flags.md.   npx tsx scripts/feature-flags.ts   (one process, a few minutes)
//
// Each candidate is tried by synthesizing dev, staging and prod in-process with it set and
// comparing with the same synthesis without it (groups first, split only where something
// changed); the flags kept are then checked together. The cdk-nag packs are left out of these
// trial syntheses: they only add metadata that follows from the resources compared here, and
// the snapshot test checks the final cdk.json with them.
import { App } from 'aws-cdk-lib';
import { FLAGS } from 'aws-cdk-lib/cx-api';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../app/app';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../app/config';
import { normalizeAssetHashes, SNAPSHOT_ENVIRONMENT } from '../app/template-snapshot';

const ROOT = join(__dirname, '..');
const CDK_JSON = join(ROOT, 'cdk.json');
const REPORT = join(ROOT, 'docs', 'feature-flags.md');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RECOMMENDED: Record<string, unknown> = require('aws-cdk-lib/recommended-feature-flags.json');

type Template = { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown>; [k: string]: unknown }>; [k: string]: unknown };

let syntheses = 0;
function synth(envName: EnvironmentName, flags: Record<string, unknown>): Template {
  const outdir = mkdtempSync(join(tmpdir(), 'data-tier-flags-'));
  try {
    const app = new App({ outdir, context: flags, builtinCloudFormationValidation: false });
    const stack = buildApp(app, { context: { env: envName }, environment: SNAPSHOT_ENVIRONMENT });
    app.synth();
    syntheses++;
    return JSON.parse(normalizeAssetHashes(readFileSync(join(outdir, stack.templateFile), 'utf8'))) as Template;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** What changes between two templates, in words: resources added, removed (replaced) or altered. */
function describeChange(before: Template, after: Template): string {
  const a = before.Resources ?? {};
  const b = after.Resources ?? {};
  const parts: string[] = [];
  const removed = Object.keys(a).filter((id) => !(id in b));
  const added = Object.keys(b).filter((id) => !(id in a));
  const changed = Object.keys(a).filter((id) => id in b && JSON.stringify(a[id]) !== JSON.stringify(b[id]));
  const list = (ids: string[], t: Record<string, { Type: string }>) =>
    ids.slice(0, 4).map((id) => `${id} (${t[id].Type})`).join(', ') + (ids.length > 4 ? ` and ${ids.length - 4} more` : '');
  if (removed.length > 0) parts.push(`removes or renames ${list(removed, a)}, which CloudFormation would replace`);
  if (added.length > 0) parts.push(`adds ${list(added, b)}`);
  if (changed.length > 0) {
    const fields = new Set<string>();
    for (const id of changed) {
      for (const key of new Set([...Object.keys(a[id].Properties ?? {}), ...Object.keys(b[id].Properties ?? {})])) {
        if (JSON.stringify(a[id].Properties?.[key]) !== JSON.stringify(b[id].Properties?.[key])) fields.add(key);
      }
      for (const key of Object.keys({ ...a[id], ...b[id] })) {
        if (key !== 'Properties' && JSON.stringify(a[id][key]) !== JSON.stringify(b[id][key])) fields.add(key);
      }
    }
    parts.push(`alters ${list(changed, a)} (${[...fields].join(', ')})`);
  }
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (key !== 'Resources' && JSON.stringify(before[key]) !== JSON.stringify(after[key])) parts.push(`changes the template's ${key}`);
  }
  return parts.join('; ') || 'changes the template';
}

interface Outcome {
  readonly flag: string;
  readonly recommended: unknown;
  /** Undefined when the recommended value changes nothing. */
  readonly reason?: string;
}

function main(): void {
  const cdkJson = JSON.parse(readFileSync(CDK_JSON, 'utf8')) as { context: Record<string, unknown> };
  // Today's flags: what cdk.json sets. Candidates: every flag not at its recommended value yet
  // (unconfigured, or kept at the old behaviour by an earlier run, which is tried again).
  const current = Object.fromEntries(Object.entries(cdkJson.context).filter(([key]) => key in RECOMMENDED));
  const candidates = Object.keys(RECOMMENDED)
    .filter((flag) => JSON.stringify(current[flag]) !== JSON.stringify(RECOMMENDED[flag]))
    .sort();
  console.error(`${candidates.length} flags not at their recommended value; synthesizing the baseline`);
  const started = Date.now();
  const baseline = Object.fromEntries(ENVIRONMENT_NAMES.map((envName) => [envName, synth(envName, current)])) as Record<EnvironmentName, Template>;

  /** The first environment whose template the flags change, with the change; undefined when none does. */
  const tryFlags = (flags: string[]): string | undefined => {
    const context = { ...current, ...Object.fromEntries(flags.map((flag) => [flag, RECOMMENDED[flag]])) };
    for (const envName of ENVIRONMENT_NAMES) {
      let template: Template;
      try {
        template = synth(envName, context);
      } catch (error) {
        return `${envName}: synthesis fails: ${(error as Error).message.split('\n')[0]}`;
      }
      if (JSON.stringify(template) !== JSON.stringify(baseline[envName])) return `${envName}: ${describeChange(baseline[envName], template)}`;
    }
    return undefined;
  };

  const outcomes: Outcome[] = [];
  const progress = () => console.error(`  ${outcomes.length}/${candidates.length} decided, ${syntheses} syntheses, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const search = (group: string[]): void => {
    if (group.length === 0) return;
    const change = tryFlags(group);
    if (change === undefined) {
      outcomes.push(...group.map((flag) => ({ flag, recommended: RECOMMENDED[flag] })));
      progress();
    } else if (group.length === 1) {
      outcomes.push({ flag: group[0], recommended: RECOMMENDED[group[0]], reason: change });
      progress();
    } else {
      const half = Math.ceil(group.length / 2);
      search(group.slice(0, half));
      search(group.slice(half));
    }
  };
  search(candidates);

  // The kept flags together, in case two of them interact.
  let kept = outcomes.filter((o) => o.reason === undefined).map((o) => o.flag);
  const together = tryFlags(kept);
  if (together !== undefined) throw new Error(`the flags that change nothing alone change the templates together: ${together}; set them one by one`);

  const context: Record<string, unknown> = { ...cdkJson.context };
  for (const outcome of outcomes) {
    context[outcome.flag] = outcome.reason === undefined ? outcome.recommended : todaysValue(outcome.flag);
  }
  kept = kept.sort();
  writeFileSync(CDK_JSON, JSON.stringify({ ...cdkJson, context }, null, 2) + '\n');
  mkdirSync(join(ROOT, 'docs'), { recursive: true });
  const atRecommended = Object.keys(RECOMMENDED).filter((flag) => JSON.stringify(context[flag]) === JSON.stringify(RECOMMENDED[flag])).length;
  writeFileSync(REPORT, renderReport(outcomes, atRecommended));
  console.log(`${kept.length} flags newly set to their recommended value, ${outcomes.length - kept.length} kept at today's behaviour (docs/feature-flags.md); ${syntheses} syntheses in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** The value a flag behaves as when unconfigured: what the committed templates were built with. */
function todaysValue(flag: string): unknown {
  const info = (FLAGS as Record<string, { unconfiguredBehavesLike?: { v2?: unknown } }>)[flag];
  return info?.unconfiguredBehavesLike?.v2 ?? false;
}

function renderReport(outcomes: readonly Outcome[], keptCount: number): string {
  const left = outcomes.filter((o) => o.reason !== undefined).sort((x, y) => x.flag.localeCompare(y.flag));
  const lines = [
    '# CDK feature flags',
    '',
    '<!-- Generated by `npx tsx scripts/feature-flags.ts`; edit that script, not this file. -->',
    '',
    `aws-cdk-lib recommends a value for each of its feature flags; \`cdk.json\` sets every one of them, so \`cdk synth\` has none left unconfigured. ` +
      `${keptCount} are set to the recommended value: each was tried on dev, staging and prod and changes nothing in the templates. ` +
      `${left.length} would change a committed template, so \`cdk.json\` keeps the behaviour the stacks were deployed with; switching one is a reviewed infrastructure change ` +
      '(set it in `cdk.json`, run `npm run snapshot:update`, read the diff; a replaced stateful resource also fails `test/stack/review.test.ts`).',
    '',
    'Re-run `npx tsx scripts/feature-flags.ts` after upgrading aws-cdk-lib: it tries every flag `cdk.json` does not set to its recommended value yet, including the ones above.',
    '',
    '| flag | recommended | kept at | what the recommended value would change (first environment where it does) |',
    '|---|---|---|---|',
    ...left.map((o) => `| \`${o.flag}\` | \`${JSON.stringify(o.recommended)}\` | \`${JSON.stringify(todaysValue(o.flag))}\` | ${o.reason!.replace(/\|/g, '\\|')} |`),
    '',
  ];
  return lines.join('\n');
}

main();
