// Prints the topology tables of docs/topologies.md, each topology synthesized from the app: `npx tsx scripts/topologies-table.ts`.
import { topologiesTableMarkdown } from './cost/topologies';

console.log(topologiesTableMarkdown());
