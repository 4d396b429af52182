// Fakes for the cache AUTH token rotation tests: a secret's versions and staging labels as
// Secrets Manager keeps them, a replication group's AUTH tokens as ElastiCache keeps them, and
// a cache server speaking enough RESP (AUTH, PING) to accept exactly the group's tokens.
import { randomInt } from 'node:crypto';
import net from 'node:net';
import {
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  InvalidReplicationGroupStateFault,
  type ModifyReplicationGroupCommandInput,
  ModifyReplicationGroupCommand,
  ReplicationGroupNotFoundFault,
} from '@aws-sdk/client-elasticache';
import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  type GetSecretValueCommandInput,
  GetSecretValueCommand,
  InvalidParameterException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';

export const secretsMock = mockClient(SecretsManagerClient);
export const elasticacheMock = mockClient(ElastiCacheClient);

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random alphanumeric token, like CDK's generateSecretString with excludePunctuation. */
export function randomToken(length = 64): string {
  return Array.from({ length }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');
}

const $metadata = {};

interface Version {
  value?: string;
  readonly stages: Set<string>;
}

/** One secret's versions and staging labels, answering the Secrets Manager calls the function makes. */
export class FakeSecret {
  readonly versions = new Map<string, Version>();
  rotationEnabled = true;

  constructor(
    readonly arn: string,
    initialToken: string,
  ) {
    this.versions.set('initial-version', { value: initialToken, stages: new Set(['AWSCURRENT']) });
    secretsMock.reset();
    secretsMock.on(DescribeSecretCommand).callsFake(() => ({
      ARN: arn,
      RotationEnabled: this.rotationEnabled,
      VersionIdsToStages: Object.fromEntries([...this.versions].filter(([, v]) => v.stages.size > 0).map(([id, v]) => [id, [...v.stages]])),
    }));
    secretsMock.on(GetSecretValueCommand).callsFake((input: GetSecretValueCommandInput) => {
      const [versionId, version] = this.find(input);
      return { ARN: arn, VersionId: versionId, SecretString: version.value, VersionStages: [...version.stages] };
    });
    secretsMock.on(GetRandomPasswordCommand).callsFake((input) => {
      if (!input.ExcludePunctuation) throw new Error('the fake generates alphanumeric passwords only');
      return { RandomPassword: randomToken(input.PasswordLength ?? 32) };
    });
    secretsMock.on(PutSecretValueCommand).callsFake((input) => {
      const version = this.versions.get(input.ClientRequestToken) ?? { stages: new Set<string>() };
      if (version.value !== undefined && version.value !== input.SecretString) {
        throw new ResourceExistsException({ message: `version ${input.ClientRequestToken} already has another value`, $metadata });
      }
      version.value = input.SecretString;
      this.versions.set(input.ClientRequestToken, version);
      for (const stage of input.VersionStages ?? ['AWSCURRENT']) this.attach(stage, input.ClientRequestToken);
      return { ARN: arn, VersionId: input.ClientRequestToken };
    });
    secretsMock.on(UpdateSecretVersionStageCommand).callsFake((input) => {
      const holder = this.holderOf(input.VersionStage);
      if (holder !== undefined && holder !== input.MoveToVersionId && holder !== input.RemoveFromVersionId) {
        throw new InvalidParameterException({ message: `${input.VersionStage} is attached to ${holder}, not ${input.RemoveFromVersionId}`, $metadata });
      }
      if (input.RemoveFromVersionId) this.versions.get(input.RemoveFromVersionId)?.stages.delete(input.VersionStage);
      if (input.MoveToVersionId) {
        this.attach(input.VersionStage, input.MoveToVersionId);
        // Moving AWSCURRENT puts AWSPREVIOUS on the version it left.
        if (input.VersionStage === 'AWSCURRENT' && holder && holder !== input.MoveToVersionId) this.attach('AWSPREVIOUS', holder);
      }
      return { ARN: arn };
    });
  }

  /** What RotateSecret does before invoking createSecret: a version staged AWSPENDING, without a value yet. */
  startRotation(versionId: string): void {
    this.versions.set(versionId, { stages: new Set() });
    this.attach('AWSPENDING', versionId);
  }

  /** The value of the version holding `stage`. */
  valueAt(stage: string): string | undefined {
    const holder = this.holderOf(stage);
    return holder === undefined ? undefined : this.versions.get(holder)?.value;
  }

  holderOf(stage: string): string | undefined {
    return [...this.versions].find(([, version]) => version.stages.has(stage))?.[0];
  }

  stagesOf(versionId: string): string[] {
    return [...(this.versions.get(versionId)?.stages ?? [])].sort();
  }

  /** Every value any version has held. */
  values(): string[] {
    return [...this.versions.values()].flatMap((version) => (version.value === undefined ? [] : [version.value]));
  }

  private attach(stage: string, versionId: string): void {
    for (const version of this.versions.values()) version.stages.delete(stage);
    this.versions.get(versionId)?.stages.add(stage);
  }

  private find(input: GetSecretValueCommandInput): [string, Version] {
    const versionId = input.VersionId ?? this.holderOf(input.VersionStage ?? 'AWSCURRENT');
    const version = versionId === undefined ? undefined : this.versions.get(versionId);
    if (versionId === undefined || !version || version.value === undefined || (input.VersionStage && !version.stages.has(input.VersionStage))) {
      throw new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret value", $metadata });
    }
    return [versionId, version];
  }
}

/**
 * A replication group's AUTH tokens as ElastiCache documents them: at most two; ROTATE adds one
 * (dropping the older of two), SET leaves only the given one and is allowed only after a ROTATE
 * (while two are held). A modification keeps the group `modifying` for a few describes, and the
 * tokens change when it completes.
 */
export class FakeReplicationGroup {
  /** What the nodes accept, oldest first. */
  tokens: string[];
  status: 'available' | 'modifying' = 'available';
  /** Describes that still answer `modifying` after a modification. */
  modifyingDescribes = 2;
  /** The modification never completes. */
  stuck = false;
  /** Modifications, and the status each describe answered, repeats collapsed. */
  readonly timeline: string[] = [];
  private change?: { readonly strategy: string; readonly token: string };
  private failure?: { readonly strategy: string; readonly error: Error };
  private describesLeft = 0;

  constructor(
    readonly id: string,
    initialToken: string,
  ) {
    this.tokens = [initialToken];
    elasticacheMock.reset();
    elasticacheMock.on(DescribeReplicationGroupsCommand).callsFake((input) => {
      if (input.ReplicationGroupId !== id) throw new ReplicationGroupNotFoundFault({ message: `${input.ReplicationGroupId} not found`, $metadata });
      if (this.status === 'modifying' && !this.stuck && this.describesLeft-- <= 0) this.complete();
      this.record(this.status);
      return {
        ReplicationGroups: [
          {
            ReplicationGroupId: id,
            Status: this.status,
            AuthTokenEnabled: true,
            TransitEncryptionEnabled: true,
            PendingModifiedValues: this.change ? { AuthTokenStatus: this.change.strategy === 'SET' ? 'SETTING' : 'ROTATING' } : {},
          },
        ],
      } as never;
    });
    elasticacheMock.on(ModifyReplicationGroupCommand).callsFake((input) => this.modify(input));
  }

  /** The next modification with `strategy` fails with `error` (a throttle, say) and changes nothing. */
  failNext(strategy: 'SET' | 'ROTATE', error: Error): void {
    this.failure = { strategy, error };
  }

  accepts(token: string): boolean {
    return this.tokens.includes(token);
  }

  /** The ModifyReplicationGroup inputs received. */
  modifications(): ModifyReplicationGroupCommandInput[] {
    return elasticacheMock.commandCalls(ModifyReplicationGroupCommand).map((call) => call.args[0].input);
  }

  private modify(input: ModifyReplicationGroupCommandInput) {
    if (input.ReplicationGroupId !== this.id) throw new ReplicationGroupNotFoundFault({ message: `${input.ReplicationGroupId} not found`, $metadata });
    if (this.status !== 'available') {
      throw new InvalidReplicationGroupStateFault({ message: `Replication group ${this.id} must be in available state`, $metadata });
    }
    const token = input.AuthToken ?? '';
    if (!/^[A-Za-z0-9!&#$^<>-]{16,128}$/.test(token)) throw new InvalidParameterValueException({ message: 'Invalid AuthToken', $metadata });
    const strategy = input.AuthTokenUpdateStrategy ?? 'ROTATE';
    if (this.failure?.strategy === strategy) {
      const { error } = this.failure;
      this.failure = undefined;
      throw error;
    }
    if (strategy === 'SET' && this.tokens.length < 2) {
      throw new InvalidParameterCombinationException({ message: 'SET is allowed only after ROTATE', $metadata });
    }
    if (!input.ApplyImmediately) throw new Error('the fake only applies changes immediately');
    this.change = { strategy, token };
    this.status = 'modifying';
    this.describesLeft = this.modifyingDescribes;
    this.record(strategy);
    return { ReplicationGroup: { ReplicationGroupId: this.id, Status: 'modifying' } } as never;
  }

  private complete(): void {
    const { strategy, token } = this.change!;
    this.tokens = strategy === 'SET' ? [token] : [...this.tokens.slice(-1), token];
    this.change = undefined;
    this.status = 'available';
  }

  private record(entry: string): void {
    if (this.timeline[this.timeline.length - 1] !== entry) this.timeline.push(entry);
  }
}

export interface FakeServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Reads complete RESP arrays of bulk strings off the front of `buffer`. */
function readCommands(buffer: string): { commands: string[][]; rest: string } | 'protocol error' {
  const commands: string[][] = [];
  let at = 0;
  for (;;) {
    if (at >= buffer.length) break;
    if (buffer[at] !== '*') return 'protocol error';
    const countEnd = buffer.indexOf('\r\n', at);
    if (countEnd < 0) break;
    const args: string[] = [];
    let next = countEnd + 2;
    const count = Number(buffer.slice(at + 1, countEnd));
    for (let i = 0; i < count; i++) {
      const lengthEnd = buffer.indexOf('\r\n', next);
      if (lengthEnd < 0 || buffer[next] !== '$') break;
      const length = Number(buffer.slice(next + 1, lengthEnd));
      if (buffer.length < lengthEnd + 2 + length + 2) break;
      args.push(buffer.slice(lengthEnd + 2, lengthEnd + 2 + length));
      next = lengthEnd + 2 + length + 2;
    }
    if (args.length < count) break;
    commands.push(args);
    at = next;
  }
  return { commands, rest: buffer.slice(at) };
}

function listen(server: net.Server, sockets: Set<net.Socket>): Promise<FakeServer> {
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as net.AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            sockets.forEach((socket) => socket.destroy());
            server.close(() => done());
          }),
      });
    });
  });
}

/** A cache node without TLS: AUTH succeeds for the tokens `accepts` approves, PING needs AUTH first. */
export function startFakeCache(accepts: (token: string) => boolean): Promise<FakeServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    let buffered = '';
    let authenticated = false;
    socket.setEncoding('latin1');
    socket.on('error', () => {});
    socket.on('data', (chunk: string) => {
      const read = readCommands(buffered + chunk);
      if (read === 'protocol error') {
        socket.end('-ERR Protocol error\r\n');
        return;
      }
      buffered = read.rest;
      for (const [name, ...args] of read.commands) {
        if (name.toUpperCase() === 'AUTH' && args.length === 1) {
          authenticated = accepts(args[0]);
          socket.write(authenticated ? '+OK\r\n' : '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
        } else if (name.toUpperCase() === 'PING') {
          socket.write(authenticated ? '+PONG\r\n' : '-NOAUTH Authentication required.\r\n');
        } else {
          socket.write(`-ERR unknown command '${name}'\r\n`);
        }
      }
    });
  });
  return listen(server, sockets);
}

/** A server that accepts connections and never answers. */
export function startSilentServer(): Promise<FakeServer> {
  const sockets = new Set<net.Socket>();
  return listen(net.createServer((socket) => socket.on('error', () => {})), sockets);
}
