// `npm run review [-- --env <env>] [--stack <stack name>] [--base <git ref>] [--allow-replace <LogicalId,...>] [-c key=value]`
//
// Synthesizes every stack the app makes (in-process, Lambda bundling off): each environment's, each
// named tier with a settings file of its own, each DR stack the settings declare (app/template-
// snapshot.ts appStacks). Each is compared with the template last deployed from it, as recorded per
// stack in app/templates/ (app/committed-templates.ts), or as a git ref records it, the way
// CloudFormation would deploy the one over the other. A stack with no recorded template is new: all
// of it would be created. Prints a Markdown report for a pull-request comment; exits 1 when a
// stateful resource would be replaced or deleted and is not listed in --allow-replace, or when an
// update the service refuses (storage shrinking) would fail.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { NAG_PACKS } from '../../app/app';
import { COMMITTED_TEMPLATES_DIRECTORY, committedTemplatePath } from '../../app/committed-templates';
import { ENVIRONMENT_NAMES, EnvironmentName } from '../../app/config';
import { AppStack, appStackNamed, appStacks, reviewableForm, synthesizeStack } from '../../app/template-snapshot';
import { committedTemplateAt, committedTemplatePaths } from './committed-template';
import { CostEstimator, estimateCost } from '../../lib/cli/review/cost';
import { TemplateJson } from '../../lib/cli/review/diff';
import { EnvironmentReview, NagStatus, reviewEnvironment, reviewReport } from '../../lib/cli/review/report';

const ROOT = join(__dirname, '..', '..');

export interface ReviewOptions {
  /** Only the stacks of these environments (their own, their named tiers', their DR stacks). */
  readonly envNames?: readonly EnvironmentName[];
  /** Only these stacks, by stack name (data-tier-prod, data-tier-prod-r1, data-tier-prod-dr...). */
  readonly stackNames?: readonly string[];
  /** A git ref whose recorded templates are the old ones; default: the working tree's. */
  readonly base?: string;
  readonly allowReplace?: string[];
  /**
   * Extra app context, e.g. `{ overrides: '{"database":{"port":5434}}' }`. `name` and `drReplicaOf`
   * pick the stack (`-c name=data-tier-prod-r1`, `-c drReplicaOf=prod`), as they do for `cdk synth`.
   */
  readonly context?: Record<string, unknown>;
  readonly estimateCost?: CostEstimator;
  /** Run the five cdk-nag packs on the new app (default true). */
  readonly nag?: boolean;
  /** The settings files (default app/environments); for tests. */
  readonly environmentsDirectory?: string;
  /** The recorded templates, when not reviewing against a git ref (default app/templates); for tests. */
  readonly templatesDirectory?: string;
}

export interface ReviewResult {
  readonly reviews: EnvironmentReview[];
  readonly markdown: string;
  readonly exitCode: number;
}

export function review(options: ReviewOptions = {}): ReviewResult {
  const { stacks, context } = selectStacks(options);
  const reviews = stacks.map((appStack) => {
    const synthesized = synthesizeStack(appStack, context, { recordAcknowledgements: true, environmentsDirectory: options.environmentsDirectory });
    const after = JSON.parse(reviewableForm(synthesized.text)) as TemplateJson;
    const baseline = recordedTemplate(appStack, options);
    const nag = options.nag === false ? undefined : nagStatus(synthesized.app);
    return reviewEnvironment({
      // An environment's stack keeps its section title (prod); the others are known by their stack names.
      envName: appStack.kind === 'environment' ? appStack.envName : appStack.stackName,
      before: baseline.template,
      after,
      baseLabel: baseline.label,
      region: synthesized.stack.region,
      allowReplace: options.allowReplace ?? [],
      nag,
      estimateCost: options.estimateCost ?? estimateCost,
    });
  });
  return { reviews, ...reviewReport(reviews) };
}

/** The stacks to review, and the context shared by their synths. */
function selectStacks(options: ReviewOptions): { stacks: AppStack[]; context: Record<string, unknown> } {
  const { name, drReplicaOf, env, ...context } = options.context ?? {};
  const named = (stackName: string): AppStack => appStackNamed(stackName) ?? fail(`${stackName}: not a stack this app makes (data-tier-<env>, data-tier-<env>-<suffix>, or either with -dr)`);
  let stacks: AppStack[];
  if (options.stackNames?.length) stacks = options.stackNames.map(named);
  else if (name !== undefined || drReplicaOf !== undefined) {
    // As `cdk synth -c name=... [-c drReplicaOf=...]` picks one stack.
    const tier = name !== undefined ? String(name) : `data-tier-${String(drReplicaOf)}`;
    stacks = [named(drReplicaOf !== undefined ? `${tier}-dr` : tier)];
  } else stacks = appStacks({ environmentsDirectory: options.environmentsDirectory });
  const envNames = options.envNames ?? (env !== undefined ? [String(env) as EnvironmentName] : undefined);
  if (envNames) stacks = stacks.filter((s) => envNames.includes(s.envName));
  if (stacks.length === 0) fail(`no stack of ${envNames!.join(', ')} among those selected`);
  return { stacks, context };
}

/** The template last deployed from a stack, as recorded in the working tree or at the base ref. */
function recordedTemplate(appStack: AppStack, options: ReviewOptions): { template: TemplateJson; label: string } {
  const nothing = (missing: string) => ({ template: {}, label: `nothing: no ${missing}, so ${appStack.stackName} is a new stack and all of it would be created` });
  if (options.base) {
    const found = committedTemplateAt(options.base, appStack.stackName);
    if (!found) return nothing(`\`${options.base}:${committedTemplatePaths(appStack.stackName)[0]}\``);
    return { template: JSON.parse(found.text) as TemplateJson, label: `\`${options.base}:${found.path}\`` };
  }
  const file = committedTemplatePath(appStack.stackName, options.templatesDirectory ?? COMMITTED_TEMPLATES_DIRECTORY);
  const shown = relative(ROOT, file);
  if (!existsSync(file)) return nothing(`\`${shown}\``);
  return { template: JSON.parse(readFileSync(file, 'utf8')) as TemplateJson, label: `the committed snapshot \`${shown}\`` };
}

/** Each pack's unacknowledged findings on the construct tree, as test/stack/nag.test.ts checks them. */
function nagStatus(app: import('aws-cdk-lib').App): NagStatus {
  const findings: Record<string, string[]> = {};
  for (const Pack of NAG_PACKS) {
    const pack = new Pack();
    findings[pack.readPackName] = pack.validateScope(app).violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
  }
  return { findings };
}

export const USAGE = 'usage: npm run review -- [--env dev|staging|prod] [--stack <stack name>] [--base <git ref>] [--allow-replace <LogicalId,...>] [-c key=value]';

export function parseArguments(argv: string[]): ReviewOptions {
  const envNames: EnvironmentName[] = [];
  const stackNames: string[] = [];
  const allowReplace: string[] = [];
  const context: Record<string, unknown> = {};
  let base: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)] : [argv[i], undefined];
    const value = () => inline ?? argv[++i] ?? fail(`${flag} needs a value`);
    if (flag === '--env') {
      const name = value();
      if (!(ENVIRONMENT_NAMES as readonly string[]).includes(name)) fail(`--env ${name}: one of ${ENVIRONMENT_NAMES.join(', ')}`);
      envNames.push(name as EnvironmentName);
    } else if (flag === '--stack') stackNames.push(value());
    else if (flag === '--base') base = value();
    else if (flag === '--allow-replace') allowReplace.push(...value().split(',').map((s) => s.trim()).filter(Boolean));
    else if (flag === '-c' || flag === '--context') {
      const pair = value();
      const eq = pair.indexOf('=');
      if (eq < 1) fail(`${flag} ${pair}: expected key=value`);
      context[pair.slice(0, eq)] = pair.slice(eq + 1);
    } else fail(`unknown argument ${argv[i]}; ${USAGE}`);
  }
  return { envNames: envNames.length > 0 ? envNames : undefined, stackNames: stackNames.length > 0 ? stackNames : undefined, base, allowReplace, context };
}

function fail(message: string): never {
  throw new Error(message);
}

if (require.main === module) {
  try {
    const result = review(parseArguments(process.argv.slice(2)));
    console.log(result.markdown);
    process.exitCode = result.exitCode;
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 2;
  }
}
