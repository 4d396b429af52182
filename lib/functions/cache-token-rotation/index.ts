// Secrets Manager rotation function for the cache's AUTH token: Secrets Manager has no hosted
// rotation for ElastiCache (Redis OSS / Valkey) AUTH tokens. The secret's SecretString is the
// bare token. Environment:
//   REPLICATION_GROUP_ID  the replication group whose AUTH token the secret holds     required
//   CACHE_HOST            primary endpoint address                                     required
//   CACHE_PORT            default 6379
//   CACHE_TLS             'disable' turns TLS off (local tests only); otherwise verified TLS
//   CACHE_TIMEOUT_MS      bound on one AUTH probe (connect, TLS, AUTH, PING), default 5000
//   WAIT_TIMEOUT_MS       bound on each wait for the group to become available, default 10 min
//                         (and never past the Lambda's remaining time less 10 s)
//   POLL_INTERVAL_MS      DescribeReplicationGroups interval while waiting, default 15 s
//
// How a rotation keeps clients working. The group holds at most two tokens. setSecret adds the
// pending token with ROTATE, so the current one stays valid: clients that read AWSCURRENT
// before finishSecret, or cache it until their next restart, keep authenticating for a whole
// rotation period. The rotation after that drops it: the group then still holds the previous
// rotation's token beside the current one, so setSecret first SETs the current token (leaving
// it alone) and then ROTATEs the pending one in.
//
// Why not always SET first: ElastiCache allows SET only after a ROTATE, i.e. while the group
// holds two tokens; a group created with one token (as CloudFormation creates it) rejects it,
// so an unconditional SET would fail every first rotation. Whether a leftover token is there is
// not visible in DescribeReplicationGroups, so setSecret asks the cache: does it still accept
// the AWSPREVIOUS token? Only then does it SET. Any other second token is dropped by ROTATE
// itself, which discards the older of two tokens.
import {
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
  ModifyReplicationGroupCommand,
  type AuthTokenUpdateStrategyType,
} from '@aws-sdk/client-elasticache';
import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { authenticate, type CacheEndpoint } from './resp';

export type RotationStep = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';

export interface RotationEvent {
  readonly SecretId: string;
  /** The version id of the secret version being rotated in (not the AUTH token). */
  readonly ClientRequestToken: string;
  readonly Step: RotationStep;
}

/** The part of the Lambda context the function uses: waits never outlast the invocation. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

/** ElastiCache: 16-128 printable characters; of the punctuation only !&#$^<>- . */
export const TOKEN_PATTERN = /^[A-Za-z0-9!&#$^<>-]{16,128}$/;
export const TOKEN_LENGTH = 64;

const secrets = new SecretsManagerClient({});
const elasticache = new ElastiCacheClient({});

interface Config {
  readonly replicationGroupId: string;
  readonly cache: CacheEndpoint;
  readonly waitTimeoutMs: number;
  readonly pollIntervalMs: number;
}

/** What a step reports in its log line besides step, group and outcome. */
type StepResult = { readonly outcome: string } & Record<string, unknown>;

interface Rotation {
  readonly event: RotationEvent;
  readonly config: Config;
  readonly context?: InvocationContext;
  /** VersionIdsToStages as DescribeSecret returned it at the start of the step. */
  readonly stages: Record<string, string[]>;
  /** Every token value the step read or generated, to keep out of messages. */
  readonly tokens: Set<string>;
}

function readConfig(): Config {
  const replicationGroupId = process.env.REPLICATION_GROUP_ID;
  const host = process.env.CACHE_HOST;
  if (!replicationGroupId) throw new Error('REPLICATION_GROUP_ID is not set');
  if (!host) throw new Error('CACHE_HOST is not set');
  return {
    replicationGroupId,
    cache: {
      host,
      port: numberFrom('CACHE_PORT', 6379),
      tls: process.env.CACHE_TLS !== 'disable',
      timeoutMs: numberFrom('CACHE_TIMEOUT_MS', 5_000),
    },
    waitTimeoutMs: numberFrom('WAIT_TIMEOUT_MS', 10 * 60_000),
    pollIntervalMs: numberFrom('POLL_INTERVAL_MS', 15_000),
  };
}

function numberFrom(name: string, fallback: number): number {
  const value = process.env[name];
  if (!value) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(value)}`);
  return number;
}

const STEPS: Record<RotationStep, (rotation: Rotation) => Promise<StepResult>> = {
  createSecret,
  setSecret,
  testSecret,
  finishSecret,
};

export async function handler(event: RotationEvent, context?: InvocationContext): Promise<void> {
  const started = Date.now();
  const tokens = new Set<string>();
  const line: Record<string, unknown> = { step: event.Step, secretId: event.SecretId, version: event.ClientRequestToken };
  try {
    const config = readConfig();
    line.replicationGroupId = config.replicationGroupId;
    const step = Object.hasOwn(STEPS, event.Step) ? STEPS[event.Step] : undefined;
    if (!step) throw new Error(`unknown rotation step ${JSON.stringify(event.Step)}`);
    const { stages, all } = await rotatingVersion(event);
    const result = stages.includes('AWSCURRENT') ? { outcome: 'already-current' } : await step({ event, config, context, stages: all, tokens });
    console.log(JSON.stringify({ ...line, ...result, durationMs: Date.now() - started }));
  } catch (error) {
    // The message may come from the SDK or the network: make sure no token rides along, in the
    // log line or in the error the Lambda runtime logs.
    const message = redact(error instanceof Error ? error.message : String(error), tokens);
    console.error(JSON.stringify({ ...line, outcome: 'failed', error: message, durationMs: Date.now() - started }));
    const failure = new Error(message);
    failure.name = error instanceof Error ? error.name : 'Error';
    throw failure;
  }
}

/**
 * The standard checks: rotation is enabled and the token names a version of the secret staged
 * AWSPENDING. Returns that version's stages (with every version's, for finishSecret); a version
 * already AWSCURRENT means the step has nothing left to do.
 */
async function rotatingVersion(event: RotationEvent): Promise<{ stages: string[]; all: Record<string, string[]> }> {
  const description = await secrets.send(new DescribeSecretCommand({ SecretId: event.SecretId }));
  if (!description.RotationEnabled) throw new Error(`secret ${event.SecretId} is not enabled for rotation`);
  const all = description.VersionIdsToStages ?? {};
  const stages = all[event.ClientRequestToken];
  if (!stages) throw new Error(`secret version ${event.ClientRequestToken} is not a version of secret ${event.SecretId}`);
  if (!stages.includes('AWSCURRENT') && !stages.includes('AWSPENDING')) {
    throw new Error(`secret version ${event.ClientRequestToken} of secret ${event.SecretId} is not staged AWSPENDING`);
  }
  return { stages, all };
}

/** Generates the pending token, unless this version already has one. */
async function createSecret({ event, tokens }: Rotation): Promise<StepResult> {
  const existing = await tokenOf(event.SecretId, { VersionId: event.ClientRequestToken, VersionStage: 'AWSPENDING' }, tokens);
  if (existing !== undefined) return { outcome: 'already-created' };
  const { RandomPassword } = await secrets.send(new GetRandomPasswordCommand({ PasswordLength: TOKEN_LENGTH, ExcludePunctuation: true }));
  const token = checkedToken(RandomPassword ?? '', 'GetRandomPassword', tokens);
  await secrets.send(
    new PutSecretValueCommand({
      SecretId: event.SecretId,
      ClientRequestToken: event.ClientRequestToken,
      SecretString: token,
      VersionStages: ['AWSPENDING'],
    }),
  );
  return { outcome: 'created' };
}

/** Makes the replication group accept the pending token beside the current one. */
async function setSecret(rotation: Rotation): Promise<StepResult> {
  const { event, config, tokens } = rotation;
  const pending = await requiredToken(event.SecretId, { VersionId: event.ClientRequestToken, VersionStage: 'AWSPENDING' }, tokens);
  const current = await requiredToken(event.SecretId, { VersionStage: 'AWSCURRENT' }, tokens);
  checkedToken(pending, 'the pending version', tokens);

  // A previous attempt's modification may still be applying; the group takes none meanwhile.
  await waitUntilAvailable(rotation, 'before modifying');
  if ((await authenticate(config.cache, pending)).accepted) return { outcome: 'already-set' };

  const modifications: AuthTokenUpdateStrategyType[] = [];
  const previous = await tokenOf(event.SecretId, { VersionStage: 'AWSPREVIOUS' }, tokens);
  if (previous !== undefined && previous !== current && (await authenticate(config.cache, previous)).accepted) {
    await modify(rotation, current, 'SET');
    modifications.push('SET');
  }
  await modify(rotation, pending, 'ROTATE');
  modifications.push('ROTATE');
  return { outcome: 'set', modifications };
}

/** The cache accepts the pending token and answers PING. */
async function testSecret({ event, config, tokens }: Rotation): Promise<StepResult> {
  const pending = await requiredToken(event.SecretId, { VersionId: event.ClientRequestToken, VersionStage: 'AWSPENDING' }, tokens);
  const result = await authenticate(config.cache, pending);
  if (!result.accepted) {
    throw new Error(
      `the cache at ${config.cache.host}:${config.cache.port} (replication group ${config.replicationGroupId}) rejected the pending AUTH token of secret ${event.SecretId}: ${result.reply}`,
    );
  }
  return { outcome: 'passed' };
}

/** Moves AWSCURRENT to the new version; Secrets Manager moves AWSPREVIOUS to the old one. */
async function finishSecret({ event, stages }: Rotation): Promise<StepResult> {
  const currentVersion = Object.keys(stages).find((version) => stages[version].includes('AWSCURRENT'));
  await secrets.send(
    new UpdateSecretVersionStageCommand({
      SecretId: event.SecretId,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: event.ClientRequestToken,
      RemoveFromVersionId: currentVersion,
    }),
  );
  return { outcome: 'finished', previousVersion: currentVersion };
}

/** ModifyReplicationGroup with one token and strategy, applied now, then waits for it to apply. */
async function modify(rotation: Rotation, token: string, strategy: AuthTokenUpdateStrategyType): Promise<void> {
  await elasticache.send(
    new ModifyReplicationGroupCommand({
      ReplicationGroupId: rotation.config.replicationGroupId,
      AuthToken: token,
      AuthTokenUpdateStrategy: strategy,
      ApplyImmediately: true,
    }),
  );
  await waitUntilAvailable(rotation, `after ${strategy}`);
}

/**
 * Polls DescribeReplicationGroups until the group is `available` with no AUTH token change
 * pending, for at most WAIT_TIMEOUT_MS (and never past the invocation's remaining time).
 */
async function waitUntilAvailable({ config, context }: Rotation, when: string): Promise<void> {
  const id = config.replicationGroupId;
  const budget = Math.min(config.waitTimeoutMs, context ? Math.max(0, context.getRemainingTimeInMillis() - 10_000) : Infinity);
  const deadline = Date.now() + budget;
  for (;;) {
    const { ReplicationGroups } = await elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id }));
    const group = ReplicationGroups?.[0];
    if (!group) throw new Error(`replication group ${id} not found`);
    if (group.AuthTokenEnabled === false) throw new Error(`replication group ${id} has no AUTH token enabled: nothing to rotate`);
    const tokenChange = group.PendingModifiedValues?.AuthTokenStatus;
    if (group.Status === 'available' && !tokenChange) return;
    if (Date.now() + config.pollIntervalMs > deadline) {
      const seen = `status ${group.Status ?? 'unknown'}${tokenChange ? `, auth token ${tokenChange}` : ''}`;
      throw new Error(`replication group ${id} did not become available ${when} within ${budget} ms (last seen: ${seen})`);
    }
    await new Promise((resolve) => setTimeout(resolve, config.pollIntervalMs));
  }
}

/** The token of one version, or undefined when there is no such version (or it has no value yet). */
async function tokenOf(
  secretId: string,
  version: { VersionId?: string; VersionStage: string },
  tokens: Set<string>,
): Promise<string | undefined> {
  try {
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretId, ...version }));
    if (SecretString) tokens.add(SecretString);
    return SecretString;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

async function requiredToken(secretId: string, version: { VersionId?: string; VersionStage: string }, tokens: Set<string>): Promise<string> {
  const token = await tokenOf(secretId, version, tokens);
  if (!token) throw new Error(`secret ${secretId} has no ${version.VersionStage} value${version.VersionId ? ` for version ${version.VersionId}` : ''}`);
  return token;
}

/** Fails, without showing it, on a token ElastiCache would refuse. */
function checkedToken(token: string, from: string, tokens: Set<string>): string {
  tokens.add(token);
  if (!TOKEN_PATTERN.test(token)) {
    throw new Error(`the token from ${from} is not a valid AUTH token (16-128 characters, letters, digits and !&#$^<>- only): length ${token.length}`);
  }
  return token;
}

function redact(message: string, tokens: ReadonlySet<string>): string {
  let redacted = message;
  for (const token of tokens) if (token) redacted = redacted.split(token).join('[token]');
  return redacted;
}
