// Prints the cost table of docs/cost.md from the committed templates: `npx tsx scripts/cost-table.ts`.
import { costTableMarkdown } from './cost/readme';

console.log(costTableMarkdown());
