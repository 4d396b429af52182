/**
 * The shape of a tier's database: RDS for PostgreSQL instances (a Multi-AZ primary and read
 * replicas), an RDS Multi-AZ DB cluster (a writer and two readable standbys), or an Aurora
 * PostgreSQL cluster (a writer and up to 15 readers, provisioned or Serverless v2). Every other
 * layer of the tier (secrets, proxy, migrations, health check, alarms, backup, outputs) is built
 * around whichever is chosen.
 *
 * AWS pages each limit below was checked against (December 2026):
 *  - Multi-AZ DB clusters: "Multi-AZ DB cluster deployments for Amazon RDS", Instance class
 *    availability (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/multi-az-db-clusters-concepts.html):
 *    db.m5d, db.m6gd, db.m6id, db.m6idn, db.r5d, db.r6gd, db.x2iedn, db.r6id, db.r6idn, db.c6gd,
 *    and only db.c6gd comes in a medium size. "Limitations of Multi-AZ DB clusters"
 *    (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/multi-az-db-clusters-concepts.Limitations.html):
 *    no storage autoscaling by a maximum allocated storage, no cross-Region automated backups, no
 *    change of port, no stop/start. "Creating a Multi-AZ DB cluster"
 *    (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/create-multi-az-db-cluster.html): the DB
 *    subnet group must cover at least three Availability Zones.
 *  - Aurora Serverless v2: ServerlessV2ScalingConfiguration, RDS API reference
 *    (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ServerlessV2ScalingConfiguration.html):
 *    capacities in half-ACU steps; MinCapacity down to 0 on versions with auto-pause (else 0.5);
 *    MaxCapacity up to 256 on recent versions (128 on older ones). "Scaling to Zero ACUs with
 *    automatic pause and resume" (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2-auto-pause.html):
 *    an instance pauses only after a period with no user connections, so the tier's own
 *    every-minute health check keeps a minimum of 0 from ever pausing the writer.
 *  - Aurora instance classes: "Supported DB engines for DB instance classes", Aurora User Guide
 *    (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.DBInstanceClass.SupportAurora.html).
 */
import * as rds from 'aws-cdk-lib/aws-rds';
import { DataTierValidationError, requireOneOf } from './private/validation';

/** Today's shape: a primary (Multi-AZ where configured) and read replicas, each an `AWS::RDS::DBInstance`. */
export interface InstancesTopology {
  readonly kind: 'instances';
}

/** Storage of a Multi-AZ DB cluster: Provisioned IOPS (io1, io2) or General Purpose gp3. */
export type MultiAzClusterStorageType = 'io1' | 'io2' | 'gp3';

/**
 * An RDS Multi-AZ DB cluster (`AWS::RDS::DBCluster` with `Engine: postgres`): one writer and two
 * readable standbys, one per zone, each on local NVMe; a commit waits for one standby. RDS creates
 * the three DB instances itself. `database.instanceType` is the class of all three (a local-NVMe
 * class such as `r6gd.large`), `database.allocatedStorageGiB` the storage of each;
 * `database.replicaCount` can only be the two standbys.
 */
export interface MultiAzClusterTopology {
  readonly kind: 'multi-az-cluster';
  /**
   * Storage type of the cluster.
   * @default 'gp3'
   */
  readonly storageType?: MultiAzClusterStorageType;
  /**
   * Provisioned IOPS; required for io1 and io2. For gp3, at least its baseline (3,000 below 400
   * GiB, 12,000 from 400 GiB) and at most 64,000.
   * @default - for gp3, its baseline; io1 and io2 refuse it missing
   */
  readonly iops?: number;
  /**
   * The RDS for PostgreSQL version, with its minor: a DB cluster takes no major version alone
   * (CloudFormation's `AWS::RDS::DBCluster` lists `EngineVersion` values such as `17.9`, none
   * such as `17`). Of the major `database.engineVersion` names.
   * @default - the newest minor of that major aws-cdk-lib knows (17.9 for 17, 18.3 for 18)
   */
  readonly engineVersion?: rds.PostgresEngineVersion;
}

/** Storage of an Aurora cluster: `aurora` (Standard, I/O billed per request) or `aurora-iopt1` (I/O-Optimized, no I/O charges). */
export type AuroraStorageType = 'aurora' | 'aurora-iopt1';

/** How the Aurora instances are sized. */
export type AuroraCapacity = 'provisioned' | 'serverless-v2';

/**
 * Application Auto Scaling of Aurora readers (`rds:cluster:ReadReplicaCount`), tracking the
 * readers' average CPU or connections.
 */
export interface AuroraReaderAutoScaling {
  /** Fewest readers. */
  readonly minReaders: number;
  /** Most readers (at most 15, Aurora's limit of replicas per cluster). */
  readonly maxReaders: number;
  /**
   * What the readers are scaled on: their average CPU (`cpu`, percent) or their average connections (`connections`).
   * @default 'cpu'
   */
  readonly metric?: 'cpu' | 'connections';
  /**
   * The value of the metric to hold: percent for `cpu`, connections for `connections`.
   * @default 70 (percent CPU)
   */
  readonly targetValue?: number;
}

/**
 * An Aurora PostgreSQL cluster (`AWS::RDS::DBCluster` with `Engine: aurora-postgresql`): storage
 * shared across three zones, a writer `<name>-writer` and readers `<name>-reader-<n>`
 * (`database.replicaCount`, up to 15), provisioned at `database.instanceType` (readers
 * `database.replicaInstanceType`) or Serverless v2. `allocatedStorageGiB` and
 * `maxAllocatedStorageGiB` do not apply: the cluster volume grows on its own.
 */
export interface AuroraTopology {
  readonly kind: 'aurora';
  /**
   * Provisioned instances of `database.instanceType`, or Serverless v2 (`db.serverless`) between
   * `serverlessV2MinCapacity` and `serverlessV2MaxCapacity`.
   * @default 'provisioned'
   */
  readonly capacity?: AuroraCapacity;
  /**
   * Serverless v2 floor, in ACUs (0 to 256 in steps of 0.5; 0 lets idle instances pause).
   * @default 0.5
   */
  readonly serverlessV2MinCapacity?: number;
  /**
   * Serverless v2 ceiling, in ACUs (1 to 256 in steps of 0.5, at least the floor).
   * @default 16
   */
  readonly serverlessV2MaxCapacity?: number;
  /**
   * Readers added and removed by Application Auto Scaling above `database.replicaCount`.
   * @default - a fixed number of readers, `database.replicaCount`
   */
  readonly readerAutoScaling?: AuroraReaderAutoScaling;
  /**
   * Cluster storage: Standard (`aurora`) or I/O-Optimized (`aurora-iopt1`).
   * @default 'aurora'
   */
  readonly storageType?: AuroraStorageType;
  /**
   * The Aurora PostgreSQL version, of the major `database.engineVersion` names.
   * @default - the newest minor of that major aws-cdk-lib knows (17.9 for 17, 18.6 for 18)
   */
  readonly engineVersion?: rds.AuroraPostgresEngineVersion;
  /**
   * Make the cluster the primary of an Aurora global database `<name>-global`
   * (`AWS::RDS::GlobalCluster` from this cluster), which an `AuroraGlobalSecondary` in another
   * region joins.
   * @default false
   */
  readonly globalDatabase?: boolean;
}

/** What a tier's database is: `instances` (the default), `multi-az-cluster` or `aurora`. */
export type DatabaseTopology = InstancesTopology | MultiAzClusterTopology | AuroraTopology;

/** The kinds of topology. */
export type TopologyKind = 'instances' | 'multi-az-cluster' | 'aurora';
export const TOPOLOGY_KINDS: readonly TopologyKind[] = ['instances', 'multi-az-cluster', 'aurora'];

/** Instance class families a Multi-AZ DB cluster runs on (multi-az-db-clusters-concepts.html, Instance class availability). */
export const MULTI_AZ_CLUSTER_FAMILIES = ['db.m5d', 'db.m6gd', 'db.m6id', 'db.m6idn', 'db.r5d', 'db.r6gd', 'db.r6id', 'db.r6idn', 'db.x2iedn', 'db.c6gd'] as const;
/** The one family a Multi-AZ DB cluster runs on in a medium size. */
const MULTI_AZ_MEDIUM_FAMILY = 'db.c6gd';
/** The readable standbys of a Multi-AZ DB cluster: always two. */
export const MULTI_AZ_CLUSTER_READERS = 2;

/**
 * Instance class families of Aurora PostgreSQL (Concepts.DBInstanceClass.SupportAurora.html). The
 * page's tables were read for db.serverless, db.x2g, db.r6gd, db.r6id, db.r8g and db.r8gd; the
 * others are the memory-optimized and burstable families it lists above them. Sizes and minor
 * version floors are not checked here.
 */
export const AURORA_POSTGRES_FAMILIES = ['db.r5', 'db.r6g', 'db.r6gd', 'db.r6i', 'db.r6id', 'db.r7g', 'db.r7i', 'db.r8g', 'db.r8gd', 'db.t3', 'db.t4g', 'db.x2g'] as const;
/** Aurora's replicas per cluster. */
export const MAX_AURORA_READERS = 15;
/** Serverless v2 capacity bounds, ACUs (API_ServerlessV2ScalingConfiguration). */
export const SERVERLESS_V2_CAPACITY = { min: 0, max: 256, step: 0.5 } as const;

/** Provisioned IOPS bounds of a Multi-AZ DB cluster's io1/io2 storage and its minimum size, as for RDS Provisioned IOPS volumes. */
const PROVISIONED_IOPS = { min: 1_000, max: 256_000, minStorageGiB: 100 } as const;

/** The newest Aurora PostgreSQL minor aws-cdk-lib 2.276 names, by major. */
const NEWEST_AURORA_VERSIONS: Readonly<Record<string, rds.AuroraPostgresEngineVersion>> = {
  '17': rds.AuroraPostgresEngineVersion.VER_17_9,
  '18': rds.AuroraPostgresEngineVersion.VER_18_6,
};

/** The newest Aurora PostgreSQL version of a PostgreSQL major that aws-cdk-lib names (its family is `aurora-postgresql<major>`). */
export function auroraVersionOf(postgresMajorVersion: string): rds.AuroraPostgresEngineVersion {
  return NEWEST_AURORA_VERSIONS[postgresMajorVersion] ?? rds.AuroraPostgresEngineVersion.of(postgresMajorVersion, postgresMajorVersion);
}

/** The newest RDS for PostgreSQL minor aws-cdk-lib 2.276 names, by major. */
const NEWEST_POSTGRES_VERSIONS: Readonly<Record<string, rds.PostgresEngineVersion>> = {
  '17': rds.PostgresEngineVersion.VER_17_9,
  '18': rds.PostgresEngineVersion.VER_18_3,
};

/**
 * The IOPS gp3 storage of RDS includes, by size: 3,000 below 400 GiB, 12,000 from 400 GiB
 * ("Amazon RDS DB instance storage", General Purpose SSD storage,
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html).
 */
export function gp3BaselineIops(allocatedStorageGiB: number): number {
  return allocatedStorageGiB < 400 ? 3_000 : 12_000;
}

/** A Multi-AZ DB cluster topology, defaults filled in. */
export interface ResolvedMultiAzClusterTopology {
  readonly kind: 'multi-az-cluster';
  readonly storageType: MultiAzClusterStorageType;
  /** Given, or gp3's baseline. */
  readonly iops?: number;
  readonly engineVersion: rds.PostgresEngineVersion;
}

/** An Aurora topology, defaults filled in. */
export interface ResolvedAuroraTopology {
  readonly kind: 'aurora';
  readonly capacity: AuroraCapacity;
  readonly serverlessV2MinCapacity: number;
  readonly serverlessV2MaxCapacity: number;
  readonly readerAutoScaling?: Required<AuroraReaderAutoScaling>;
  readonly storageType: AuroraStorageType;
  readonly engineVersion: rds.AuroraPostgresEngineVersion;
  readonly globalDatabase: boolean;
}

/** The topology a tier is built with, defaults filled in. */
export type ResolvedTopology = InstancesTopology | ResolvedMultiAzClusterTopology | ResolvedAuroraTopology;

/** A cluster topology (Multi-AZ DB cluster or Aurora), defaults filled in. */
export type ResolvedClusterTopology = ResolvedMultiAzClusterTopology | ResolvedAuroraTopology;

/** The topology with its defaults; `instances` when none is given. */
export function resolveTopology(topology: DatabaseTopology | undefined, postgresMajorVersion: string, allocatedStorageGiB: number): ResolvedTopology {
  if (topology === undefined || topology.kind === 'instances') return { kind: 'instances' };
  if (topology.kind === 'multi-az-cluster') {
    const storageType = topology.storageType ?? 'gp3';
    return {
      kind: 'multi-az-cluster',
      storageType,
      // CloudFormation's schema requires Iops of a Multi-AZ DB cluster whatever its storage: gp3's is its baseline.
      iops: topology.iops ?? (storageType === 'gp3' ? gp3BaselineIops(allocatedStorageGiB) : undefined),
      engineVersion: topology.engineVersion ?? NEWEST_POSTGRES_VERSIONS[postgresMajorVersion] ?? rds.PostgresEngineVersion.of(postgresMajorVersion, postgresMajorVersion),
    };
  }
  // Any other kind is refused by name (validateTopology).
  if (topology.kind !== 'aurora') return topology as ResolvedTopology;
  const scaling = topology.readerAutoScaling;
  return {
    kind: 'aurora',
    capacity: topology.capacity ?? 'provisioned',
    serverlessV2MinCapacity: topology.serverlessV2MinCapacity ?? 0.5,
    serverlessV2MaxCapacity: topology.serverlessV2MaxCapacity ?? 16,
    readerAutoScaling: scaling && { minReaders: scaling.minReaders, maxReaders: scaling.maxReaders, metric: scaling.metric ?? 'cpu', targetValue: scaling.targetValue ?? 70 },
    storageType: topology.storageType ?? 'aurora',
    engineVersion: topology.engineVersion ?? auroraVersionOf(postgresMajorVersion),
    globalDatabase: topology.globalDatabase ?? false,
  };
}

/** Whether the topology is a DB cluster (Multi-AZ DB cluster or Aurora). */
export function isClusterTopology(topology: ResolvedTopology): topology is ResolvedClusterTopology {
  return topology.kind !== 'instances';
}

/** The database options a topology is checked against: those it constrains, and whether each was given. */
export interface TopologyCheckedOptions {
  readonly instanceClass: string;
  readonly replicaInstanceClass: string;
  readonly replicaCount: number;
  readonly allocatedStorageGiB: number;
  readonly postgresMajorVersion: string;
  readonly multiAz: boolean;
  readonly maxAllocatedStorageGiB: number;
  /** The options the caller set itself (not filled in by a default). */
  readonly given: ReadonlySet<string>;
}

/**
 * Refuses what a topology cannot do, naming the option, its value and what is allowed. `prop`
 * names the topology itself (`topology`); its fields are `topology.<field>`.
 */
export function validateTopology(path: string, topology: ResolvedTopology, o: TopologyCheckedOptions): void {
  const kind = (topology as { kind: unknown }).kind;
  requireOneOf(path, 'topology.kind', kind, TOPOLOGY_KINDS);
  if (topology.kind === 'instances') return;
  const refuse = (prop: string, value: unknown, allowed: string): never => {
    throw new DataTierValidationError(path, prop, value, allowed);
  };
  const name = topology.kind === 'aurora' ? 'an Aurora cluster' : 'a Multi-AZ DB cluster';
  if (!o.multiAz) refuse('multiAz', o.multiAz, `must be true (its default) for ${name}, which always spans three zones`);
  if (topology.kind === 'multi-az-cluster') validateMultiAzClass(path, 'instanceType', o.instanceClass);
  if (o.given.has('maxAllocatedStorageGiB')) {
    refuse(
      'maxAllocatedStorageGiB',
      o.maxAllocatedStorageGiB,
      topology.kind === 'aurora'
        ? 'must not be set for an Aurora cluster: its cluster volume grows on its own'
        : 'must not be set for a Multi-AZ DB cluster: it has no storage autoscaling (scale allocatedStorageGiB by hand instead)',
    );
  }
  if (topology.kind === 'multi-az-cluster') {
    if (o.given.has('replicaInstanceType') && o.replicaInstanceClass !== o.instanceClass) {
      refuse('replicaInstanceType', o.replicaInstanceClass, `must be left out (or equal instanceType, ${o.instanceClass}) for a Multi-AZ DB cluster: its three instances share one class`);
    }
    if (o.given.has('replicaCount') && o.replicaCount !== MULTI_AZ_CLUSTER_READERS) {
      refuse('replicaCount', o.replicaCount, `must be ${MULTI_AZ_CLUSTER_READERS} (or left out) for a Multi-AZ DB cluster: it always has exactly two readable standbys`);
    }
    const { storageType, iops, engineVersion } = topology;
    if (engineVersion.postgresMajorVersion !== o.postgresMajorVersion || !engineVersion.postgresFullVersion.includes('.')) {
      refuse('topology.engineVersion', engineVersion.postgresFullVersion, `must be a full version (major.minor) of PostgreSQL ${o.postgresMajorVersion}, the major engineVersion names, such as ${o.postgresMajorVersion}.1`);
    }
    requireOneOf(path, 'topology.storageType', storageType, ['io1', 'io2', 'gp3']);
    if (storageType === 'io1' || storageType === 'io2') {
      if (iops === undefined || !Number.isInteger(iops) || iops < PROVISIONED_IOPS.min || iops > PROVISIONED_IOPS.max) {
        refuse('topology.iops', iops, `must be a whole number from ${PROVISIONED_IOPS.min} to ${PROVISIONED_IOPS.max} for ${storageType} storage (Provisioned IOPS)`);
      }
      if (o.allocatedStorageGiB < PROVISIONED_IOPS.minStorageGiB) {
        refuse('allocatedStorageGiB', o.allocatedStorageGiB, `must be at least ${PROVISIONED_IOPS.minStorageGiB} for ${storageType} storage`);
      }
    } else {
      const baseline = gp3BaselineIops(o.allocatedStorageGiB);
      if (iops === undefined || !Number.isInteger(iops) || iops < baseline || iops > 64_000) {
        refuse('topology.iops', iops, `must be a whole number from ${baseline} (gp3's baseline at ${o.allocatedStorageGiB} GiB) to 64000 for gp3 storage, or left out for that baseline`);
      }
    }
    return;
  }

  // Aurora.
  requireOneOf(path, 'topology.storageType', topology.storageType, ['aurora', 'aurora-iopt1']);
  requireOneOf(path, 'topology.capacity', topology.capacity, ['provisioned', 'serverless-v2']);
  if (o.given.has('allocatedStorageGiB')) refuse('allocatedStorageGiB', o.allocatedStorageGiB, 'must not be set for an Aurora cluster: its cluster volume grows on its own (up to 128 TiB)');
  const major = topology.engineVersion.auroraPostgresMajorVersion;
  if (major !== o.postgresMajorVersion) {
    refuse('topology.engineVersion', topology.engineVersion.auroraPostgresFullVersion, `must be a version of PostgreSQL ${o.postgresMajorVersion}, the major engineVersion names`);
  }
  if (topology.capacity === 'provisioned') {
    validateAuroraClass(path, 'instanceType', o.instanceClass);
    validateAuroraClass(path, 'replicaInstanceType', o.replicaInstanceClass);
  } else {
    const { serverlessV2MinCapacity: min, serverlessV2MaxCapacity: max } = topology;
    const inSteps = (value: number) => Number.isFinite(value) && Math.round(value / SERVERLESS_V2_CAPACITY.step) * SERVERLESS_V2_CAPACITY.step === value;
    if (!inSteps(min) || min < SERVERLESS_V2_CAPACITY.min || min > SERVERLESS_V2_CAPACITY.max) {
      refuse('topology.serverlessV2MinCapacity', min, `must be from ${SERVERLESS_V2_CAPACITY.min} to ${SERVERLESS_V2_CAPACITY.max} ACUs in steps of ${SERVERLESS_V2_CAPACITY.step}`);
    }
    if (!inSteps(max) || max < 1 || max > SERVERLESS_V2_CAPACITY.max || max < min) {
      refuse('topology.serverlessV2MaxCapacity', max, `must be from 1 to ${SERVERLESS_V2_CAPACITY.max} ACUs in steps of ${SERVERLESS_V2_CAPACITY.step}, and at least serverlessV2MinCapacity (${min})`);
    }
    for (const option of ['instanceType', 'replicaInstanceType']) {
      if (o.given.has(option)) refuse(option, option === 'instanceType' ? o.instanceClass : o.replicaInstanceClass, "must be left out with capacity 'serverless-v2': every instance is db.serverless, sized by serverlessV2MinCapacity and serverlessV2MaxCapacity");
    }
  }
  if (!Number.isInteger(o.replicaCount) || o.replicaCount < 0 || o.replicaCount > MAX_AURORA_READERS) {
    refuse('replicaCount', o.replicaCount, `must be a whole number from 0 to ${MAX_AURORA_READERS} (Aurora's replicas per cluster)`);
  }
  const scaling = topology.readerAutoScaling;
  if (scaling) {
    const { minReaders, maxReaders, metric, targetValue } = scaling;
    if (!Number.isInteger(minReaders) || minReaders < 0 || minReaders > MAX_AURORA_READERS) {
      refuse('topology.readerAutoScaling.minReaders', minReaders, `must be a whole number from 0 to ${MAX_AURORA_READERS}`);
    }
    if (!Number.isInteger(maxReaders) || maxReaders < Math.max(1, minReaders) || maxReaders > MAX_AURORA_READERS) {
      refuse('topology.readerAutoScaling.maxReaders', maxReaders, `must be a whole number from ${Math.max(1, minReaders)} (minReaders, at least 1) to ${MAX_AURORA_READERS}`);
    }
    if (o.replicaCount > maxReaders) {
      refuse('replicaCount', o.replicaCount, `must be at most readerAutoScaling.maxReaders (${maxReaders}): the readers the stack creates count towards it`);
    }
    requireOneOf(path, 'topology.readerAutoScaling.metric', metric, ['cpu', 'connections']);
    const most = metric === 'cpu' ? 100 : 100_000;
    if (!Number.isFinite(targetValue) || targetValue <= 0 || targetValue > most) {
      refuse('topology.readerAutoScaling.targetValue', targetValue, metric === 'cpu' ? 'must be a percent above 0 and at most 100' : `must be a number of connections above 0 and at most ${most}`);
    }
  }
}

function familyAndSize(path: string, prop: string, instanceClass: string): [string, string] {
  const match = /^(db\.[a-z0-9-]+)\.([a-z0-9-]+)$/.exec(instanceClass);
  if (!match) throw new DataTierValidationError(path, prop, instanceClass, 'must be an RDS instance class such as db.r6gd.large');
  return [match[1], match[2]];
}

function validateMultiAzClass(path: string, prop: string, instanceClass: string): void {
  const [family, size] = familyAndSize(path, prop, instanceClass);
  if (!(MULTI_AZ_CLUSTER_FAMILIES as readonly string[]).includes(family)) {
    throw new DataTierValidationError(
      path,
      prop,
      instanceClass,
      `must be of a family a Multi-AZ DB cluster runs on (local NVMe storage): ${MULTI_AZ_CLUSTER_FAMILIES.join(', ')}; for ${family}, choose the topology 'instances' or 'aurora'`,
    );
  }
  if (size === 'medium' && family !== MULTI_AZ_MEDIUM_FAMILY) {
    throw new DataTierValidationError(path, prop, instanceClass, `must be large or bigger: only ${MULTI_AZ_MEDIUM_FAMILY} comes in medium for a Multi-AZ DB cluster`);
  }
}

function validateAuroraClass(path: string, prop: string, instanceClass: string): void {
  const [family] = familyAndSize(path, prop, instanceClass);
  if (family === 'db.serverless') throw new DataTierValidationError(path, prop, instanceClass, "is chosen with topology.capacity 'serverless-v2', not as an instance class");
  if (!(AURORA_POSTGRES_FAMILIES as readonly string[]).includes(family)) {
    throw new DataTierValidationError(path, prop, instanceClass, `must be of a family Aurora PostgreSQL offers: ${AURORA_POSTGRES_FAMILIES.join(', ')}`);
  }
}
