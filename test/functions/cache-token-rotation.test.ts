import { GetRandomPasswordCommand, PutSecretValueCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { handler, type RotationStep } from '../../lib/functions/cache-token-rotation';
import { authenticate } from '../../lib/functions/cache-token-rotation/resp';
import {
  elasticacheMock,
  FakeReplicationGroup,
  FakeSecret,
  type FakeServer,
  randomToken,
  secretsMock,
  startFakeCache,
  startSilentServer,
} from './cache-token-fakes';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:data-tier-test/cache/auth-token-AbCdEf';
const GROUP_ID = 'data-tier-test-cache';
const STEPS: RotationStep[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

let secret: FakeSecret;
let group: FakeReplicationGroup;
let cache: FakeServer;
let initialToken: string;
let logged: jest.SpyInstance;
let errors: jest.SpyInstance;

beforeAll(async () => {
  // The fake cache always asks whichever group the current test made.
  cache = await startFakeCache((token) => group.accepts(token));
  Object.assign(process.env, {
    REPLICATION_GROUP_ID: GROUP_ID,
    CACHE_HOST: '127.0.0.1',
    CACHE_PORT: String(cache.port),
    CACHE_TLS: 'disable',
    CACHE_TIMEOUT_MS: '2000',
    WAIT_TIMEOUT_MS: '2000',
    POLL_INTERVAL_MS: '1',
  });
});
afterAll(async () => {
  await cache.close();
  secretsMock.restore();
  elasticacheMock.restore();
});
beforeEach(() => {
  initialToken = randomToken();
  secret = new FakeSecret(SECRET_ARN, initialToken);
  group = new FakeReplicationGroup(GROUP_ID, initialToken);
  logged = jest.spyOn(console, 'log').mockImplementation(() => {});
  errors = jest.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => {
  logged.mockRestore();
  errors.mockRestore();
});

function step(Step: RotationStep, version: string): Promise<void> {
  return handler({ SecretId: SECRET_ARN, ClientRequestToken: version, Step });
}

/** RotateSecret as Secrets Manager runs it: a pending version, then the four steps in order. */
async function rotate(version: string): Promise<void> {
  secret.startRotation(version);
  for (const name of STEPS) await step(name, version);
}

/** Does the cache accept `token`, asked over a socket as any client would? */
async function cacheAccepts(token: string): Promise<boolean> {
  return (await authenticate({ host: '127.0.0.1', port: cache.port, tls: false, timeoutMs: 2000 }, token)).accepted;
}

/** What the function wrote to console.log and console.error, in order. */
function consoleLines(): string[] {
  const calls = [logged, errors].flatMap((spy) => spy.mock.calls.map((args, i) => ({ order: spy.mock.invocationCallOrder[i], text: args.join(' ') })));
  return calls.sort((a, b) => a.order - b.order).map((call) => call.text);
}

function logLines(): Record<string, unknown>[] {
  return consoleLines().map((line) => JSON.parse(line));
}

describe('a rotation of the cache AUTH token', () => {
  it('leaves AWSCURRENT on a new 64-character token the cache accepts, and AWSPREVIOUS on the old one', async () => {
    await rotate('v1');

    const token = secret.valueAt('AWSCURRENT')!;
    expect(secret.holderOf('AWSCURRENT')).toBe('v1');
    expect(token).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(token).not.toBe(initialToken);
    expect(secret.holderOf('AWSPREVIOUS')).toBe('initial-version');
    expect(secret.valueAt('AWSPREVIOUS')).toBe(initialToken);
    expect(await cacheAccepts(token)).toBe(true);
  });

  it('generates the token with GetRandomPassword (64 characters, no punctuation) and stores it bare as AWSPENDING of the version', async () => {
    secret.startRotation('v1');
    await step('createSecret', 'v1');

    expect(secretsMock.commandCalls(GetRandomPasswordCommand).map((call) => call.args[0].input)).toEqual([
      { PasswordLength: 64, ExcludePunctuation: true },
    ]);
    expect(secret.stagesOf('v1')).toEqual(['AWSPENDING']);
    expect(secret.versions.get('v1')?.value).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(secret.valueAt('AWSCURRENT')).toBe(initialToken);
  });

  it('first ROTATEs the pending token in beside the only one the group holds, applied immediately, and waits for `available`', async () => {
    secret.startRotation('v1');
    await step('createSecret', 'v1');
    await step('setSecret', 'v1');

    const pending = secret.valueAt('AWSPENDING')!;
    expect(group.modifications()).toEqual([
      { ReplicationGroupId: GROUP_ID, AuthToken: pending, AuthTokenUpdateStrategy: 'ROTATE', ApplyImmediately: true },
    ]);
    // No SET: ElastiCache allows it only after a ROTATE, while the group holds two tokens.
    expect(group.timeline).toEqual(['available', 'ROTATE', 'modifying', 'available']);
    expect(group.tokens).toEqual([initialToken, pending]);
  });

  it('later SETs the current token (dropping the leftover), waits for `available`, then ROTATEs the pending one in and waits again', async () => {
    await rotate('v1');
    const current = secret.valueAt('AWSCURRENT')!;
    elasticacheMock.resetHistory();
    group.timeline.length = 0;

    secret.startRotation('v2');
    await step('createSecret', 'v2');
    await step('setSecret', 'v2');

    const pending = secret.valueAt('AWSPENDING')!;
    expect(group.modifications()).toEqual([
      { ReplicationGroupId: GROUP_ID, AuthToken: current, AuthTokenUpdateStrategy: 'SET', ApplyImmediately: true },
      { ReplicationGroupId: GROUP_ID, AuthToken: pending, AuthTokenUpdateStrategy: 'ROTATE', ApplyImmediately: true },
    ]);
    expect(group.timeline).toEqual(['available', 'SET', 'modifying', 'available', 'ROTATE', 'modifying', 'available']);
    expect(group.tokens).toEqual([current, pending]);
  });

  it('keeps clients holding the replaced token working for one rotation period; the rotation after refuses it', async () => {
    await rotate('v1');
    const first = secret.valueAt('AWSCURRENT')!;
    expect(await cacheAccepts(initialToken)).toBe(true);
    expect(await cacheAccepts(first)).toBe(true);

    await rotate('v2');
    const second = secret.valueAt('AWSCURRENT')!;
    expect(await cacheAccepts(initialToken)).toBe(false);
    expect(await cacheAccepts(first)).toBe(true);
    expect(await cacheAccepts(second)).toBe(true);

    await rotate('v3');
    expect(await cacheAccepts(first)).toBe(false);
    expect(await cacheAccepts(second)).toBe(true);
    expect(secret.holderOf('AWSPREVIOUS')).toBe('v2');
  });
});

describe('every step is idempotent', () => {
  it.each([
    ['the first rotation', 1, ['ROTATE']],
    ['a later rotation', 2, ['SET', 'ROTATE']],
  ])('in %s, running each step twice changes nothing the first run did not', async (_, rotations, strategies) => {
    for (let i = 1; i < rotations; i++) await rotate(`v${i}`);
    const before = secret.valueAt('AWSCURRENT');
    elasticacheMock.resetHistory();
    secretsMock.resetHistory();
    logged.mockClear();

    const version = `v${rotations}`;
    secret.startRotation(version);
    for (const name of STEPS) {
      await step(name, version);
      await step(name, version);
    }

    expect(group.modifications().map((input) => input.AuthTokenUpdateStrategy)).toEqual(strategies);
    expect(secretsMock.commandCalls(PutSecretValueCommand)).toHaveLength(1);
    expect(secretsMock.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(1);
    expect(secret.stagesOf(version)).toEqual(['AWSCURRENT', 'AWSPENDING']);
    expect(secret.valueAt('AWSPREVIOUS')).toBe(before);
    expect(logLines().map((line) => `${line.step}: ${line.outcome}`)).toEqual([
      'createSecret: created',
      'createSecret: already-created',
      'setSecret: set',
      'setSecret: already-set',
      'testSecret: passed',
      'testSecret: passed',
      'finishSecret: finished',
      'finishSecret: already-current',
    ]);
  });

  it('a setSecret retried after its ROTATE was sent but not yet applied waits for it and modifies nothing more', async () => {
    process.env.WAIT_TIMEOUT_MS = '200';
    try {
      secret.startRotation('v1');
      await step('createSecret', 'v1');
      group.stuck = true;
      await expect(step('setSecret', 'v1')).rejects.toThrow(/did not become available after ROTATE/);
      group.stuck = false;

      await step('setSecret', 'v1');
    } finally {
      process.env.WAIT_TIMEOUT_MS = '2000';
    }

    expect(group.modifications().map((input) => input.AuthTokenUpdateStrategy)).toEqual(['ROTATE']);
    expect(group.accepts(secret.valueAt('AWSPENDING')!)).toBe(true);
    expect(logLines().at(-1)).toMatchObject({ step: 'setSecret', outcome: 'already-set' });
  });

  it('a setSecret that failed between its SET and its ROTATE resumes with the ROTATE', async () => {
    await rotate('v1');
    secret.startRotation('v2');
    await step('createSecret', 'v2');
    elasticacheMock.resetHistory();
    group.failNext('ROTATE', new Error('Rate exceeded'));

    await expect(step('setSecret', 'v2')).rejects.toThrow('Rate exceeded');
    await step('setSecret', 'v2');

    expect(group.modifications().map((input) => input.AuthTokenUpdateStrategy)).toEqual(['SET', 'ROTATE', 'ROTATE']);
    expect(group.tokens).toEqual([secret.valueAt('AWSCURRENT'), secret.valueAt('AWSPENDING')]);
  });
});

describe('failures are clear and bounded', () => {
  it('testSecret fails naming the cache, the group and the server reply when the cache refuses the pending token', async () => {
    secret.startRotation('v1');
    await step('createSecret', 'v1');

    const failure = step('testSecret', 'v1');

    await expect(failure).rejects.toThrow(
      `the cache at 127.0.0.1:${cache.port} (replication group ${GROUP_ID}) rejected the pending AUTH token of secret ${SECRET_ARN}: WRONGPASS invalid username-password pair`,
    );
    expect(logLines()).toContainEqual(expect.objectContaining({ step: 'testSecret', replicationGroupId: GROUP_ID, outcome: 'failed' }));
  });

  it('testSecret gives up after CACHE_TIMEOUT_MS when the cache does not answer', async () => {
    const silent = await startSilentServer();
    Object.assign(process.env, { CACHE_PORT: String(silent.port), CACHE_TIMEOUT_MS: '100' });
    try {
      secret.startRotation('v1');
      await step('createSecret', 'v1');
      await expect(step('testSecret', 'v1')).rejects.toThrow(`no answer from the cache at 127.0.0.1:${silent.port} within 100 ms`);
    } finally {
      Object.assign(process.env, { CACHE_PORT: String(cache.port), CACHE_TIMEOUT_MS: '2000' });
      await silent.close();
    }
  });

  it('speaks TLS unless CACHE_TLS is disable, so a cache without TLS fails the test step', async () => {
    delete process.env.CACHE_TLS;
    try {
      secret.startRotation('v1');
      await step('createSecret', 'v1');
      await expect(step('testSecret', 'v1')).rejects.toThrow(`cannot talk to the cache at 127.0.0.1:${cache.port}: `);
    } finally {
      process.env.CACHE_TLS = 'disable';
    }
  });

  it('setSecret fails naming the group and the status it saw when the group never becomes available in time', async () => {
    process.env.WAIT_TIMEOUT_MS = '50';
    group.status = 'modifying';
    group.stuck = true;
    try {
      secret.startRotation('v1');
      await step('createSecret', 'v1');
      const started = Date.now();
      await expect(step('setSecret', 'v1')).rejects.toThrow(
        `replication group ${GROUP_ID} did not become available before modifying within 50 ms (last seen: status modifying)`,
      );
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      process.env.WAIT_TIMEOUT_MS = '2000';
    }
    expect(group.modifications()).toEqual([]);
  });

  it('setSecret refuses a pending value ElastiCache would reject, without showing it', async () => {
    secret.startRotation('v1');
    secret.versions.get('v1')!.value = 'has "quotes" and @';

    await expect(step('setSecret', 'v1')).rejects.toThrow('the token from the pending version is not a valid AUTH token');
    expect(consoleLines().join('\n')).not.toContain('quotes');
    expect(group.modifications()).toEqual([]);
  });
});

describe('the handler refuses versions it must not rotate', () => {
  it.each(STEPS)('%s refuses when rotation is not enabled on the secret', async (name) => {
    secret.startRotation('v1');
    secret.rotationEnabled = false;

    await expect(step(name, 'v1')).rejects.toThrow(`secret ${SECRET_ARN} is not enabled for rotation`);
    expect(secretsMock.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(group.modifications()).toEqual([]);
  });

  it.each(STEPS)('%s refuses a token that is not a version of the secret', async (name) => {
    await expect(step(name, 'nowhere')).rejects.toThrow(`secret version nowhere is not a version of secret ${SECRET_ARN}`);
  });

  it.each(STEPS)('%s refuses a version that is not staged AWSPENDING', async (name) => {
    await rotate('v1');

    await expect(step(name, 'initial-version')).rejects.toThrow(`secret version initial-version of secret ${SECRET_ARN} is not staged AWSPENDING`);
    expect(secret.holderOf('AWSCURRENT')).toBe('v1');
  });
});

describe('what the function logs', () => {
  it('one JSON line per step naming the step, the replication group and the outcome', async () => {
    await rotate('v1');

    expect(logLines()).toEqual([
      expect.objectContaining({ step: 'createSecret', secretId: SECRET_ARN, replicationGroupId: GROUP_ID, outcome: 'created' }),
      expect.objectContaining({ step: 'setSecret', replicationGroupId: GROUP_ID, outcome: 'set', modifications: ['ROTATE'] }),
      expect.objectContaining({ step: 'testSecret', replicationGroupId: GROUP_ID, outcome: 'passed' }),
      expect.objectContaining({ step: 'finishSecret', replicationGroupId: GROUP_ID, outcome: 'finished', previousVersion: 'initial-version' }),
    ]);
  });

  it('never contains a token, in successes or failures', async () => {
    await rotate('v1');
    await rotate('v2');
    secret.startRotation('v3');
    await step('createSecret', 'v3');
    await expect(step('testSecret', 'v3')).rejects.toThrow();
    group.failNext('SET', new Error(`echoing ${secret.valueAt('AWSCURRENT')}`));
    const failure = step('setSecret', 'v3');
    await expect(failure).rejects.toThrow('echoing [token]');

    const text = consoleLines().join('\n');
    expect(logLines().length).toBeGreaterThan(8);
    for (const token of secret.values()) expect(text).not.toContain(token);
  });
});
