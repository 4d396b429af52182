// What the app knows of the deployed tier without AWS credentials: the committed, reviewed
// template snapshot of each environment (app/templates/<env>.template.json), which the review
// test keeps equal to what the app synthesizes. Its primary's EngineVersion is the major the
// instances run; a change of major must come through the blue/green path
// (runbooks/major-version-upgrade.md), and `npm run snapshot:update` records the new one.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the committed snapshots live. */
export const COMMITTED_TEMPLATES_DIR = join(__dirname, 'templates');

/** Where a git ref holds an environment's committed template: app/templates/, or test/snapshots/ in refs older than that. */
export const COMMITTED_TEMPLATE_PATHS = (envName: string) => [`app/templates/${envName}.template.json`, `test/snapshots/${envName}.template.json`];

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: { readonly EngineVersion?: unknown; readonly SourceDBInstanceIdentifier?: unknown };
}

/** The PostgreSQL major of the primary in `<env>.template.json`, or undefined when there is no snapshot. */
export function committedEngineMajorVersion(envName: string, directory = COMMITTED_TEMPLATES_DIR): number | undefined {
  const file = join(directory, `${envName}.template.json`);
  if (!existsSync(file)) return undefined;
  const template = JSON.parse(readFileSync(file, 'utf8')) as { Resources?: Record<string, TemplateResource> };
  const primary = Object.values(template.Resources ?? {}).find(
    (r) => r.Type === 'AWS::RDS::DBInstance' && r.Properties?.SourceDBInstanceIdentifier === undefined && typeof r.Properties?.EngineVersion === 'string',
  );
  const major = primary ? Number.parseInt(String(primary.Properties!.EngineVersion), 10) : NaN;
  return Number.isInteger(major) ? major : undefined;
}
