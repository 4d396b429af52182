// `npm run review [-- --env <env>] [--base <git ref>] [--allow-replace <LogicalId,...>] [-c key=value]`
//
// Synthesizes each environment (in-process, Lambda bundling off) and compares it with the
// committed snapshot, or with the snapshot of a git ref, as CloudFormation would deploy the one
// over the other. Prints a Markdown report for a pull-request comment; exits 1 when a stateful
// resource would be replaced or deleted and is not listed in --allow-replace.
import { readFileSync } from 'node:fs';
import { NAG_PACKS } from '../../app/app';
import { ENVIRONMENT_NAMES, EnvironmentName } from '../../app/config';
import { reviewableForm, snapshotPath, synthesizeTemplate } from '../../app/template-snapshot';
import { committedTemplateAt } from './committed-template';
import { CostEstimator, estimateCost } from '../../lib/cli/review/cost';
import { TemplateJson } from '../../lib/cli/review/diff';
import { EnvironmentReview, NagStatus, reviewEnvironment, reviewReport } from '../../lib/cli/review/report';

export interface ReviewOptions {
  readonly envNames?: readonly EnvironmentName[];
  /** A git ref whose committed snapshots are the old templates; default: the working tree's. */
  readonly base?: string;
  readonly allowReplace?: string[];
  /** Extra app context, e.g. `{ overrides: '{"database":{"port":5434}}' }`. */
  readonly context?: Record<string, unknown>;
  readonly estimateCost?: CostEstimator;
  /** Run the five cdk-nag packs on the new app (default true). */
  readonly nag?: boolean;
}

export interface ReviewResult {
  readonly reviews: EnvironmentReview[];
  readonly markdown: string;
  readonly exitCode: number;
}


export function review(options: ReviewOptions = {}): ReviewResult {
  const envNames = options.envNames ?? ENVIRONMENT_NAMES;
  const reviews = envNames.map((envName) => {
    const synthesized = synthesizeTemplate(envName, options.context ?? {}, { recordAcknowledgements: true });
    const after = JSON.parse(reviewableForm(synthesized.text)) as TemplateJson;
    const before = JSON.parse(oldTemplate(envName, options.base)) as TemplateJson;
    const nag = options.nag === false ? undefined : nagStatus(synthesized.app);
    return reviewEnvironment({
      envName,
      before,
      after,
      baseLabel: options.base ? `\`${options.base}:app/templates/${envName}.template.json\`` : `the committed snapshot \`app/templates/${envName}.template.json\``,
      region: synthesized.stack.region,
      allowReplace: options.allowReplace ?? [],
      nag,
      estimateCost: options.estimateCost ?? estimateCost,
    });
  });
  return { reviews, ...reviewReport(reviews) };
}

function oldTemplate(envName: EnvironmentName, base: string | undefined): string {
  if (!base) return readFileSync(snapshotPath(envName), 'utf8');
  return committedTemplateAt(base, envName);
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

export function parseArguments(argv: string[]): ReviewOptions {
  const envNames: EnvironmentName[] = [];
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
    } else if (flag === '--base') base = value();
    else if (flag === '--allow-replace') allowReplace.push(...value().split(',').map((s) => s.trim()).filter(Boolean));
    else if (flag === '-c' || flag === '--context') {
      const pair = value();
      const eq = pair.indexOf('=');
      if (eq < 1) fail(`${flag} ${pair}: expected key=value`);
      context[pair.slice(0, eq)] = pair.slice(eq + 1);
    } else fail(`unknown argument ${argv[i]}; usage: npm run review -- [--env dev|staging|prod] [--base <git ref>] [--allow-replace <LogicalId,...>] [-c key=value]`);
  }
  return { envNames: envNames.length > 0 ? envNames : undefined, base, allowReplace, context };
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
