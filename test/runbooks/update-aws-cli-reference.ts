// Refreshes the `operations` of aws-cli-reference.json from the AWS CLI's own reference
// (`aws <service> <operation> help`, its SYNOPSIS) for exactly the operations the runbooks use.
// Keeps `metrics`, which are transcribed by hand from the AWS metric documentation.
//   npx tsx test/runbooks/update-aws-cli-reference.ts
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { awsCommands, readRunbook, runbookFiles } from './runbooks';

const FILE = path.join(__dirname, 'aws-cli-reference.json');

function synopsisOptions(service: string, operation: string): string[] {
  const help = execFileSync('aws', [service, ...operation.split(' '), 'help'], { encoding: 'utf8', env: { ...process.env, MANPAGER: 'cat', PAGER: 'cat' } })
    .replace(/.\x08/g, '');
  const synopsis = help.slice(help.indexOf('SYNOPSIS'), help.indexOf('OPTIONS', help.indexOf('SYNOPSIS')));
  return [...new Set([...synopsis.matchAll(/--[a-z0-9-]+/g)].map((m) => m[0]))];
}

const reference = JSON.parse(readFileSync(FILE, 'utf8'));
const used = new Map<string, Set<string>>();
for (const file of runbookFiles()) {
  for (const command of awsCommands(readRunbook(file))) {
    if (!used.has(command.service)) used.set(command.service, new Set());
    used.get(command.service)!.add(command.operation);
  }
}
const synopses: Record<string, Record<string, string[]>> = {};
for (const service of [...used.keys()].sort()) {
  synopses[service] = {};
  for (const operation of [...used.get(service)!].sort()) synopses[service][operation] = synopsisOptions(service, operation);
}
// Global options are those every SYNOPSIS lists; the rest (pagination too) belong to the operation.
const lists = Object.values(synopses).flatMap((ops) => Object.values(ops));
const globals = lists[0].filter((option) => lists.every((list) => list.includes(option)));
const operations = Object.fromEntries(
  Object.entries(synopses).map(([service, ops]) => [
    service,
    Object.fromEntries(Object.entries(ops).map(([operation, options]) => [operation, options.filter((o) => !globals.includes(o))])),
  ]),
);
const version = execFileSync('aws', ['--version'], { encoding: 'utf8' }).trim();
writeFileSync(
  FILE,
  `${JSON.stringify({ ...reference, source: `SYNOPSIS of \`aws <service> <operation> help\`, ${version}`, globalOptions: globals, operations }, null, 2)}\n`,
);
console.log(`wrote ${FILE}: ${lists.length} operations`);
