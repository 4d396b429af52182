// docs/props.md from the TSDoc of the library's props interfaces (lib/*.ts): every prop of
// `DataTier` by the path a consumer writes (`database.instanceType`, `network.vpc`), then each
// part's own props and the types they take. `npx tsx scripts/props-doc.ts` rewrites it;
// test/package/props-doc.test.ts fails when it is stale.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { DEFAULT_ALARM_THRESHOLDS } from '../lib/alarm-thresholds';
import { sourceUrl } from './repository';

const ROOT = join(__dirname, '..');
const LIB = join(ROOT, 'lib');
export const PROPS_DOC = join(ROOT, 'docs', 'props.md');

interface Member {
  readonly name: string;
  readonly type: string;
  readonly optional: boolean;
  readonly description: string;
  /** The `@default` tag's text, when there is one. */
  readonly defaultText?: string;
}

interface Interface {
  readonly name: string;
  readonly file: string;
  readonly description: string;
  /** The `extends` clause, as written. */
  readonly extends: string[];
  readonly members: Member[];
}

/** Interfaces whose members have their defaults in a constant, not in TSDoc. */
const DEFAULTS_IN_CONSTANTS: Record<string, Record<string, unknown>> = { AlarmThresholds: { ...DEFAULT_ALARM_THRESHOLDS } };

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

function docOf(node: ts.Node): { description: string; defaultText?: string } {
  const jsDoc = (node as { jsDoc?: ts.JSDoc[] }).jsDoc?.at(-1);
  const description = oneLine(ts.getTextOfJSDocComment(jsDoc?.comment) ?? '');
  const tag = ts.getJSDocTags(node).find((t) => t.tagName.text === 'default');
  return { description, defaultText: tag ? oneLine(ts.getTextOfJSDocComment(tag.comment) ?? '') : undefined };
}

/** Every interface and type alias declared in lib/*.ts. */
function readDeclarations(): { interfaces: Map<string, Interface>; aliases: Map<string, ts.TypeAliasDeclaration & { sourceFile: ts.SourceFile }> } {
  const interfaces = new Map<string, Interface>();
  const aliases = new Map<string, ts.TypeAliasDeclaration & { sourceFile: ts.SourceFile }>();
  for (const file of readdirSync(LIB).filter((f) => f.endsWith('.ts')).sort()) {
    const sourceFile = ts.createSourceFile(file, readFileSync(join(LIB, file), 'utf8'), ts.ScriptTarget.ES2022, true);
    for (const statement of sourceFile.statements) {
      if (ts.isTypeAliasDeclaration(statement)) aliases.set(statement.name.text, Object.assign(statement, { sourceFile }));
      if (!ts.isInterfaceDeclaration(statement)) continue;
      const members = statement.members.filter(ts.isPropertySignature).map((member) => ({
        name: member.name.getText(sourceFile),
        type: oneLine(member.type?.getText(sourceFile) ?? 'unknown'),
        optional: member.questionToken !== undefined,
        ...docOf(member),
      }));
      const extendsClause = statement.heritageClauses?.flatMap((clause) => clause.types.map((t) => t.getText(sourceFile))) ?? [];
      interfaces.set(statement.name.text, { name: statement.name.text, file, description: docOf(statement).description, extends: extendsClause, members });
    }
  }
  return { interfaces, aliases };
}

/** The interface names lib/index.ts exports, in its order. */
function exportedNames(): string[] {
  const index = ts.createSourceFile('index.ts', readFileSync(join(LIB, 'index.ts'), 'utf8'), ts.ScriptTarget.ES2022, true);
  return index.statements
    .filter(ts.isExportDeclaration)
    .flatMap((declaration) => (declaration.exportClause && ts.isNamedExports(declaration.exportClause) ? declaration.exportClause.elements.map((e) => e.name.text) : []));
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** A default as a table cell: `@default - words` is prose, a value is code and what follows it is prose. */
function defaultCell(member: Member, constantDefault?: unknown): string {
  if (constantDefault !== undefined) return `\`${JSON.stringify(constantDefault)}\``;
  if (member.defaultText === undefined) return member.optional ? '' : 'required';
  if (member.defaultText.startsWith('- ')) return cell(member.defaultText.slice(2));
  const match = /^(.+?)( - | \(| for )(.*)$/.exec(member.defaultText);
  if (!match) return `\`${cell(member.defaultText)}\``;
  const rest = match[2] === ' - ' ? match[3] : `${match[2].trimStart()}${match[3]}`;
  return `\`${cell(match[1])}\` ${cell(rest)}`;
}

/** `Partial<X>` or `X` when X is one of the interfaces; undefined for any other type. */
function nestedInterface(type: string, interfaces: Map<string, Interface>): Interface | undefined {
  const name = /^(?:Partial<(\w+)>|(\w+))$/.exec(type);
  return name ? interfaces.get(name[1] ?? name[2]) : undefined;
}

/** The members of an interface and of every interface it extends. */
function allMembers(iface: Interface, interfaces: Map<string, Interface>): Member[] {
  const inherited = iface.extends.flatMap((name) => {
    const parent = interfaces.get(name);
    return parent ? allMembers(parent, interfaces) : [];
  });
  return [...iface.members, ...inherited];
}

interface Row {
  readonly path: string;
  readonly member: Member;
  readonly constantDefault?: unknown;
}

/** Every prop reachable from `iface`, nested groups expanded into their paths. */
function rowsOf(iface: Interface, interfaces: Map<string, Interface>, prefix: string, expanded: Set<string>): Row[] {
  const constants = DEFAULTS_IN_CONSTANTS[iface.name];
  return allMembers(iface, interfaces).flatMap((member) => {
    const path = `${prefix}${member.name}`;
    const nested = nestedInterface(member.type, interfaces);
    const described = nested && !member.description ? { ...member, description: `The \`${path}.*\` props below.` } : member;
    const row: Row = { path, member: described, constantDefault: constants?.[member.name] };
    if (!nested) return [row];
    expanded.add(nested.name);
    for (const parent of nested.extends) expanded.add(parent);
    return [row, ...rowsOf(nested, interfaces, `${path}.`, expanded)];
  });
}

function table(rows: Row[]): string[] {
  return [
    '| prop | type | default | what it is |',
    '|---|---|---|---|',
    ...rows.map(({ path, member, constantDefault }) => `| \`${path}\` | \`${cell(member.type)}\` | ${defaultCell(member, constantDefault)} | ${cell(member.description)} |`),
  ];
}

/** What an `extends` clause adds, in words: a DataTier group's props, or the props a `Pick` names. */
function extendsNote(iface: Interface, interfaces: Map<string, Interface>, aliases: ReturnType<typeof readDeclarations>['aliases'], groups: Map<string, string>): string[] {
  return iface.extends.map((name) => {
    if (groups.has(name)) return `Also takes every \`${groups.get(name)}.*\` prop of \`DataTier\` above (\`${name}\`).`;
    const alias = aliases.get(name);
    const pick = alias && ts.isTypeReferenceNode(alias.type) && alias.type.typeName.getText(alias.sourceFile) === 'Pick' ? alias.type.typeArguments : undefined;
    if (pick && pick.length === 2) {
      const from = pick[0].getText(alias!.sourceFile);
      const names = [...pick[1].getText(alias!.sourceFile).matchAll(/'(\w+)'/g)].map((m) => m[1]);
      const group = groups.get(from);
      return `Also takes these props of \`${from}\`${group ? ` (the \`${group}.*\` rows of \`DataTier\` above)` : ''}: ${names.map((n) => `\`${n}\``).join(', ')}.`;
    }
    return interfaces.has(name) ? `Also takes every prop of [\`${name}\`](#${name.toLowerCase()}).` : `Extends \`${name}\`.`;
  });
}

export function renderPropsDoc(): string {
  const { interfaces, aliases } = readDeclarations();
  const dataTier = interfaces.get('DataTierProps')!;
  const expanded = new Set<string>();
  const rows = rowsOf(dataTier, interfaces, '', expanded);
  // The DataTier groups, by the interface that types them: `DatabaseOptions` is `database`.
  const groups = new Map(rows.flatMap(({ path, member }) => {
    const nested = nestedInterface(member.type, interfaces);
    return nested && !path.includes('.') ? [[nested.name, path] as [string, string]] : [];
  }));
  const others = exportedNames().filter((name) => interfaces.has(name) && name !== 'DataTierProps' && !expanded.has(name));
  const lines = [
    '# Props',
    '',
    '<!-- Generated by `npx tsx scripts/props-doc.ts` from the TSDoc of lib/*.ts; edit the TSDoc, not this file. -->',
    '',
    `Every prop of the library, from its TSDoc. A prop without a default is optional and absent unless given. Durations, sizes and keys take aws-cdk-lib's types (\`Duration\`, \`ec2.InstanceType\`, \`kms.IKey\`). The complete public surface, type aliases and methods included, is the API report [\`api/postgres-data-tier.api.md\`](${sourceUrl('api/postgres-data-tier.api.md')}).`,
    '',
    '## DataTier',
    '',
    `\`new DataTier(scope, id, props?: DataTierProps)\`: ${dataTier.description || 'the whole data tier.'} Every prop is optional; a group's props are written inside it, \`{ database: { instanceType: ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.XLARGE) } }\` for \`database.instanceType\`.`,
    '',
    ...table(rows),
    '',
    '## The parts and the types their props take',
    '',
    "Each part of the tier is a construct of its own, usable over resources you created yourself; `DataTier` passes them the props above. Each section lists a props interface's own props.",
  ];
  for (const name of others) {
    const iface = interfaces.get(name)!;
    lines.push('', `### ${name}`, '');
    if (iface.description) lines.push(iface.description, '');
    const notes = extendsNote(iface, interfaces, aliases, groups);
    if (notes.length > 0) lines.push(...notes, '');
    if (iface.members.length > 0) {
      const constants = DEFAULTS_IN_CONSTANTS[name];
      lines.push(...table(iface.members.map((member) => ({ path: member.name, member, constantDefault: constants?.[member.name] }))));
    }
  }
  return `${lines.join('\n')}\n`;
}

if (require.main === module) {
  writeFileSync(PROPS_DOC, renderPropsDoc());
  console.log('wrote docs/props.md');
}
