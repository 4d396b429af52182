import { App, Stack } from 'aws-cdk-lib';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, BuildOptions, buildDrReplicaApp } from './app';
import { committedTemplatePath } from './committed-templates';
import { ENVIRONMENT_NAMES, ENVIRONMENTS_DIRECTORY, EnvironmentName, resolveConfig } from './config';
import { DataTierStack } from './data-tier-stack';
import { COMMITTED_TEMPLATES_DIR } from './deployed-version';
import { dashboardBodySubstitution } from '../lib/cli/review/dashboard-body';

export { dashboardBodySubstitution };
export { COMMITTED_TEMPLATES_DIRECTORY, committedTemplateFile, committedTemplatePath, environmentOfStack } from './committed-templates';

/** Account and region the reviewable snapshots are synthesized for. */
export const SNAPSHOT_ENVIRONMENT = { CDK_DEFAULT_ACCOUNT: '111111111111', CDK_DEFAULT_REGION: 'us-east-1' };

/** Where the reviewable template of each environment is kept. */
export function snapshotPath(envName: EnvironmentName): string {
  return join(COMMITTED_TEMPLATES_DIR, `${envName}.template.json`);
}

export interface SynthesizedTemplate {
  readonly app: App;
  readonly stack: DataTierStack;
  /** The template file exactly as `cdk synth` writes it. */
  readonly text: string;
}

/** One stack the app makes, and the context that makes it (`cdk synth -c ...`). */
export interface AppStack {
  readonly stackName: string;
  readonly kind: 'environment' | 'named tier' | 'DR replica';
  readonly envName: EnvironmentName;
  /** `env`, and `name` for a named tier; `drReplicaOf` (and `name`) for a DR stack. */
  readonly context: Readonly<Record<string, string>>;
}

/** Where the app reads its settings files (tests give a directory of their own). */
export interface StackSources {
  /** @default app/environments */
  readonly environmentsDirectory?: string;
}

/** How a stack is synthesized in-process. */
export interface SynthesisOptions extends BuildOptions, StackSources {
  /**
   * Run aws-cdk-lib's built-in CloudFormation validation during synthesis (several seconds a
   * stack; test/stack/cfn-validation.test.ts is where its findings fail the build).
   * @default true
   */
  readonly builtinCloudFormationValidation?: boolean;
}

/**
 * The stack a stack name stands for, as the app names its stacks (app/config.ts stackNameFor,
 * app/app.ts buildDrReplicaApp): `data-tier-<env>`, a named tier `data-tier-<env>-<suffix>`, and the
 * DR stack of either, `<its stack name>-dr`. Undefined for a name the app never makes.
 */
export function appStackNamed(stackName: string): AppStack | undefined {
  const dr = stackName.endsWith('-dr');
  const tier = dr ? stackName.slice(0, -'-dr'.length) : stackName;
  const envName = ENVIRONMENT_NAMES.find((e) => tier === `data-tier-${e}` || tier.startsWith(`data-tier-${e}-`));
  if (!envName) return undefined;
  const name: Record<string, string> = tier === `data-tier-${envName}` ? {} : { name: tier };
  if (dr) return { stackName, kind: 'DR replica', envName, context: { drReplicaOf: envName, ...name } };
  return { stackName, kind: 'name' in name ? 'named tier' : 'environment', envName, context: { env: envName, ...name } };
}

/**
 * Every stack the app makes from its committed settings: each environment's; each named tier with
 * a settings file of its own (app/environments/data-tier-<env>-<suffix>.json, e.g. a restored
 * tier); and the DR stack of each of those whose settings declare one (`drReplica`).
 */
export function appStacks(sources: StackSources = {}): AppStack[] {
  const directory = sources.environmentsDirectory ?? ENVIRONMENTS_DIRECTORY;
  const named = readdirSync(directory)
    .filter((file) => file.endsWith('.json'))
    .map((file) => appStackNamed(file.slice(0, -'.json'.length)))
    .filter((stack): stack is AppStack => stack?.kind === 'named tier')
    .sort((a, b) => a.stackName.localeCompare(b.stackName));
  const tiers = ENVIRONMENT_NAMES.flatMap((envName) => [appStackNamed(`data-tier-${envName}`)!, ...named.filter((n) => n.envName === envName)]);
  return tiers.flatMap((tier) => {
    const { settings } = resolveConfig({ context: tier.context, environment: SNAPSHOT_ENVIRONMENT, environmentsDirectory: directory });
    return settings.drReplica === undefined ? [tier] : [tier, appStackNamed(`${tier.stackName}-dr`)!];
  });
}

/**
 * Synthesizes one stack of the app in-process as `cdk synth -c ...` does (cdk.json's feature flags,
 * the cdk-nag packs as the app registers them unless `options` says otherwise), Lambda bundling
 * off. `context` is added to the stack's own (e.g. `overrides`).
 */
export function synthesizeStack(
  appStack: AppStack,
  context: Record<string, unknown> = {},
  options: SynthesisOptions = { registerNagPacks: true },
): { readonly app: App; readonly stack: Stack; readonly text: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'data-tier-synth-'));
  try {
    const app = new App({ outdir, builtinCloudFormationValidation: options.builtinCloudFormationValidation, context: { ...featureFlagsOfCdkJson(), 'aws:cdk:bundling-stacks': [] } });
    const sources = { context: { ...context, ...appStack.context }, environment: SNAPSHOT_ENVIRONMENT, environmentsDirectory: options.environmentsDirectory };
    // The DR stack writes cdk-nag's acknowledgements on each resource when the packs are registered, as `cdk synth` does.
    const stack = appStack.kind === 'DR replica' ? buildDrReplicaApp(app, sources, { registerNagPacks: true }) : buildApp(app, sources, options);
    app.synth();
    return { app, stack, text: readFileSync(join(outdir, stack.templateFile), 'utf8') };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The reviewable form of one stack's template, as `npm run snapshot:update` records it. */
export function reviewableStackTemplate(appStack: AppStack, context: Record<string, unknown> = {}, sources: StackSources = {}): string {
  return reviewableForm(synthesizeStack(appStack, context, { registerNagPacks: true, ...sources }).text);
}

/** The recorded templates of a directory that no stack of the app has: left by a stack the app no longer makes. */
export function strayTemplates(stacks: readonly AppStack[], directory: string = COMMITTED_TEMPLATES_DIR): string[] {
  const expected = new Set(stacks.map((s) => committedTemplatePath(s.stackName, directory)));
  return readdirSync(directory)
    .filter((file) => file.endsWith('.template.json'))
    .map((file) => join(directory, file))
    .filter((path) => !expected.has(path) && existsSync(path));
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
 * Synthesizes one environment in-process as `cdk synth` does (cdk.json's feature flags), Lambda
 * bundling off, into a throwaway directory. `context` is added to the app's (e.g. `overrides`).
 */
export function synthesizeTemplate(envName: EnvironmentName, context: Record<string, unknown> = {}, options: SynthesisOptions = { registerNagPacks: true }): SynthesizedTemplate {
  return synthesizeStack(appStackNamed(`data-tier-${envName}`)!, context, options) as SynthesizedTemplate;
}

/**
 * The template as `cdk synth` writes it (nag packs registered, acknowledgements in the
 * metadata), in its reviewable form ({@link reviewableForm}).
 */
export function reviewableTemplate(envName: EnvironmentName, context: Record<string, unknown> = {}): string {
  return reviewableForm(synthesizeTemplate(envName, context).text);
}

/**
 * What is committed for review: asset hashes replaced, so the snapshot only changes when the
 * infrastructure does, and each dashboard's body written one widget per line
 * ({@link reviewableDashboardBody}). The result is still an equivalent, deployable template.
 */
export function reviewableForm(templateText: string): string {
  const template = JSON.parse(normalizeAssetHashes(templateText));
  for (const resource of Object.values((template.Resources ?? {}) as Record<string, { Type: string; Properties?: Record<string, unknown> }>)) {
    if (resource.Type === 'AWS::CloudWatch::Dashboard' && resource.Properties?.DashboardBody !== undefined) {
      resource.Properties.DashboardBody = reviewableDashboardBody(resource.Properties.DashboardBody);
    }
  }
  return JSON.stringify(template, undefined, 1);
}

export function normalizeAssetHashes(template: string): string {
  return template.replace(/[0-9a-f]{64}(\.zip|\.json)?/g, (_, ext: string | undefined) => `<asset-hash>${ext ?? ''}`);
}

/**
 * A dashboard body is one JSON string, joined by aws-cdk-lib from literal pieces and the
 * alarms' ARNs: a replica more rewrites most of one giant line of the snapshot. Written as
 * `Fn::Join` of one `Fn::Sub` per widget (`${Alarm.Arn}` in place of each `Fn::GetAtt`), and per
 * metric or alarm of a widget, each is one line, and a diff shows the lines that changed. CloudFormation resolves both
 * forms to the same string. A body this cannot rewrite (another intrinsic function inside) is
 * returned unchanged.
 */
export function reviewableDashboardBody(body: unknown): unknown {
  const text = dashboardBodySubstitution(body);
  if (text === undefined) return body;
  let parsed: { widgets?: unknown[] };
  try {
    // The placeholders sit inside JSON strings, so the text with them parses as the body does.
    parsed = JSON.parse(text);
  } catch {
    return body;
  }
  if (!Array.isArray(parsed.widgets)) return body;
  const { widgets, ...rest } = parsed;
  const head = JSON.stringify({ ...rest, widgets: [] }).replace(/\]\}$/, '');
  const piece = (s: string) => (/\$\{(?!!)/.test(s) ? { 'Fn::Sub': s } : s.replace(/\$\{!/g, '${'));
  const pieces = widgets.flatMap((w, i) => {
    const parts = widgetPieces(w);
    if (i < widgets.length - 1) parts[parts.length - 1] += ',';
    return parts;
  });
  return { 'Fn::Join': ['', [piece(head), ...pieces.map(piece), ']}']] };
}

/**
 * `JSON.stringify(widget)` cut into pieces: the widget, and each element of its metrics or
 * alarms list on its own, so a replica more adds lines instead of rewriting each widget's.
 */
function widgetPieces(widget: unknown): string[] {
  const properties = (widget as { properties?: Record<string, unknown> })?.properties;
  const key = ['metrics', 'alarms'].find((k) => Array.isArray(properties?.[k]) && (properties![k] as unknown[]).length > 1);
  if (!key) return [JSON.stringify(widget)];
  const list = properties![key] as unknown[];
  const marker = '\u0000list\u0000';
  const text = JSON.stringify({ ...(widget as object), properties: { ...properties, [key]: marker } });
  const [before, after] = text.split(JSON.stringify(marker));
  return [`${before}[`, ...list.map((e, i) => JSON.stringify(e) + (i < list.length - 1 ? ',' : '')), `]${after}`];
}
