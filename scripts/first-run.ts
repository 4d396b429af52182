// The first run, for someone who has just cloned the repository:   npm start
// Synthesizes dev, staging and prod offline (no AWS account) as `cdk synth` does, prints one
// line per environment (where the template is, how many resources, whether the five cdk-nag
// packs passed, and the estimated monthly cost where a cost module exists), then runs the local
// database report (`npm run db:local`). The CLI's own output (asset bundling and the like) is
// shown only when a synthesis fails, or with --verbose.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../app/config';
import { estimateMonthlyCost } from '../lib/cli/cost/estimate';

const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');
/** The packs app/app.ts registers (NAG_PACKS), in words. */
const NAG_PACK_NAMES = ['AwsSolutions', 'NIST 800-53 rev 5', 'HIPAA Security', 'PCI DSS 3.2.1', 'Serverless'];

interface Run {
  readonly code: number;
  readonly output: string;
}

/** Runs a command; its output is shown as it comes with `verbose`, otherwise kept for a failure. */
function run(command: string, args: readonly string[], verbose: boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: verbose ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

export interface EnvironmentSummary {
  readonly envName: EnvironmentName;
  readonly template: string;
  readonly resources: number;
  /** Undefined when no validation report was written. */
  readonly nag?: { readonly passed: boolean; readonly failures: readonly string[] };
  readonly seconds: number;
  readonly monthlyCost?: string;
}

/** What cdk.out/<env> holds after `cdk synth -c env=<env> --output cdk.out/<env>`. */
export function summarize(envName: EnvironmentName, outdir: string, seconds: number): Omit<EnvironmentSummary, 'monthlyCost'> {
  const templateFile = path.join(outdir, `data-tier-${envName}.template.json`);
  const template = JSON.parse(readFileSync(templateFile, 'utf8')) as { Resources?: Record<string, unknown> };
  const reportFile = path.join(outdir, 'validation-report.json');
  let nag: EnvironmentSummary['nag'];
  if (existsSync(reportFile)) {
    // aws-cdk-lib lists only the plugins that failed or found something; an empty list is a pass.
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
      pluginReports?: { summary: { pluginName: string; status: string }; violations: unknown[] }[];
    };
    const failures = (report.pluginReports ?? []).map((p) => `${p.summary.pluginName}: ${p.violations.length} finding(s)`);
    nag = { passed: failures.length === 0, failures };
  }
  return {
    envName,
    template: path.relative(ROOT, templateFile),
    resources: Object.keys(template.Resources ?? {}).length,
    nag,
    seconds,
  };
}

/**
 * The estimated monthly on-demand cost of a template in us-east-1 (`npm run cost`): the priced
 * lines, and how many lines have no sourced price yet and are left out.
 */
function monthlyCost(templateFile: string): string {
  const estimate = estimateMonthlyCost(JSON.parse(readFileSync(path.join(ROOT, templateFile), 'utf8')), { region: 'us-east-1' });
  const dollars = `$${Math.round(estimate.total).toLocaleString('en-US')}`;
  return estimate.unpriced.length === 0 ? `${dollars} a month` : `${dollars}+ a month (${estimate.unpriced.length} lines not priced yet)`;
}

export function formatSummary(summaries: readonly EnvironmentSummary[]): string {
  const nagCell = (s: EnvironmentSummary) => (s.nag === undefined ? 'not run' : s.nag.passed ? `${NAG_PACK_NAMES.length} packs pass` : `FAILED: ${s.nag.failures.join('; ')}`);
  const withCost = summaries.some((s) => s.monthlyCost !== undefined);
  const header = ['env', 'template', 'resources', 'cdk-nag', 'synth', ...(withCost ? ['estimated cost'] : [])];
  const rows = summaries.map((s) => [s.envName, s.template, String(s.resources), nagCell(s), `${s.seconds.toFixed(0)} s`, ...(withCost ? [s.monthlyCost ?? ''] : [])]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ')}`.trimEnd();
  return [
    `Synthesized offline, no AWS account used; cdk-nag packs: ${NAG_PACK_NAMES.join(', ')}.`,
    '',
    line(header),
    ...rows.map(line),
    '',
    'Deploy one with `npx cdk deploy -c env=<env>` (AWS credentials; docs/operations.md, "Deploy"). The CLI output: `npm start -- --verbose`.',
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { verbose: { type: 'boolean', default: false } } });
  const verbose = values.verbose ?? false;
  const summaries: EnvironmentSummary[] = [];
  for (const envName of ENVIRONMENT_NAMES) {
    const outdir = path.join('cdk.out', envName);
    process.stderr.write(`synthesizing ${envName} ... `);
    const started = Date.now();
    const result = await run(path.join(BIN, 'cdk'), ['synth', '-c', `env=${envName}`, '--quiet', '--output', outdir], verbose);
    const seconds = (Date.now() - started) / 1000;
    if (result.code !== 0) {
      process.stderr.write('failed\n');
      console.error(result.output.trimEnd());
      console.error(`\n\`cdk synth -c env=${envName}\` failed (exit code ${result.code}); its output is above.`);
      process.exit(result.code);
    }
    process.stderr.write(`${seconds.toFixed(0)} s\n`);
    const summary = summarize(envName, path.join(ROOT, outdir), seconds);
    summaries.push({ ...summary, monthlyCost: monthlyCost(summary.template) });
  }
  console.log(`\n${formatSummary(summaries)}\n`);
  console.log('Local database: an embedded PostgreSQL with every migration applied (`npm run db:local`)\n');
  const report = await run(path.join(BIN, 'tsx'), [path.join('lib', 'cli', 'index.ts'), 'db', 'local', '--migrations', path.join('app', 'sql', 'analytics')], true);
  process.exit(report.code);
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(1);
  });
}
