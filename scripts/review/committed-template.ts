import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { COMMITTED_TEMPLATE_PATHS } from '../../app/deployed-version';

const ROOT = join(__dirname, '..', '..');

/** The committed template of an environment at a git ref (in app/templates/, or test/snapshots/ before it moved). */
export function committedTemplateAt(base: string, envName: string): string {
  for (const path of COMMITTED_TEMPLATE_PATHS(envName)) {
    try {
      return execFileSync('git', ['show', `${base}:${path}`], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      // Not at this path in that ref: try the older one.
    }
  }
  throw new Error(`${base} holds no committed template of ${envName} (${COMMITTED_TEMPLATE_PATHS(envName).join(' or ')})`);
}
