import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * How an update of each property of a resource type may replace it, from the CloudFormation
 * registry schemas as the pinned aws-cdk CLI ships them (@aws-cdk/aws-service-spec's db.json.gz
 * in node_modules/aws-cdk, read as scripts/review/generate-replacement-rules.ts reads it):
 * `yes` for a property in the schema's createOnlyProperties, `maybe` for one in its
 * conditionalCreateOnlyProperties (the resource provider's handler decides), absent otherwise.
 */
export type CausesReplacement = 'yes' | 'maybe' | undefined;

let entities: Array<{ cloudFormationType: string; properties: Record<string, { causesReplacement?: string }> }> | undefined;

export function replacementByProperty(type: string): Map<string, CausesReplacement> {
  entities ??= Object.values(
    JSON.parse(gunzipSync(readFileSync(join(__dirname, '..', '..', 'node_modules', 'aws-cdk', 'db.json.gz'))).toString('utf8')).schema.resource.entities,
  );
  const entity = entities.find((e) => e.cloudFormationType === type);
  if (!entity) throw new Error(`${type} is not in the registry schemas of aws-cdk's db.json.gz`);
  return new Map(Object.entries(entity.properties).map(([name, property]) => [name, property.causesReplacement as CausesReplacement]));
}
