// Regenerates lib/cli/review/replacement-rules.ts: what an update of each property of each resource
// type requires, for every type in the recorded templates (app/templates/*.template.json) and every
// type the review counts as stateful (lib/cli/review/stateful-types.ts), from two sources:
//
// 1. The AWS CloudFormation User Guide's resource reference, whose every property says "*Update
//    requires*: Replacement | No interruption | Some interruptions". Source:
//    github.com/awsdocs/aws-cloudformation-user-guide, doc_source/aws-resource-*.md and
//    aws-properties-*.md at commit 6c68a17a (the last "Periodic update", 19 Sep 2023, before the
//    repository was archived). Read with --guide <git dir of that repository>; without it, the
//    entries the current table took from the guide are kept (the archive cannot change), so
//    regenerating for a new aws-cdk needs no network.
// 2. The CloudFormation registry schemas as the aws-cdk CLI ships them (scripts/review/registry-schemas.ts:
//    db.json.gz, offline). A create-only property is Replacement even where the guide said less (the
//    schemas are the newer source); a property the guide lacks is NoInterruption unless create-only;
//    a conditional one is listed in CONDITIONALLY_REPLACING (lib/cli/review/conditional-rules.ts
//    decides it by value on the stateful types; elsewhere the guide's word stands, or it is possibly
//    replacing).
//
//   npx tsx scripts/review/generate-replacement-rules.ts [--guide <git dir>]
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REVIEWED_TYPES } from '../../lib/cli/review/stateful-types';
import { REGISTRY_SCHEMAS_VERSION, registryTypes } from './registry-schemas';

export const SOURCE_COMMIT = '6c68a17a';
const ROOT = join(__dirname, '..', '..');
const TABLE = join(ROOT, 'lib', 'cli', 'review', 'replacement-rules.ts');
const SEVERITY = ['NoInterruption', 'SomeInterruptions', 'Replacement'] as const;
type Behavior = (typeof SEVERITY)[number];

interface GuideEntries {
  readonly rules: Record<string, Record<string, Behavior>>;
  readonly sources: Record<string, string>;
}

/** Every type of the recorded templates, and the stateful ones. */
function reviewedTypes(): string[] {
  const types = new Set(REVIEWED_TYPES);
  const directory = join(ROOT, 'app', 'templates');
  for (const file of readdirSync(directory).filter((f) => f.endsWith('.template.json'))) {
    for (const r of Object.values(JSON.parse(readFileSync(join(directory, file), 'utf8')).Resources as Record<string, { Type: string }>)) types.add(r.Type);
  }
  return [...types].sort();
}

/** The "Update requires" of each property of each type, read from the archived guide. */
function readGuide(gitDir: string, types: readonly string[]): GuideEntries {
  const git = (...args: string[]) => execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const files = git('ls-tree', '-r', '--name-only', SOURCE_COMMIT, 'doc_source').split('\n').filter((f) => /doc_source\/aws-(resource|properties)-.*\.md$/.test(f));
  const byHeading = new Map<string, string>();
  for (const file of files) {
    const text = git('show', `${SOURCE_COMMIT}:${file}`);
    const heading = /^# (AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)<a/m.exec(text);
    if (heading && !byHeading.has(heading[1])) byHeading.set(heading[1], file);
  }
  const rules: GuideEntries['rules'] = {};
  const sources: GuideEntries['sources'] = {};
  for (const type of types) {
    const file = byHeading.get(type);
    if (!file) continue;
    const text = git('show', `${SOURCE_COMMIT}:${file}`);
    const properties = text.split(/^## Properties/m)[1]?.split(/^## /m)[0] ?? '';
    const entries: Record<string, Behavior> = {};
    for (const block of properties.split(/^`(?=[A-Za-z0-9]+`  <a name=)/m).slice(1)) {
      const name = block.split('`')[0];
      const update = /\*Update requires\*: (.*)$/m.exec(block)?.[1] ?? '';
      const found = SEVERITY.filter((s) => ({ NoInterruption: /No interruption/, SomeInterruptions: /Some interruptions/, Replacement: /Replacement/ })[s].test(update));
      // Where the text names several, the most disruptive is kept.
      if (found.length > 0) entries[name] = found[found.length - 1];
    }
    rules[type] = entries;
    sources[type] = `https://github.com/awsdocs/aws-cloudformation-user-guide/blob/${SOURCE_COMMIT}/${file}`;
  }
  return { rules, sources };
}

/** The guide's entries as the current table holds them: what it did not take from the schemas, and what the schemas raised. */
function guideOfCurrentTable(): GuideEntries {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const table = require(TABLE) as {
    REPLACEMENT_RULES: Record<string, Record<string, Behavior>>;
    REPLACEMENT_RULE_SOURCES: Record<string, string>;
    FROM_REGISTRY_SCHEMAS: string[];
    RAISED_BY_REGISTRY_SCHEMAS?: Record<string, Behavior>;
  };
  const rules: GuideEntries['rules'] = {};
  for (const [type, properties] of Object.entries(table.REPLACEMENT_RULES)) {
    if (!table.REPLACEMENT_RULE_SOURCES[type]) continue;
    rules[type] = {};
    for (const [name, behavior] of Object.entries(properties)) {
      const key = `${type}.${name}`;
      const raised = table.RAISED_BY_REGISTRY_SCHEMAS?.[key];
      if (raised) rules[type][name] = raised;
      else if (!table.FROM_REGISTRY_SCHEMAS.includes(key)) rules[type][name] = behavior;
    }
  }
  return { rules, sources: { ...table.REPLACEMENT_RULE_SOURCES } };
}

function main(argv: string[]): void {
  const guideAt = argv.indexOf('--guide');
  const types = reviewedTypes();
  const guide = guideAt >= 0 ? readGuide(argv[guideAt + 1], types) : guideOfCurrentTable();
  const schemas = registryTypes();

  const rules: Record<string, Record<string, Behavior>> = {};
  const sources: Record<string, string> = {};
  const fromSchemas: string[] = [];
  const raised: Record<string, Behavior> = {};
  const conditional: Record<string, string[]> = {};
  for (const type of types) {
    const fromGuide = guide.rules[type];
    if (fromGuide) {
      rules[type] = { ...fromGuide };
      sources[type] = guide.sources[type];
    }
    const entity = schemas.get(type);
    if (!entity) continue;
    for (const [name, property] of Object.entries(entity.properties)) {
      const documented = fromGuide?.[name];
      if (property.causesReplacement === 'maybe') (conditional[type] ??= []).push(name);
      if (property.causesReplacement === 'yes' && documented !== undefined && documented !== 'Replacement') {
        raised[`${type}.${name}`] = documented;
        rules[type][name] = 'Replacement';
      }
      if (documented !== undefined || property.causesReplacement === 'maybe') continue; // a conditional one the guide lacks: possibly replacing
      rules[type] = { ...(rules[type] ?? {}), [name]: property.causesReplacement === 'yes' ? 'Replacement' : 'NoInterruption' };
      fromSchemas.push(`${type}.${name}`);
    }
  }

  const json = (value: unknown) => JSON.stringify(value, null, 2);
  const out = `// Generated by scripts/review/generate-replacement-rules.ts: what an update of each property of
// each resource type in the app's templates, and of each type the review counts as stateful,
// requires, as the AWS CloudFormation User Guide's resource reference states it ("*Update
// requires*: Replacement | No interruption | Some interruptions"; where the text names several, the
// most disruptive is kept). Source: the awsdocs/aws-cloudformation-user-guide repository at commit
// ${SOURCE_COMMIT} (19 Sep 2023, its last update before it was archived); each type's page is in
// REPLACEMENT_RULE_SOURCES. Then the CloudFormation registry schemas as aws-cdk ${REGISTRY_SCHEMAS_VERSION} ships
// them (db.json.gz of @aws-cdk/aws-service-spec): a create-only property is Replacement (where the
// guide said less, its word is in RAISED_BY_REGISTRY_SCHEMAS); a property the guide lacks (listed in
// FROM_REGISTRY_SCHEMAS) is NoInterruption unless create-only (the schemas do not tell no from some
// interruption); a conditionally create-only one is in CONDITIONALLY_REPLACING.
// A property absent here (a custom resource's) is treated as possibly replacing.

export type UpdateBehavior = 'Replacement' | 'NoInterruption' | 'SomeInterruptions';

export const REPLACEMENT_RULES: Record<string, Record<string, UpdateBehavior>> = ${json(rules)};

export const REPLACEMENT_RULE_SOURCES: Record<string, string> = ${json(sources)};

/** Type.Property entries taken from the registry schemas, not the User Guide. */
export const FROM_REGISTRY_SCHEMAS: string[] = ${json(fromSchemas)};

/** Type.Property entries the registry schemas make create-only where the User Guide said less: its word. */
export const RAISED_BY_REGISTRY_SCHEMAS: Record<string, UpdateBehavior> = ${json(raised)};

/** Properties the registry schemas list as conditionally create-only: replacing for some changes of value only. */
export const CONDITIONALLY_REPLACING: Record<string, string[]> = ${json(conditional)};
`;
  writeFileSync(TABLE, out);
  const missing = types.filter((t) => !rules[t]);
  console.log(
    `wrote ${Object.keys(rules).length} types (${fromSchemas.length} properties from the registry schemas, ${Object.keys(raised).length} raised by them); ` +
      `no page${guideAt >= 0 ? '' : ' in the current table (run with --guide <git dir> once for a new type)'} for: ${missing.join(', ')}`,
  );
}

main(process.argv.slice(2));
