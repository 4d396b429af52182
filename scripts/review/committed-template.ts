import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { committedTemplateFile, environmentOfStack } from '../../app/committed-templates';
import { COMMITTED_TEMPLATE_PATHS } from '../../app/deployed-version';

const ROOT = join(__dirname, '..', '..');

/**
 * Where a git ref holds the recorded template of a stack (its stack name, or an environment's name):
 * an environment's at app/templates/<env>.template.json, or test/snapshots/ in refs older than that
 * (app/deployed-version.ts COMMITTED_TEMPLATE_PATHS); any other stack's at
 * app/templates/<stack name>.template.json.
 */
export function committedTemplatePaths(stackOrEnvName: string): string[] {
  const envName = environmentOfStack(stackOrEnvName) ?? environmentOfStack(`data-tier-${stackOrEnvName}`);
  return envName ? COMMITTED_TEMPLATE_PATHS(envName) : [`app/templates/${committedTemplateFile(stackOrEnvName)}`];
}

/** The recorded template of a stack at a git ref and where it was, or undefined when that ref records none (the stack is newer). */
export function committedTemplateAt(base: string, stackOrEnvName: string): { readonly path: string; readonly text: string } | undefined {
  try {
    execFileSync('git', ['rev-parse', '--verify', '--quiet', `${base}^{commit}`], { cwd: ROOT, stdio: 'ignore' });
  } catch {
    throw new Error(`--base ${base}: not a commit of this repository`);
  }
  for (const path of committedTemplatePaths(stackOrEnvName)) {
    try {
      return { path, text: execFileSync('git', ['show', `${base}:${path}`], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] }) };
    } catch {
      // Not at this path in that ref: try the older one.
    }
  }
  return undefined;
}
