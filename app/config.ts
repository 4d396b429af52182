/**
 * The app's environments: the committed file of each, `app/environments/<env>.json`, holding only
 * what the environment changes from the library's defaults (the settings are in app/settings.ts),
 * then a named tier's own file, then one-off overrides from CDK context (`-c overrides='{...}'`),
 * merged in that order.
 *
 * Here the app checks only what is its own: the environment's name, account, region and
 * zones, the shape of the settings (unknown keys and wrong types, at any depth) and its
 * per-environment rules (prod is Multi-AZ). Every value is then validated by the construct
 * it configures, which names the construct's path, the prop, the value and what is allowed.
 */
import { Construct } from 'constructs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zonesOf } from '../lib/private/allowed-values';
import { alarmTableMarkdown } from '../lib/private/alarm-table';
import { AlarmThresholds, resolveAlarmThresholds } from '../lib/alarm-thresholds';
import { DataTierProps } from '../lib/data-tier';
import { DATA_TIER_ZONE_COUNT } from '../lib/private/defaults';
import { DatabaseOptions, resolveDatabaseOptions, ResolvedDatabaseOptions } from '../lib/database-options';
import { DataTierValidationError, rejectUnknownKeys, validatePrivateCidr, validateRegion, validateZones } from '../lib/private/validation';
import { MAX_NAME_LENGTH } from '../lib/private/defaults';
import { MAJOR_VERSION_UPGRADE_PATHS } from '../lib/major-version-upgrade';
import type { TopologyKind } from '../lib/topology';
import { DatabaseRestore, formatRestoreTime, MAX_BACKUP_RETENTION_DAYS, parseRestoreTime } from '../lib/restore';
import { committedTemplateName, DeployedTier, deployedTier } from './deployed-version';
import { EnvironmentSettings, mergeObjects, restoreOf, SETTINGS_KIND, SETTINGS_SHAPE, tierPropsOf } from './settings';

export type { EnvironmentSettings } from './settings';

/** The environments this app knows how to build. */
export const ENVIRONMENT_NAMES = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/** The whole configuration of one environment. */
export interface AppConfig {
  readonly envName: EnvironmentName;
  /** AWS account; when unset the stack stays account-agnostic and `cdk deploy` uses the CLI's credentials. */
  readonly account?: string;
  readonly region: string;
  /** Exactly the availability zones to use, in the region. */
  readonly availabilityZones: string[];
  /** The environment's file, a named tier's own file and the context overrides, merged. */
  readonly settings: EnvironmentSettings;
  /**
   * Stack and tier name when not `data-tier-<env>` (context `name`): a restored tier is a new
   * tier beside the one it was restored from, e.g. `data-tier-prod-r1`.
   * @default - data-tier-<env>
   */
  readonly name?: string;
}

const DEFAULT_REGION = 'us-east-1';

/** Values from CDK context (`-c key=value` or cdk.json) and the CDK CLI's environment variables. */
export interface ConfigSources {
  /** Context values, e.g. `{ env: 'prod', region: 'eu-west-1' }`. */
  readonly context: Record<string, unknown>;
  /** Process environment; `CDK_DEFAULT_ACCOUNT` and `CDK_DEFAULT_REGION` are read. */
  readonly environment?: Record<string, string | undefined>;
  /**
   * Directory of the committed settings files: `<env>.json` of each environment, `<name>.json` of a named tier.
   * @default app/environments
   */
  readonly environmentsDirectory?: string;
  /**
   * Directory of the committed templates, which tell what is deployed: `<env>.template.json` of
   * each environment's stack, `<name>.template.json` of a named tier (none: never deployed).
   * @default app/templates
   */
  readonly templatesDirectory?: string;
  /**
   * The time a restore's `toTime` is checked against (not in the future, not older than RDS keeps backups).
   * @default - now
   */
  readonly now?: Date;
}

/** A value of the app's configuration outside what is allowed: the field, the value, what is allowed. */
export class ConfigError extends DataTierValidationError {
  constructor(field: string, value: unknown, allowed: string) {
    super('', field, value, allowed);
    this.name = 'ConfigError';
  }
}

/** Where the committed settings files live. */
export const ENVIRONMENTS_DIRECTORY = join(__dirname, 'environments');

function contextString(context: Record<string, unknown>, key: string): string | undefined {
  const value = context[key];
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

function contextList(context: Record<string, unknown>, key: string): string[] | undefined {
  const value = context[key];
  if (value === undefined || value === null || value === '') return undefined;
  return Array.isArray(value) ? value.map(String) : String(value).split(',').map((s) => s.trim());
}

/**
 * Builds the configuration of the environment named by context `env` (default `dev`).
 * Context may override `account`, `region`, `availabilityZones` (comma-separated) and,
 * as a JSON object under `overrides`, any setting, over those of `app/environments/<env>.json`.
 */
export function resolveConfig(sources: ConfigSources): AppConfig {
  const { context } = sources;
  const environment = sources.environment ?? {};
  const envName = contextString(context, 'env') ?? 'dev';
  if (!(ENVIRONMENT_NAMES as readonly string[]).includes(envName)) {
    throw new ConfigError('env', envName, `must be one of ${ENVIRONMENT_NAMES.join(', ')}`);
  }
  const account = contextString(context, 'account') ?? environment.CDK_DEFAULT_ACCOUNT;
  if (account !== undefined && !/^\d{12}$/.test(account)) throw new ConfigError('account', account, 'must be a 12-digit AWS account id');
  const region = contextString(context, 'region') ?? environment.CDK_DEFAULT_REGION ?? DEFAULT_REGION;
  validateRegion('', 'region', region);
  const availabilityZones = contextList(context, 'availabilityZones') ?? (zonesOf(region) ?? []).slice(0, DATA_TIER_ZONE_COUNT);
  validateZones('', 'availabilityZones', region, availabilityZones, { min: DATA_TIER_ZONE_COUNT });

  const name = contextString(context, 'name');
  if (name !== undefined && (!name.startsWith(`data-tier-${envName}-`) || !/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name) || name.length > MAX_NAME_LENGTH)) {
    throw new ConfigError('name', name, `must be data-tier-${envName}-<suffix> (lowercase letters, digits, single hyphens; at most ${MAX_NAME_LENGTH} characters), such as data-tier-${envName}-r1`);
  }
  const directory = sources.environmentsDirectory ?? ENVIRONMENTS_DIRECTORY;
  const environmentFile = join(directory, `${envName}.json`);
  if (!existsSync(environmentFile)) {
    throw new ConfigError('env', envName, `has no settings file ${environmentFile}: it holds what ${envName} changes from the library's defaults ({} for nothing)`);
  }
  const fromEnvironmentFile = settingsFile(environmentFile);
  // A named tier (a restore) also reads its own committed file, app/environments/<name>.json, after the environment's.
  const nameFile = name === undefined ? undefined : join(directory, `${name}.json`);
  const fromNameFile = nameFile !== undefined && existsSync(nameFile) ? settingsFile(nameFile) : {};
  const fromContext = checkedSettings('overrides', parseJson('overrides', context.overrides));
  // A named tier may run in another region (region loss): the source's region-bound DR settings
  // (where its backups are replicated or copied, its replica stack) are not inherited; its own file sets them.
  const inherited = name ? withoutRegionBoundSettings(fromEnvironmentFile) : fromEnvironmentFile;
  const settings = [fromNameFile, fromContext].reduce(mergeObjects, inherited);
  const config: AppConfig = { envName: envName as EnvironmentName, account, region, availabilityZones, settings, ...(name ? { name } : {}) };
  const deployed = deployedTier(committedTemplateName(config), sources.templatesDirectory);
  validateEnvironmentRules(config, { overrides: fromContext, deployed, now: sources.now ?? new Date() });
  return config;
}

/** The settings without those that name another region for the source tier's DR. */
function withoutRegionBoundSettings(settings: EnvironmentSettings): EnvironmentSettings {
  const { drReplica: _drReplica, ...rest } = settings;
  const { backupReplication: _backupReplication, ...database } = settings.database ?? {};
  const { copyToVaultArn: _copyToVaultArn, ...backup } = settings.backup ?? {};
  return { ...rest, database, backup };
}

function settingsFile(file: string): EnvironmentSettings {
  return checkedSettings(file, parseJson(file, readFileSync(file, 'utf8')));
}

function parseJson(field: string, raw: unknown): unknown {
  if (raw === undefined || raw === null || raw === '') return {};
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    throw new ConfigError(field, raw, 'must be valid JSON, such as {"database":{"replicaCount":1}}');
  }
}

/**
 * Refuses unknown keys at any depth and values not of the setting's kind (a wrong type, a negative
 * number, a fraction where AWS takes a whole number), before any value is converted.
 */
function checkedSettings(field: string, value: unknown): EnvironmentSettings {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(field, value, 'must be a JSON object such as {"database":{"replicaCount":1}}');
  }
  rejectUnknownKeys(field, value, SETTINGS_SHAPE);
  SETTINGS_KIND.check(field, value);
  return value as EnvironmentSettings;
}

/** What the app's rules read besides the merged settings. */
interface RuleInputs {
  /** The settings given in `-c overrides`, alone. */
  readonly overrides: EnvironmentSettings;
  /** What the stack's committed template shows, undefined when it has none (never deployed). */
  readonly deployed: DeployedTier | undefined;
  readonly now: Date;
}

/** The app's own rules for its environments, beyond what the library allows. */
function validateEnvironmentRules(config: AppConfig, inputs: RuleInputs): void {
  const database = effectiveDatabaseOptions(config);
  if (config.envName !== 'dev' && !database.deletionProtection) {
    throw new ConfigError('database.deletionProtection', database.deletionProtection, `must be true in ${config.envName}; only dev may be deleted freely`);
  }
  if (config.envName === 'prod' && !database.multiAz) {
    throw new ConfigError('database.multiAz', database.multiAz, 'must be true in prod');
  }
  validateRestore(config, inputs);
  validateRecoverySettings(config);
  validateMajorVersionAcknowledgement(config, inputs.deployed);
  validateVpcRanges(config);
  const existing = config.settings.network?.existingVpc;
  if (existing) {
    if (!/^vpc-[0-9a-f]{8,17}$/.test(existing.vpcId)) throw new ConfigError('network.existingVpc.vpcId', existing.vpcId, 'must be a VPC id such as vpc-0123456789abcdef0');
    const seen = new Map<string, string>();
    for (const key of ['dataSubnetIds', 'functionSubnetIds'] as const) {
      const field = `network.existingVpc.${key}`;
      const ids = existing[key];
      if (ids.length !== config.availabilityZones.length || ids.some((id) => !/^subnet-[0-9a-f]{8,17}$/.test(id))) {
        throw new ConfigError(field, ids, `must list ${config.availabilityZones.length} subnet ids (subnet-...), one per availability zone in order`);
      }
      for (const id of ids) {
        const first = seen.get(id);
        if (first) throw new ConfigError(field, ids, `lists ${id}, already listed in ${first}; the data and function subnets are one per zone each, all distinct`);
        seen.set(id, field);
      }
    }
  }
}

/**
 * The blocks of the VPCs the app creates (the tier's, unless it builds into an existing VPC, and
 * the DR replica's) are private unless `network.allowPublicCidr` says otherwise. Checked here to
 * name the app's settings; the Network construct refuses the same for any consumer.
 */
function validateVpcRanges(config: AppConfig): void {
  const network = config.settings.network;
  const options = { allowPublic: network?.allowPublicCidr, allowPublicSetting: 'network.allowPublicCidr' };
  if (network?.vpcCidr !== undefined && network.existingVpc === undefined) validatePrivateCidr('', 'network.vpcCidr', network.vpcCidr, options);
  const drCidr = config.settings.drReplica?.vpcCidr;
  if (drCidr !== undefined) validatePrivateCidr('', 'drReplica.vpcCidr', drCidr, options);
}

/**
 * The restore: one source, a time only where it applies and inside the window RDS could restore
 * from, a name of its own, given in the tier's committed file; and, once the tier is deployed,
 * the restore it was built from, for its whole life.
 */
function validateRestore(config: AppConfig, inputs: RuleInputs): void {
  const restore = config.settings.database?.restore;
  if (restore) {
    const sources = (['fromSnapshot', 'fromInstance', 'fromReplicatedBackups', 'fromCluster'] as const).filter((key) => restore[key] !== undefined);
    if (sources.length !== 1) {
      throw new ConfigError('database.restore', restore, `must name exactly one source: fromSnapshot, fromInstance, fromReplicatedBackups or fromCluster${sources.length > 1 ? ` (${sources.join(' and ')} given)` : ''}`);
    }
    if (restore.toTime !== undefined && sources[0] === 'fromSnapshot') {
      throw new ConfigError('database.restore.toTime', restore.toTime, 'applies to fromInstance, fromReplicatedBackups and fromCluster only; a snapshot is restored as it was taken');
    }
    const toTime = restore.toTime === undefined ? undefined : parseRestoreTime('', 'database.restore.toTime', restore.toTime);
    if (config.name === undefined) {
      throw new ConfigError(
        'database.restore',
        restore,
        `builds a new tier beside ${stackNameFor(config)}, which stays for forensics: give it its own name with -c name=${stackNameFor(config)}-<suffix>, and its settings in app/environments/<that name>.json`,
      );
    }
    if (inputs.overrides.database?.restore !== undefined) {
      throw new ConfigError(
        'overrides.database.restore',
        inputs.overrides.database.restore,
        `is not taken from the command line: a restore is part of ${config.name} for its whole life (the next deploy without it would replace the restored primary with an empty one), ` +
          `so it is read only from the tier's committed file: write {"database":{"restore":${JSON.stringify(inputs.overrides.database.restore)}}} to app/environments/${config.name}.json, ` +
          `then review, deploy and commit it (the app cannot tell a deploy from a synth or a diff, so each refuses it)`,
      );
    }
    // Once deployed, the time is history: it stays as it was, however old.
    if (toTime instanceof Date && inputs.deployed === undefined) validateRestoreWindow(toTime, inputs.now);
  }
  if (inputs.deployed) validateLastingRestore(config, inputs.deployed);
}

/** A point in time RDS could restore to: not in the future, not older than any instance keeps its backups. */
function validateRestoreWindow(toTime: Date, now: Date): void {
  const value = formatRestoreTime(toTime);
  if (toTime.getTime() > now.getTime()) {
    throw new ConfigError('database.restore.toTime', value, `is in the future (now: ${formatRestoreTime(now)}); to restore to the newest possible moment use "latest"`);
  }
  const earliest = new Date(now.getTime() - MAX_BACKUP_RETENTION_DAYS * 24 * 3600 * 1000);
  if (toTime.getTime() < earliest.getTime()) {
    throw new ConfigError(
      'database.restore.toTime',
      value,
      `is before ${formatRestoreTime(earliest)}, ${MAX_BACKUP_RETENTION_DAYS} days ago: RDS keeps automated backups ${MAX_BACKUP_RETENTION_DAYS} days at most (BackupRetentionPeriod 0 to ${MAX_BACKUP_RETENTION_DAYS}), ` +
        `so no instance can be restored to it; the source's own window is EarliestRestorableTime to LatestRestorableTime (aws rds describe-db-instances). ` +
        `For an older moment restore a snapshot taken then with fromSnapshot (runbooks/restore-from-snapshot.md)`,
    );
  }
}

/**
 * The template properties a restore sets on a tier of instances or a cluster topology, in the
 * terms of its committed template: a DB cluster's for a cluster source, or a snapshot on a cluster;
 * otherwise the primary's (a source that does not fit the tier differs from whatever it has).
 */
function restorePropertiesOf(restore: DatabaseRestore, clustered: boolean): Record<string, unknown> {
  return restore.source === 'cluster' || (clustered && restore.source === 'snapshot') ? restore.clusterCfnProperties() : restore.cfnProperties();
}

/** The settings' form of a deployed primary's or cluster's restore properties (the inverse of `restorePropertiesOf`). */
function restoreSettingOf(deployed: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const toTime = deployed.RestoreTime ?? deployed.RestoreToTime ?? 'latest';
  if (deployed.DBSnapshotIdentifier !== undefined) return { fromSnapshot: deployed.DBSnapshotIdentifier };
  if (deployed.SnapshotIdentifier !== undefined) return { fromSnapshot: deployed.SnapshotIdentifier };
  if (deployed.SourceDBClusterIdentifier !== undefined || deployed.SourceDbClusterResourceId !== undefined) return { fromCluster: deployed.SourceDBClusterIdentifier ?? deployed.SourceDbClusterResourceId, toTime };
  if (deployed.SourceDBInstanceAutomatedBackupsArn !== undefined) return { fromReplicatedBackups: deployed.SourceDBInstanceAutomatedBackupsArn, toTime };
  return { fromInstance: deployed.SourceDBInstanceIdentifier ?? deployed.SourceDbiResourceId, toTime };
}

const sortedJson = (value: Readonly<Record<string, unknown>>) => JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b))));

/**
 * A deployed tier keeps the restore it was built from, and a tier deployed empty gets none: either
 * change would make CloudFormation replace the primary (AWS::RDS::DBInstance, "Updating DB
 * instances": "if you don't specify the DBSnapshotIdentifier property, an empty DB instance is
 * created, and the original DB instance is deleted. If you specify a property that is different
 * from the previous snapshot restore property, a new DB instance is restored ... and the original
 * DB instance is deleted"; without a restore, DBName, MasterUsername, KmsKeyId and StorageEncrypted
 * come back to the template, each create-only in the resource's schema).
 */
function validateLastingRestore(config: AppConfig, deployed: DeployedTier): void {
  const restore = config.settings.database?.restore;
  const intended = restore ? restorePropertiesOf(restoreOf(restore)!, deployed.clustered) : {};
  if (sortedJson(intended) === sortedJson(deployed.restore)) return;
  const stack = stackNameFor(config);
  const newTier = `a new restore is a new tier beside this one: give it its own name, -c name=${stackNameFor({ envName: config.envName })}-<suffix>, and its own file app/environments/<that name>.json`;
  if (Object.keys(deployed.restore).length === 0) {
    throw new ConfigError(
      'database.restore',
      restore,
      `cannot be added to ${stack}, deployed with a primary created empty (${deployed.templateFile}): CloudFormation would replace that primary and its data ` +
        `(DBName, MasterUsername, KmsKeyId and StorageEncrypted leave the template, and each replaces the instance); ${newTier}`,
    );
  }
  const lasting = `{"database":{"restore":${JSON.stringify(restoreSettingOf(deployed.restore))}}}`;
  const file = `app/environments/${config.name ?? config.envName}.json`;
  if (!restore) {
    throw new ConfigError(
      'database.restore',
      undefined,
      `is missing, but ${stack} was restored (${deployed.templateFile} shows ${sortedJson(deployed.restore)}), and a restore is part of the tier for its whole life: ` +
        `without it CloudFormation would create an empty primary and delete the restored one with its data (DBName, MasterUsername, KmsKeyId and StorageEncrypted come back to the template, and each replaces the instance). ` +
        `Keep ${lasting} in ${file}`,
    );
  }
  throw new ConfigError(
    'database.restore',
    restore,
    `differs from the restore ${stack} was built from (${deployed.templateFile} shows ${sortedJson(deployed.restore)}): CloudFormation would restore a new primary from it and delete the one serving now, ` +
      `with every write since its restore. Keep ${lasting} in ${file}; ${newTier}`,
  );
}

/**
 * `majorVersionUpgrade: blue-green-completed` acknowledges a switchover of the deployed instances
 * (or Aurora cluster) to `engineMajorVersion`, `in-place-completed` the runbook's in-place upgrade
 * of a Multi-AZ DB cluster: either is taken only when the deployed stack holds the upgrade prepared
 * for that major (its parameter group), or the stack would ask RDS for an in-place upgrade.
 */
function validateMajorVersionAcknowledgement(config: AppConfig, deployed: DeployedTier | undefined): void {
  const acknowledgement = config.settings.database?.majorVersionUpgrade;
  // The acknowledgement of the topology's own path; another is the library's to refuse.
  const path = MAJOR_VERSION_UPGRADE_PATHS[(config.settings.database?.topology?.kind ?? 'instances') as TopologyKind] ?? MAJOR_VERSION_UPGRADE_PATHS.instances;
  if (acknowledgement !== path.acknowledgement || deployed?.engineMajorVersion === undefined) return;
  const { upgrade } = path;
  const from = deployed.engineMajorVersion;
  const to = Number(effectiveDatabaseOptions(config).engineVersion.postgresMajorVersion);
  if (to === from || deployed.preparedUpgradeMajorVersion === to) return;
  const prepared = deployed.preparedUpgradeMajorVersion === undefined ? 'has no upgrade parameter group' : `has the upgrade parameter group of postgres${deployed.preparedUpgradeMajorVersion}, not of postgres${to}`;
  throw new ConfigError(
    'database.majorVersionUpgrade',
    acknowledgement,
    `says the ${upgrade} from ${from} to ${to} happened, but ${deployed.templateFile} (the deployed stack) ${prepared}: no upgrade to ${to} was prepared, so no ${upgrade} to ${to} can have run, ` +
      `and the stack would ask RDS for an in-place upgrade of every instance (pg_upgrade, the database down throughout, no way back but a restore). ` +
      `Prepare it first: engineMajorVersion ${from} with upgradeTargetMajorVersion ${to}, deployed and its template committed (npm run snapshot:update); ` +
      `then runbooks/major-version-upgrade.md, Mitigation step 1 onwards; the acknowledgement comes after the ${upgrade}`,
  );
}

/** The backup-replication and DR settings: what they need, a region of their own. */
function validateRecoverySettings(config: AppConfig): void {
  const replication = config.settings.database?.backupReplication;
  if (replication) {
    for (const key of ['region', 'kmsKeyArn'] as const) {
      if (replication[key] === undefined) throw new ConfigError(`database.backupReplication.${key}`, undefined, 'is required: the region the automated backups are replicated to and a KMS key ARN of that region');
    }
  }
  const topology = config.settings.database?.topology;
  const secondaryRegion = topology?.kind === 'aurora' ? topology.globalSecondaryRegion : undefined;
  if (secondaryRegion !== undefined) {
    validateRegion('', 'database.topology.globalSecondaryRegion', secondaryRegion);
    if (secondaryRegion === config.region) {
      throw new ConfigError('database.topology.globalSecondaryRegion', secondaryRegion, `is the tier's own region (${config.region}); the global database's secondary must survive its loss`);
    }
  }
  const dr = config.settings.drReplica;
  if (dr?.region !== undefined) {
    validateRegion('', 'drReplica.region', dr.region);
    if (dr.region === config.region) throw new ConfigError('drReplica.region', dr.region, `is the tier's own region (${config.region}); the cross-region replica must survive its loss`);
  }
}

/** The database options the environment's settings give, before the library's defaults. */
export function databaseOptionsOf(settings: EnvironmentSettings): DatabaseOptions {
  const props = tierPropsOf(settings);
  // As DataTier does: the database keeps its logs as long as the tier's, unless it sets its own.
  return { logRetention: props.logRetention, ...props.database };
}

/** The database settings the environment ends up with, the library's defaults filled in. */
export function effectiveDatabaseOptions(config: Pick<AppConfig, 'settings'>): ResolvedDatabaseOptions {
  return resolveDatabaseOptions(databaseOptionsOf(config.settings));
}

/** The alarm thresholds the environment ends up with, the library's defaults filled in. */
export function effectiveThresholds(config: Pick<AppConfig, 'settings'>): AlarmThresholds {
  return resolveAlarmThresholds('', config.settings.monitoring?.thresholds, effectiveDatabaseOptions(config).allocatedStorageGiB);
}

/** The alarm table of an environment as markdown (docs/alarms.md shows prod's). */
export function alarmTableOf(config: Pick<AppConfig, 'settings'>): string {
  return alarmTableMarkdown(effectiveThresholds(config), effectiveDatabaseOptions(config).allocatedStorageGiB);
}

/** The `DataTier` props of an environment; `scope` is where an existing VPC or copy vault is imported. */
export function dataTierPropsOf(scope: Construct, config: AppConfig): DataTierProps {
  const importInto = { scope, region: config.region, availabilityZones: config.availabilityZones };
  const props = tierPropsOf(config.settings, importInto);
  return { ...props, network: { ...props.network, availabilityZones: config.availabilityZones }, metricEnvironment: config.envName };
}

/** Stack name and the prefix of every physical name in the environment (context `name` for a restored tier). */
export function stackNameFor(config: Pick<AppConfig, 'envName'> & { readonly name?: string }): string {
  return config.name ?? `data-tier-${config.envName}`;
}
