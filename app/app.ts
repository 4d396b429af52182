import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { zonesOf } from '../lib/private/allowed-values';
import { validateZones } from '../lib/private/validation';
import { AppConfig, ConfigError, ConfigSources, resolveConfig, stackNameFor } from './config';
import { DATA_TIER_ZONE_COUNT } from '../lib/private/defaults';
import { DataTierStack } from './data-tier-stack';
import { DrReplicaStack } from './dr-replica-stack';
import { AuroraSecondaryStack } from './aurora-secondary-stack';
import { EXAMPLE_APPLICATION_STREAM } from './migrations';
import { withSetting } from './settings';
import { DataTierValidationError } from '../lib/private/validation';
import { recordAcknowledgements } from '../lib/private/nag';

/** The rule packs every environment must pass. */
export const NAG_PACKS = [AwsSolutionsChecks, NIST80053R5Checks, HIPAASecurityChecks, PCIDSS321Checks, ServerlessChecks] as const;

export interface BuildOptions {
  /** Register the cdk-nag packs as validation plugins (the CLI app does; tests call `validateScope` instead). */
  readonly registerNagPacks?: boolean;
  /**
   * Write every acknowledgement once into the template's top-level Metadata (`cdk_nag`).
   * @default registerNagPacks
   */
  readonly recordAcknowledgements?: boolean;
}

/**
 * Builds the app for the environment named in context: config is resolved and checked
 * first, so a bad value fails before any construct exists.
 */
export function buildApp(app: App, sources?: Partial<ConfigSources>, options: BuildOptions = {}): DataTierStack {
  const config = resolveConfig({
    context: sources?.context ?? readContext(app),
    environment: sources?.environment ?? process.env,
    environmentsDirectory: sources?.environmentsDirectory,
    templatesDirectory: sources?.templatesDirectory,
    now: sources?.now,
  });
  pinZonesInContext(app, config);
  let stack: DataTierStack;
  try {
    stack = new DataTierStack(app, stackNameFor(config), {
      config,
      // The example application's stream owns public, where its roles (app/environments/*.json) work.
      applicationMigrations: [EXAMPLE_APPLICATION_STREAM],
      templatesDirectory: sources?.templatesDirectory,
      env: { account: config.account, region: config.region },
      description: `PostgreSQL data tier (${config.envName}): RDS across three AZs, RDS Proxy, cache, backups`,
      terminationProtection: config.envName !== 'dev',
    });
  } catch (error) {
    throw error instanceof DataTierValidationError ? withSetting(error, config.envName) : error;
  }
  if (options.registerNagPacks) {
    // Not `writeSuppressionsToCloudFormation`: it copies every acknowledgement of a construct
    // and its ancestors onto each resource below it (a third of the template's bytes).
    for (const Pack of NAG_PACKS) Validations.of(app).addPlugins(new Pack(app));
  }
  if (options.recordAcknowledgements ?? options.registerNagPacks) recordAcknowledgements(stack);
  return stack;
}

/**
 * Builds `data-tier-<env>-dr` for context `drReplicaOf=<env>`: a read replica of that
 * environment's primary in its DR region (`drReplica.region`, else `database.backupReplication.region`),
 * zones from context `drAvailabilityZones` or the region's first three.
 */
export function buildDrReplicaApp(app: App, sources?: Partial<ConfigSources>, options: BuildOptions = {}): DrReplicaStack {
  const context = sources?.context ?? readContext(app);
  const envName = context.drReplicaOf;
  if (envName === undefined || envName === '') throw new ConfigError('drReplicaOf', envName, 'must name the environment whose primary is replicated, such as prod');
  const config = resolveConfig({ ...sources, context: { ...context, env: envName }, environment: sources?.environment ?? process.env });
  const topology = config.settings.database?.topology?.kind ?? 'instances';
  if (topology !== 'instances') {
    throw new ConfigError(
      'drReplicaOf',
      envName,
      `replicates the primary instance of ${stackNameFor(config)}, whose database.topology is ${topology}: the cross-region replica is built for the topology instances only ` +
        (topology === 'aurora'
          ? "(an Aurora tier's answer is a global database: database.topology.globalSecondaryRegion and -c globalSecondaryOf)"
          : "(a Multi-AZ DB cluster has none: its DB instance read replicas must be in its own Region, CreateDBInstanceReadReplica: \"Cross-Region replication isn't supported\"; docs/topologies.md)"),
    );
  }
  const drRegion = config.settings.drReplica?.region ?? config.settings.database?.backupReplication?.region;
  if (drRegion === undefined) {
    throw new ConfigError('drReplica.region', undefined, `is required for -c drReplicaOf=${config.envName}: set drReplica.region (or database.backupReplication.region) in app/environments/${config.envName}.json`);
  }
  const given = context.drAvailabilityZones;
  const zones = given === undefined || given === '' ? (zonesOf(drRegion) ?? []).slice(0, DATA_TIER_ZONE_COUNT) : String(given).split(',').map((z) => z.trim());
  validateZones('', 'drAvailabilityZones', drRegion, zones, { min: DATA_TIER_ZONE_COUNT });
  const drConfig = { ...config, region: drRegion, availabilityZones: zones };
  pinZonesInContext(app, drConfig);
  const stack = new DrReplicaStack(app, `${stackNameFor(config)}-dr`, {
    config,
    drRegion,
    availabilityZones: zones,
    env: { account: config.account, region: drRegion },
    description: `PostgreSQL data tier (${config.envName}): cross-region read replica of ${stackNameFor(config)}-primary in ${config.region}`,
    terminationProtection: config.envName !== 'dev',
  });
  if (options.registerNagPacks) {
    for (const Pack of NAG_PACKS) Validations.of(app).addPlugins(new Pack(app, { writeSuppressionsToCloudFormation: true }));
  }
  return stack;
}

/**
 * Builds `data-tier-<env>-secondary` for context `globalSecondaryOf=<env>`: the secondary region of
 * that environment's Aurora global database (`database.topology.globalSecondaryRegion`), zones from
 * context `secondaryAvailabilityZones` or the region's first three.
 */
export function buildAuroraSecondaryApp(app: App, sources?: Partial<ConfigSources>, options: BuildOptions = {}): AuroraSecondaryStack {
  const context = sources?.context ?? readContext(app);
  const envName = context.globalSecondaryOf;
  if (envName === undefined || envName === '') throw new ConfigError('globalSecondaryOf', envName, 'must name the environment whose Aurora cluster is the global database\'s primary, such as prod');
  const config = resolveConfig({ ...sources, context: { ...context, env: envName }, environment: sources?.environment ?? process.env });
  const topology = config.settings.database?.topology;
  const secondaryRegion = topology?.kind === 'aurora' ? topology.globalSecondaryRegion : undefined;
  if (secondaryRegion === undefined) {
    throw new ConfigError('database.topology.globalSecondaryRegion', undefined, `is required for -c globalSecondaryOf=${config.envName}: the tier must be Aurora ({"kind":"aurora","globalSecondaryRegion":"<region>"}) in app/environments/${config.envName}.json`);
  }
  const given = context.secondaryAvailabilityZones;
  const zones = given === undefined || given === '' ? (zonesOf(secondaryRegion) ?? []).slice(0, DATA_TIER_ZONE_COUNT) : String(given).split(',').map((z) => z.trim());
  validateZones('', 'secondaryAvailabilityZones', secondaryRegion, zones, { min: DATA_TIER_ZONE_COUNT });
  pinZonesInContext(app, { ...config, region: secondaryRegion, availabilityZones: zones });
  const stack = new AuroraSecondaryStack(app, `${stackNameFor(config)}-secondary`, {
    config,
    secondaryRegion,
    availabilityZones: zones,
    env: { account: config.account, region: secondaryRegion },
    description: `PostgreSQL data tier (${config.envName}): secondary region of the Aurora global database ${stackNameFor(config)}-global in ${config.region}`,
    terminationProtection: config.envName !== 'dev',
  });
  if (options.registerNagPacks) {
    for (const Pack of NAG_PACKS) Validations.of(app).addPlugins(new Pack(app));
  }
  if (options.recordAcknowledgements ?? options.registerNagPacks) recordAcknowledgements(stack);
  return stack;
}

/**
 * A stack with an explicit account looks its region's zones up at synth, which needs AWS
 * credentials; the configured zones are the answer, so synthesis stays offline.
 */
function pinZonesInContext(app: App, config: AppConfig): void {
  if (config.account === undefined) return;
  const key = `availability-zones:account=${config.account}:region=${config.region}`;
  if (app.node.tryGetContext(key) === undefined) app.node.setContext(key, config.availabilityZones);
}

function readContext(app: App): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  for (const key of ['env', 'account', 'region', 'availabilityZones', 'overrides', 'name', 'drReplicaOf', 'drAvailabilityZones', 'globalSecondaryOf', 'secondaryAvailabilityZones']) {
    const value = app.node.tryGetContext(key);
    if (value !== undefined) context[key] = value;
  }
  return context;
}
