// Prints the topology tables of docs/topologies.md from the committed templates: `npx tsx scripts/topologies-table.ts`.
import { topologiesTableMarkdown } from './cost/topologies';

console.log(topologiesTableMarkdown());
