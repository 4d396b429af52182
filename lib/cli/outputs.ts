// `data-tier outputs`: a tier's outputs as shell assignments, so that a runbook (or a script) reads
// them under stable names whatever the stack's OutputKeys are (hashed in a consumer's stack, e.g.
// `OrdersProxyEndpoint68A4B346`):
//
//   eval "$(npx data-tier outputs --deployed --tier orders)"      PROXY_ENDPOINT=... WRITER_ENDPOINT=...
//   npx data-tier outputs --deployed --tier orders --json         the same as one JSON object
//   npx data-tier outputs --deployed --stack Shop --tier orders --get WriterEndpoint
//
// The OutputKeys come from the metadata the tier records in its template; the values from the
// deployed stack (DescribeStacks).
import { OUTPUTS, outputVariableName } from '../output-names';
import { CliError } from './errors';
import { stackOutputs, tierOutputs, type FoundTier } from './tiers';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';

/** The shell variable an output is printed as: its name in OUTPUTS in upper snake case (`Replica1Endpoint` → `REPLICA1_ENDPOINT`). */
export const variableName = outputVariableName;

/** Variables printed besides the outputs: the tier's stack and its region. */
export const STACK_VARIABLES = ['STACK', 'REGION'] as const;

/** The names of OUTPUTS, replica outputs for replicas 1 to `replicas`. */
export function outputNames(replicas: number): string[] {
  return Object.values(OUTPUTS).flatMap((name) => (typeof name === 'function' ? Array.from({ length: replicas }, (_, i) => name(i + 1)) : [name]));
}

/** Every variable `data-tier outputs` prints for a tier recording these outputs (names as in OUTPUTS). */
export function outputVariables(recorded: readonly string[]): string[] {
  return [...STACK_VARIABLES, ...recorded.map(variableName)];
}

/** A word the shell reads back as `value`: bare when it holds only safe characters, else in single quotes. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_.,:/@%+=-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** What `data-tier outputs` prints, in order: STACK, REGION, then each output the tier records, by variable name. */
export async function tierVariables(found: FoundTier, cloudFormation: Pick<CloudFormationClient, 'send'>, region: string | undefined): Promise<{ variables: Array<[string, string]>; missing: string[] }> {
  const values = tierOutputs(found.tier, found.outputs ?? (await stackOutputs(cloudFormation, found.stackName)));
  const recorded = Object.keys(found.tier.outputs);
  const missing = recorded.filter((name) => values[name] === undefined);
  const variables: Array<[string, string]> = [
    ['STACK', found.stackName],
    ['REGION', region ?? ''],
    ...recorded.filter((name) => values[name] !== undefined).map((name): [string, string] => [variableName(name), values[name]]),
  ];
  return { variables, missing };
}

/** The value `--get` names (an output's name as in OUTPUTS, or its variable name); a one-line CliError when the tier has no such output. */
export function getOutput(found: FoundTier, variables: ReadonlyArray<[string, string]>, wanted: string): string {
  const recorded = Object.keys(found.tier.outputs);
  const name = recorded.find((n) => n === wanted || variableName(n) === wanted) ?? STACK_VARIABLES.find((n) => n === wanted);
  if (!name) {
    throw new CliError(`tier ${found.tier.name} (stack ${found.stackName}) has no output "${wanted}"; its outputs are ${recorded.join(', ') || 'none (outputs: false)'}`);
  }
  const value = variables.find(([variable]) => variable === variableName(name))?.[1];
  if (value === undefined) throw new CliError(`stack ${found.stackName} has no value for output ${name} (key ${found.tier.outputs[name]}): is the tier deployed?`);
  return value;
}

/** The variables as lines of `NAME=value`, for `eval`. */
export function formatAssignments(variables: ReadonlyArray<[string, string]>): string {
  return variables.map(([name, value]) => `${name}=${shellQuote(value)}`).join('\n');
}
