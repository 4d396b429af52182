// Where the template last deployed from each stack of the app is recorded, one file per stack, for
// review (`npm run review`) and for what the app knows of the deployed tiers without credentials:
// app/templates/<env>.template.json for an environment's stack (data-tier-<env>), and
// app/templates/<stack name>.template.json for every other stack the app makes (a named tier such as
// data-tier-prod-r1, a DR stack such as data-tier-prod-dr). `npm run snapshot:update` writes them
// (scripts/update-snapshots.ts) and test/stack/review.test.ts keeps them equal to what the app
// synthesizes. This module imports nothing of the app, so any part of it can ask.
import { join } from 'node:path';

/** The directory of the recorded templates. */
export const COMMITTED_TEMPLATES_DIRECTORY = join(__dirname, 'templates');

/**
 * The environment whose stack `stackName` is, if it is one: `data-tier-<env>` (app/config.ts
 * stackNameFor); a named tier is `data-tier-<env>-<suffix>`, a DR stack `<tier's stack>-dr`.
 */
export function environmentOfStack(stackName: string): string | undefined {
  return /^data-tier-([a-z0-9]+)$/.exec(stackName)?.[1];
}

/** The file name of a stack's recorded template: `<env>.template.json` for an environment's stack, else `<stack name>.template.json`. */
export function committedTemplateFile(stackName: string): string {
  return `${environmentOfStack(stackName) ?? stackName}.template.json`;
}

/** The recorded template of a stack, by its stack name (data-tier-prod, data-tier-prod-r1, data-tier-prod-dr...). */
export function committedTemplatePath(stackName: string, directory: string = COMMITTED_TEMPLATES_DIRECTORY): string {
  return join(directory, committedTemplateFile(stackName));
}
