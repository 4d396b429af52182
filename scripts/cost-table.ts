// Prints the README's cost table from the committed templates: `npx tsx scripts/cost-table.ts`.
import { costTableMarkdown } from './cost/readme';

console.log(costTableMarkdown());
