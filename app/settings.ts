/**
 * Every setting of the app's environments, once: its path in `app/environments/<env>.json`, its
 * JSON kind, the library prop it feeds (as the construct's refusal names it) and the conversion to
 * `DataTier` props. The settings type, the shape the files are checked against, the props and the
 * names in refusals all derive from this table; a new setting is one entry.
 */
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DEFAULT_ALARM_THRESHOLDS } from '../lib/alarm-thresholds';
import { ApplicationRole, ApplicationRoleAccess, ApplicationRoleSignIn } from '../lib/application-roles';
import { CacheEngine } from '../lib/private/allowed-values';
import { DataTierProps } from '../lib/data-tier';
import { DatabaseOptions } from '../lib/database-options';
import { DatabaseRestore, parseRestoreTime } from '../lib/restore';
import { AuroraCapacity, AuroraReaderAutoScaling, AuroraStorageType, DatabaseTopology, MultiAzClusterStorageType } from '../lib/topology';
import { DataTierValidationError, validateCopyVaultArn } from '../lib/private/validation';
import { Kind, kind, TypeOf } from './setting-kinds';

/** One setting: how its value is written, and what it becomes in the library. */
export interface Setting<T> {
  /** The JSON kind of the value. */
  readonly kind: Kind<T>;
  /**
   * The library prop the setting feeds, as its construct's refusal names it, `<construct id>:<prop>`,
   * so that a refusal names the setting too; `<prop>.*` where each field of the setting is the
   * prop's field of the same name. For a list, a refusal of element `<prop>[i].<field>` names
   * `<setting>[i].<field>` (a library field `<name> (ms)` is the setting's `<name>Ms`).
   * @default - a refusal names only the prop
   */
  readonly libraryProp?: string | readonly string[];
  /** The value as `DataTier` props. */
  readonly toProps?: (value: T) => DataTierProps;
  /** The value as `DataTier` props, for a setting that imports an existing resource into the stack. */
  readonly toImportedProps?: (value: T, where: ImportContext) => DataTierProps;
}

/** Where a setting's resource is imported, and what of the environment its import needs. */
export interface ImportContext {
  readonly scope: Construct;
  readonly region: string;
  readonly availabilityZones: string[];
  /** The props of the settings that import nothing (an existing VPC is described with `vpcCidr`). */
  readonly props: DataTierProps;
}

/** An entry of the table; `T` is inferred from the kind, so the conversion is type-checked. */
function setting<T>(entry: Setting<T>): Setting<T> {
  return entry;
}

const days = (value: number) => Duration.days(value);
const instanceTypeOf = (instanceClass: string) => new ec2.InstanceType(instanceClass.replace(/^db\./, ''));

const ENGINE_VERSIONS: Record<number, rds.PostgresEngineVersion> = {
  17: rds.PostgresEngineVersion.VER_17,
  18: rds.PostgresEngineVersion.VER_18,
};
const engineVersionOf = (major: number) => ENGINE_VERSIONS[major] ?? rds.PostgresEngineVersion.of(String(major), String(major));

const APPLICATION_ROLE = kind.object({
  name: kind.string,
  /** `read-write` or `read-only`. */
  access: kind.string,
  /** Schemas an application stream owns; default one named after the role. */
  schemas: kind.optional(kind.stringList),
  /** `iam` (the default) or `secret`. */
  signIn: kind.optional(kind.string),
  connectionLimit: kind.optional(kind.wholeNumber),
  statementTimeoutMs: kind.optional(kind.wholeNumber),
});

/** A role as the library takes it (its kind refused a negative or fractional number); the library refuses what is not allowed, naming the setting. */
function applicationRoleOf(role: TypeOf<typeof APPLICATION_ROLE>): ApplicationRole {
  return {
    name: role.name,
    access: role.access as ApplicationRoleAccess,
    schemas: role.schemas,
    signIn: role.signIn as ApplicationRoleSignIn | undefined,
    connectionLimit: role.connectionLimit,
    statementTimeout: role.statementTimeoutMs === undefined ? undefined : Duration.millis(role.statementTimeoutMs),
  };
}

const RESTORE = kind.object({
  fromSnapshot: kind.optional(kind.string),
  fromInstance: kind.optional(kind.string),
  fromReplicatedBackups: kind.optional(kind.string),
  fromCluster: kind.optional(kind.string),
  toTime: kind.optional(kind.string),
});

/** The restore as the library takes it (the app's rules have checked it names one source). */
export function restoreOf(restore: TypeOf<typeof RESTORE>): DatabaseRestore | undefined {
  const toTime = restore.toTime === undefined ? undefined : parseRestoreTime('', 'database.restore.toTime', restore.toTime);
  if (restore.fromSnapshot !== undefined) return DatabaseRestore.fromSnapshot(restore.fromSnapshot);
  if (restore.fromInstance !== undefined) return DatabaseRestore.fromInstance(restore.fromInstance, { toTime });
  if (restore.fromReplicatedBackups !== undefined) return DatabaseRestore.fromReplicatedBackups(restore.fromReplicatedBackups, { toTime });
  if (restore.fromCluster !== undefined) return DatabaseRestore.fromCluster(restore.fromCluster, { toTime });
  return undefined;
}

const TOPOLOGY = kind.object({
  /** `instances` (the default), `multi-az-cluster` or `aurora`. */
  kind: kind.string,
  /** multi-az-cluster: `io1`, `io2` or `gp3` (default); aurora: `aurora` (default) or `aurora-iopt1`. */
  storageType: kind.optional(kind.string),
  /** multi-az-cluster: provisioned IOPS (required for io1 and io2; default gp3's baseline). */
  iops: kind.optional(kind.wholeNumber),
  /** multi-az-cluster and aurora: the full engine version (major.minor) of engineMajorVersion; default the newest aws-cdk-lib knows. */
  engineVersion: kind.optional(kind.string),
  /** aurora: `provisioned` (default) or `serverless-v2`. */
  capacity: kind.optional(kind.string),
  /** aurora, serverless-v2: ACUs, 0 to 256 in steps of 0.5 (default 0.5 and 16). */
  serverlessV2MinCapacity: kind.optional(kind.number),
  serverlessV2MaxCapacity: kind.optional(kind.number),
  /**
   * aurora: the region of a secondary cluster of an Aurora global database: the tier's cluster
   * becomes its primary, and `-c globalSecondaryOf=<env>` builds the secondary's stack there.
   */
  globalSecondaryRegion: kind.optional(kind.string),
  /** aurora: readers added and removed by Aurora Auto Scaling, on their average CPU (`cpu`, the default) or connections. */
  readerAutoScaling: kind.optional(kind.object({ minReaders: kind.wholeNumber, maxReaders: kind.wholeNumber, metric: kind.optional(kind.string), targetValue: kind.optional(kind.number) })),
});

/** The topology as the library takes it; the library refuses what a kind cannot do, naming the setting. */
export function topologyOf(topology: TypeOf<typeof TOPOLOGY>): DatabaseTopology {
  const fieldsOf: Record<string, readonly string[]> = {
    instances: [],
    'multi-az-cluster': ['storageType', 'iops', 'engineVersion'],
    aurora: ['storageType', 'engineVersion', 'capacity', 'serverlessV2MinCapacity', 'serverlessV2MaxCapacity', 'readerAutoScaling', 'globalSecondaryRegion'],
  };
  const allowed = fieldsOf[topology.kind];
  const stray = allowed && Object.keys(topology).find((field) => field !== 'kind' && !allowed.includes(field));
  if (stray) {
    throw new DataTierValidationError('', `database.topology.${stray}`, (topology as Record<string, unknown>)[stray], `does not apply to kind ${topology.kind}${allowed.length > 0 ? `, which takes ${allowed.join(', ')}` : ', which takes no other field'}`);
  }
  const major = topology.engineVersion?.split('.')[0] ?? '';
  switch (topology.kind) {
    case 'multi-az-cluster':
      return {
        kind: 'multi-az-cluster',
        storageType: topology.storageType as MultiAzClusterStorageType | undefined,
        iops: topology.iops,
        engineVersion: topology.engineVersion === undefined ? undefined : rds.PostgresEngineVersion.of(topology.engineVersion, major),
      };
    case 'aurora':
      return {
        kind: 'aurora',
        storageType: topology.storageType as AuroraStorageType | undefined,
        capacity: topology.capacity as AuroraCapacity | undefined,
        serverlessV2MinCapacity: topology.serverlessV2MinCapacity,
        serverlessV2MaxCapacity: topology.serverlessV2MaxCapacity,
        readerAutoScaling: topology.readerAutoScaling && { ...topology.readerAutoScaling, metric: topology.readerAutoScaling.metric as AuroraReaderAutoScaling['metric'] },
        engineVersion: topology.engineVersion === undefined ? undefined : rds.AuroraPostgresEngineVersion.of(topology.engineVersion, major),
        globalDatabase: topology.globalSecondaryRegion !== undefined,
      };
    default:
      // `instances`, or a kind the library refuses by name (topology.kind).
      return { kind: topology.kind } as DatabaseTopology;
  }
}

/** The settings, by their path in the environment files (`<group>.<name>`), in the order refusals list them. */
export const SETTINGS = {
  /** CIDR of the VPC the stack creates. */
  'network.vpcCidr': setting({ kind: kind.string, libraryProp: 'Network:cidr', toProps: (cidr) => ({ network: { cidr } }) }),
  /**
   * Let `network.vpcCidr` be a publicly routable block (not RFC 1918 or RFC 6598): only for a range
   * the organisation owns and means to use, since the VPC's local route then shadows those addresses.
   */
  'network.allowPublicCidr': setting({ kind: kind.boolean, toProps: (allowPublicCidr) => ({ network: { allowPublicCidr } }) }),
  /** Build into an existing VPC instead; its interface endpoints and flow logs are the owner's. */
  'network.existingVpc': setting({
    kind: kind.object({
      vpcId: kind.string,
      /** Isolated subnets of the database and cache, one per zone, in the order of `availabilityZones`. */
      dataSubnetIds: kind.stringList,
      /** Subnets of the functions, one per zone; they reach AWS APIs through the VPC's own endpoints. */
      functionSubnetIds: kind.stringList,
    }),
    toImportedProps: (existing, where) => ({
      network: {
        vpc: ec2.Vpc.fromVpcAttributes(where.scope, 'ExistingVpc', {
          vpcId: existing.vpcId,
          vpcCidrBlock: where.props.network?.cidr ?? '10.40.0.0/16',
          availabilityZones: where.availabilityZones,
          isolatedSubnetIds: existing.dataSubnetIds,
          isolatedSubnetNames: ['Data'],
          privateSubnetIds: existing.functionSubnetIds,
          privateSubnetNames: ['Functions'],
        }),
        dataSubnets: { subnetGroupName: 'Data' },
        functionSubnets: { subnetGroupName: 'Functions' },
      },
    }),
  }),
  /** Days the VPC flow logs are kept (a CloudWatch Logs retention). */
  'network.flowLogRetentionDays': setting({ kind: kind.wholeNumber, libraryProp: 'Network:flowLogRetention', toProps: (retention) => ({ network: { flowLogRetention: retention as logs.RetentionDays } }) }),
  /**
   * Zones, from the first, whose function subnet holds the interface endpoints (1 to 3). Each
   * endpoint is billed per zone: with 1 they cost a third, and the functions lose the AWS APIs
   * while that zone is down (dev's choice; docs/app-settings.md).
   */
  'network.interfaceEndpointZones': setting({
    kind: kind.wholeNumber,
    // DataTier itself refuses it for an existing VPC, under the id the app gives the tier.
    libraryProp: ['Network:interfaceEndpointZones', 'Default:interfaceEndpointZones'],
    toProps: (interfaceEndpointZones) => ({ network: { interfaceEndpointZones } }),
  }),

  /** PostgreSQL major version (17, 18; the platform SQL needs 17 or later). */
  'database.engineMajorVersion': setting({ kind: kind.wholeNumber, libraryProp: 'Database:engineVersion', toProps: (major) => ({ database: { engineVersion: engineVersionOf(major) } }) }),
  /** Instance class of the primary, e.g. `db.r7g.large`. */
  'database.instanceClass': setting({ kind: kind.string, libraryProp: 'Database:instanceType', toProps: (instanceClass) => ({ database: { instanceType: instanceTypeOf(instanceClass) } }) }),
  /** Instance class of the read replicas, when not the primary's. */
  'database.replicaInstanceClass': setting({ kind: kind.string, libraryProp: 'Database:replicaInstanceType', toProps: (instanceClass) => ({ database: { replicaInstanceType: instanceTypeOf(instanceClass) } }) }),
  'database.replicaCount': setting({ kind: kind.wholeNumber, libraryProp: 'Database:replicaCount', toProps: (replicaCount) => ({ database: { replicaCount } }) }),
  /** A standby of the primary in another zone (the app requires it in prod). */
  'database.multiAz': setting({ kind: kind.boolean, toProps: (multiAz) => ({ database: { multiAz } }) }),
  'database.allocatedStorageGiB': setting({ kind: kind.wholeNumber, libraryProp: 'Database:allocatedStorageGiB', toProps: (allocatedStorageGiB) => ({ database: { allocatedStorageGiB } }) }),
  /** Ceiling of storage autoscaling. */
  'database.maxAllocatedStorageGiB': setting({ kind: kind.wholeNumber, libraryProp: 'Database:maxAllocatedStorageGiB', toProps: (maxAllocatedStorageGiB) => ({ database: { maxAllocatedStorageGiB } }) }),
  /** Days of automated backups: the point-in-time recovery window (1 to 35). */
  'database.backupRetentionDays': setting({ kind: kind.wholeNumber, libraryProp: 'Database:backupRetention (days)', toProps: (retention) => ({ database: { backupRetention: days(retention) } }) }),
  'database.performanceInsightsRetentionDays': setting({
    kind: kind.wholeNumber,
    libraryProp: 'Database:performanceInsightRetention (days)',
    toProps: (retention) => ({ database: { performanceInsightRetention: retention as rds.PerformanceInsightRetention } }),
  }),
  /** Enhanced Monitoring interval: 1, 5, 10, 15, 30 or 60 seconds. */
  'database.monitoringIntervalSeconds': setting({ kind: kind.wholeNumber, libraryProp: 'Database:monitoringInterval (seconds)', toProps: (interval) => ({ database: { monitoringInterval: Duration.seconds(interval) } }) }),
  'database.port': setting({ kind: kind.wholeNumber, libraryProp: 'Database:port', toProps: (port) => ({ database: { port } }) }),
  /** The app requires it outside dev. */
  'database.deletionProtection': setting({ kind: kind.boolean, toProps: (deletionProtection) => ({ database: { deletionProtection } }) }),
  /** Statements slower than this are logged (`log_min_duration_statement`). */
  'database.slowStatementMs': setting({ kind: kind.wholeNumber, libraryProp: 'Database:slowStatementThreshold (ms)', toProps: (ms) => ({ database: { slowStatementThreshold: Duration.millis(ms) } }) }),
  'database.idleInTransactionTimeoutMs': setting({ kind: kind.wholeNumber, libraryProp: 'Database:idleInTransactionTimeout (ms)', toProps: (ms) => ({ database: { idleInTransactionTimeout: Duration.millis(ms) } }) }),
  /** A later major version whose parameter group is prepared for a blue/green upgrade (on a Multi-AZ DB cluster, for its in-place upgrade; runbooks/major-version-upgrade.md). */
  'database.upgradeTargetMajorVersion': setting({ kind: kind.wholeNumber, toProps: (major) => ({ database: { upgradeTarget: engineVersionOf(major) } }) }),
  /** `blue-green-completed`: the switchover to `engineMajorVersion` happened (`in-place-completed` on a Multi-AZ DB cluster: the runbook's in-place upgrade); the stack catches up. */
  'database.majorVersionUpgrade': setting({ kind: kind.string, toProps: (state) => ({ database: { majorVersionUpgrade: state as DatabaseOptions['majorVersionUpgrade'] } }) }),
  /**
   * Build the primary from a source instead of an empty database: exactly one of `fromSnapshot`
   * (a snapshot or AWS Backup recovery point ARN), `fromInstance` (identifier, ARN or `db-` resource
   * id) or `fromReplicatedBackups` (automated backups ARN in this region), and for the last two
   * `toTime` (ISO-8601 UTC, or `latest`, the default). Only for a tier with its own `-c name`.
   */
  'database.restore': setting({ kind: RESTORE, toProps: (restore) => ({ database: { restore: restoreOf(restore) } }) }),
  /**
   * What the database is (docs/topologies.md): `{ "kind": "instances" }` (the default: a Multi-AZ
   * primary and read replicas), `{ "kind": "multi-az-cluster", ... }` (a writer and two readable
   * standbys; instanceClass a local-NVMe class such as db.r6gd.large; no maxAllocatedStorageGiB) or
   * `{ "kind": "aurora", ... }` (replicaCount readers, provisioned or Serverless v2; no
   * allocatedStorageGiB or maxAllocatedStorageGiB). A deployed tier keeps its topology: another one
   * is a new tier.
   */
  'database.topology': setting({
    kind: TOPOLOGY,
    libraryProp: 'Database:topology.*',
    toProps: (topology) => ({ topology: topologyOf(topology) }),
  }),
  /**
   * The applications' own database roles (docs/application-roles.md): each `{ name, access,
   * schemas?, signIn?, connectionLimit?, statementTimeoutMs? }`, in schemas the app's migration
   * streams own (the analytics stream owns `public`).
   */
  'database.applicationRoles': setting({
    kind: kind.list(APPLICATION_ROLE),
    libraryProp: ['Database:applicationRoles', 'Schema:applicationRoles'],
    toProps: (roles) => ({ applicationRoles: roles.map(applicationRoleOf) }),
  }),
  /** Replicate the automated backups to another region (a key ARN of that region); retention defaults to backupRetentionDays. */
  'database.backupReplication': setting({
    kind: kind.object({ region: kind.string, kmsKeyArn: kind.string, retentionDays: kind.optional(kind.wholeNumber) }),
    toProps: (replication) => ({
      database: {
        backupReplication: { region: replication.region, kmsKey: replication.kmsKeyArn, retention: replication.retentionDays === undefined ? undefined : days(replication.retentionDays) },
      },
    }),
  }),

  /**
   * Days every log group of the tier keeps its events (a CloudWatch Logs retention): the PostgreSQL
   * log exports, the cache slow log, the functions, the operator sessions and the game-day experiments.
   */
  'logs.retentionDays': setting({ kind: kind.wholeNumber, libraryProp: 'Database:logRetention', toProps: (retention) => ({ logRetention: retention as logs.RetentionDays }) }),

  /** Clients authenticate with IAM end to end (proxy to database too) instead of the secret. */
  'proxy.iamAuthEndToEnd': setting({ kind: kind.boolean, toProps: (iamAuthEndToEnd) => ({ database: { proxy: { iamAuthEndToEnd } } }) }),
  'proxy.idleClientTimeoutSeconds': setting({
    kind: kind.wholeNumber,
    libraryProp: 'Database:proxy.idleClientTimeout (seconds)',
    toProps: (seconds) => ({ database: { proxy: { idleClientTimeout: Duration.seconds(seconds) } } }),
  }),
  'proxy.maxConnectionsPercent': setting({ kind: kind.wholeNumber, libraryProp: 'Database:proxy.maxConnectionsPercent', toProps: (maxConnectionsPercent) => ({ database: { proxy: { maxConnectionsPercent } } }) }),

  /** `redis` or `valkey`. */
  'cache.engine': setting({ kind: kind.string, libraryProp: 'Cache:engine', toProps: (engine) => ({ cache: { engine: engine as CacheEngine } }) }),
  'cache.engineVersion': setting({ kind: kind.string, libraryProp: 'Cache:engineVersion', toProps: (engineVersion) => ({ cache: { engineVersion } }) }),
  /** e.g. `cache.r7g.large` */
  'cache.nodeType': setting({ kind: kind.string, libraryProp: 'Cache:nodeType', toProps: (nodeType) => ({ cache: { nodeType } }) }),
  'cache.port': setting({ kind: kind.wholeNumber, libraryProp: 'Cache:port', toProps: (port) => ({ cache: { port } }) }),
  'cache.snapshotRetentionDays': setting({ kind: kind.wholeNumber, libraryProp: 'Cache:snapshotRetention (days)', toProps: (retention) => ({ cache: { snapshotRetention: days(retention) } }) }),

  /** Days each daily AWS Backup recovery point is kept. */
  'backup.retentionDays': setting({ kind: kind.wholeNumber, libraryProp: 'Backup:retention (days)', toProps: (retention) => ({ backup: { retention: days(retention) } }) }),
  /** A vault in another region each recovery point is copied to. */
  'backup.copyToVaultArn': setting({
    kind: kind.string,
    libraryProp: 'Backup:copyToVault',
    toImportedProps: (arn, where) => {
      validateCopyVaultArn('', 'backup.copyToVaultArn', arn, where.region);
      return { backup: { copyToVault: backup.BackupVault.fromBackupVaultArn(where.scope, 'CopyVault', arn) } };
    },
  }),

  'monitoring.alarmEmails': setting({ kind: kind.stringList, libraryProp: 'Monitoring:alarmEmails', toProps: (alarmEmails) => ({ monitoring: { alarmEmails } }) }),
  /** Where `runbooks/` is published; each alarm description then links its runbook. */
  'monitoring.runbookBaseUrl': setting({ kind: kind.string, libraryProp: 'Monitoring:runbookBaseUrl', toProps: (runbookBaseUrl) => ({ monitoring: { runbookBaseUrl } }) }),
  /** Thresholds of the alarm table to change (docs/alarms.md lists them). */
  'monitoring.thresholds': setting({ kind: kind.someFieldsOf(DEFAULT_ALARM_THRESHOLDS, kind.number), libraryProp: 'Monitoring:thresholds.*', toProps: (thresholds) => ({ monitoring: { thresholds } }) }),
  /** Conditions of the alarm table not to create. */
  'monitoring.disabledAlarms': setting({ kind: kind.stringList, libraryProp: 'Monitoring:disabledAlarms', toProps: (disabledAlarms) => ({ monitoring: { disabledAlarms } }) }),

  /** The AWS Fault Injection Service experiment templates of the game days. */
  'drills.faultInjection': setting({ kind: kind.boolean, toProps: (faultInjection) => ({ faultInjection }) }),
  /** An operator host reached only through AWS Systems Manager, for `npm run tunnel`. */
  'operatorAccess.enabled': setting({ kind: kind.boolean, toProps: (operatorAccess) => ({ operatorAccess }) }),

  // The cross-region read replica stack (`-c drReplicaOf=<env>`), which app/dr-replica-stack.ts
  // builds from these: not props of the tier.
  /** Its region (else `database.backupReplication.region`). */
  'drReplica.region': setting({ kind: kind.string }),
  /** CIDR of its VPC, never overlapping `network.vpcCidr` (else that block in the other half of its private range: 10.42.0.0/16 gives 10.170.0.0/16). */
  'drReplica.vpcCidr': setting({ kind: kind.string }),
  /** Its instance class (else `database.instanceClass`). */
  'drReplica.instanceClass': setting({ kind: kind.string }),
  'drReplica.multiAz': setting({ kind: kind.boolean }),
  /** Promote it to a standalone primary (runbooks/region-loss.md). */
  'drReplica.promote': setting({ kind: kind.boolean }),
};

type SettingPath = keyof typeof SETTINGS;
type GroupOf<Path> = Path extends `${infer Group}.${string}` ? Group : never;
type ValueOf<S> = S extends Setting<infer T> ? T : never;

/**
 * The settings of an environment, as `app/environments/<env>.json` holds them: every setting
 * optional, a missing one takes the library's default. Each `<group>.<name>` of the table is
 * `{ <group>?: { <name>?: <the type of its kind> } }`.
 */
export type EnvironmentSettings = {
  readonly [Group in GroupOf<SettingPath>]?: {
    readonly [Path in SettingPath as Path extends `${Group}.${infer Name}` ? Name : never]?: ValueOf<(typeof SETTINGS)[Path]>;
  };
};

/** An entry with its value type erased: a value given to its conversion was checked against its kind first. */
type AnySetting = Setting<any>;
const ENTRIES = Object.entries(SETTINGS) as Array<[SettingPath, AnySetting]>;

/** The settings given, each with its entry of the table. */
function givenSettings(settings: EnvironmentSettings): Array<[AnySetting, unknown]> {
  const groups = settings as Record<string, Record<string, unknown> | undefined>;
  return ENTRIES.flatMap(([path, entry]) => {
    const [group, name] = path.split('.');
    const value = groups[group]?.[name];
    return value === undefined ? [] : [[entry, value]];
  });
}

const KINDS_BY_GROUP: Record<string, Record<string, Kind<unknown>>> = {};
for (const [path, entry] of ENTRIES) {
  const [group, name] = path.split('.');
  KINDS_BY_GROUP[group] = { ...KINDS_BY_GROUP[group], [name]: entry.kind };
}

/**
 * The kind of a settings file: each group an object of its settings, each of its kind. The
 * environment files and `-c overrides` are checked against it, every value before any conversion.
 */
export const SETTINGS_KIND: Kind<unknown> = kind.object(Object.fromEntries(Object.entries(KINDS_BY_GROUP).map(([group, fields]) => [group, kind.optional(kind.object(fields))])));

/** Every setting with a value of its kind: whose keys the environment files and `-c overrides` are checked against (`rejectUnknownKeys`). */
export const SETTINGS_SHAPE = SETTINGS_KIND.sample as Record<string, Record<string, unknown>>;

/**
 * The `DataTier` props the settings give, before the library's defaults; with `importInto`, also
 * those of the settings that import an existing resource there (a VPC, a copy vault).
 */
export function tierPropsOf(settings: EnvironmentSettings, importInto?: Omit<ImportContext, 'props'>): DataTierProps {
  const given = givenSettings(settings);
  const props = given.reduce<DataTierProps>((merged, [entry, value]) => (entry.toProps ? mergeObjects(merged, entry.toProps(value)) : merged), {});
  if (!importInto) return props;
  const where = { ...importInto, props };
  return given.reduce<DataTierProps>((merged, [entry, value]) => (entry.toImportedProps ? mergeObjects(merged, entry.toImportedProps(value, where)) : merged), props);
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/** `override` over `base`, plain object by plain object; anything else (lists, `Duration`s, constructs) is replaced. */
export function mergeObjects<T extends object>(base: T, override: T): T {
  const result: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(override as Record<string, unknown>)) {
    const current = result[key];
    result[key] = isPlainObject(current) && isPlainObject(value) ? mergeObjects<object>(current, value) : value;
  }
  return result as T;
}

/** The setting behind each library prop, keyed as in {@link Setting.libraryProp}. */
const SETTING_OF_LIBRARY_PROP = new Map<string, string>(ENTRIES.flatMap(([path, entry]) => [entry.libraryProp ?? []].flat().map((prop): [string, string] => [prop, path])));

/** The app setting a construct's refusal is about, e.g. `database.backupRetentionDays`, if the app has one. */
export function settingOf(error: DataTierValidationError): string | undefined {
  const constructId = error.path.split('/').pop() ?? '';
  const setting = SETTING_OF_LIBRARY_PROP.get(`${constructId}:${error.prop}`);
  if (setting) return setting;
  const element = /^(\w+)\[(\d+)\](?:\.(.+))?$/.exec(error.prop);
  const listSetting = element && SETTING_OF_LIBRARY_PROP.get(`${constructId}:${element[1]}`);
  if (element && listSetting) {
    const field = element[3]?.replace(/^(\w+) \(ms\)$/, '$1Ms');
    return `${listSetting}[${element[2]}]${field ? `.${field}` : ''}`;
  }
  // A field of an object prop, at any depth: `topology.readerAutoScaling.maxReaders` of the prop
  // `topology.*` is the setting's field of the same path.
  const parts = error.prop.split('.');
  for (let i = 1; i < parts.length; i++) {
    const objectSetting = SETTING_OF_LIBRARY_PROP.get(`${constructId}:${parts.slice(0, i).join('.')}.*`);
    if (objectSetting) return `${objectSetting}.${parts.slice(i).join('.')}`;
  }
  return undefined;
}

/** The refusal, with the app's setting to change when the construct's prop has another name. */
export function withSetting(error: DataTierValidationError, envName: string): DataTierValidationError {
  const setting = settingOf(error);
  if (!setting) return error;
  const explained = new DataTierValidationError(error.path, error.prop, error.value, `${error.allowed} (the app's setting: ${setting}, in app/environments/${envName}.json or -c overrides)`);
  explained.stack = error.stack;
  return explained;
}
