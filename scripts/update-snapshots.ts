// Records the template of every stack the app makes, as it would deploy them, in app/templates/:
// `npm run snapshot:update`. Each environment's stack is <env>.template.json; a named tier with its
// own settings file, and each DR stack the settings declare, is <stack name>.template.json
// (app/committed-templates.ts). A recorded template of a stack the app no longer makes is removed.
import { rmSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { AppStack, appStacks, committedTemplatePath, reviewableStackTemplate, StackSources, strayTemplates } from '../app/template-snapshot';
import { COMMITTED_TEMPLATES_DIRECTORY } from '../app/committed-templates';

/** Writes the recorded template of each stack into `directory`, and removes the strays; says what it did. */
export function recordTemplates(directory: string = COMMITTED_TEMPLATES_DIRECTORY, sources: StackSources = {}, log: (line: string) => void = console.log): AppStack[] {
  const stacks = appStacks(sources);
  for (const stack of stacks) {
    const file = committedTemplatePath(stack.stackName, directory);
    writeFileSync(file, reviewableStackTemplate(stack, {}, sources));
    log(`wrote ${relative(process.cwd(), file)} (${stack.stackName})`);
  }
  for (const file of strayTemplates(stacks, directory)) {
    rmSync(file);
    log(`removed ${relative(process.cwd(), file)}: no stack of the app records its template there`);
  }
  return stacks;
}

if (require.main === module) recordTemplates();
