// Rewrites app/templates/<env>.template.json from the current code: `npm run snapshot:update`.
import { writeFileSync } from 'node:fs';
import { ENVIRONMENT_NAMES } from '../app/config';
import { reviewableTemplate, snapshotPath } from '../app/template-snapshot';

for (const envName of ENVIRONMENT_NAMES) {
  writeFileSync(snapshotPath(envName), reviewableTemplate(envName));
  console.log(`wrote ${snapshotPath(envName)}`);
}
