// The CloudFormation registry schemas as the aws-cdk CLI ships them: db.json.gz of
// @aws-cdk/aws-service-spec in node_modules/aws-cdk, read offline. Each property's
// `causesReplacement` is 'yes' for a createOnlyProperties entry of the type's schema, 'maybe' for a
// conditionalCreateOnlyProperties one, absent otherwise.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const CLI = join(__dirname, '..', '..', 'node_modules', 'aws-cdk');

export type CausesReplacement = 'yes' | 'maybe' | undefined;

export interface RegistryType {
  readonly type: string;
  readonly properties: Readonly<Record<string, { readonly causesReplacement?: 'yes' | 'maybe' }>>;
}

/** The version of the aws-cdk CLI whose db.json.gz is read. */
export const REGISTRY_SCHEMAS_VERSION = (JSON.parse(readFileSync(join(CLI, 'package.json'), 'utf8')) as { version: string }).version;

let cache: Map<string, RegistryType> | undefined;

/** Every resource type of the registry schemas, by CloudFormation type name. */
export function registryTypes(): Map<string, RegistryType> {
  if (!cache) {
    const db = JSON.parse(gunzipSync(readFileSync(join(CLI, 'db.json.gz'))).toString('utf8')) as {
      schema: { resource: { entities: Record<string, { cloudFormationType: string; properties: RegistryType['properties'] }> } };
    };
    cache = new Map(Object.values(db.schema.resource.entities).map((e) => [e.cloudFormationType, { type: e.cloudFormationType, properties: e.properties }]));
  }
  return cache;
}
