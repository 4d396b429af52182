// How the client signs in to each node: an IAM token, the role's secret, or a user and password.
// Each new connection asks for credentials (pg calls the client's connect for every connection it
// opens), so a token or a rotated secret is used as soon as it is current.
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SignerConfig } from '@aws-sdk/rds-signer';

/** Where a connection goes. */
export interface Endpoint {
  /** The host name the client connects to (what an IAM token is signed for). */
  readonly host: string;
  /** Its port (the tier's `DatabasePort`). */
  readonly port: number;
}

/** The user and password of one new connection. */
export interface Credentials {
  /** The database user (for a rotated secret, `<role>` or `<role>_clone`). */
  readonly user: string;
  /** The password, or the IAM token. */
  readonly password: string;
}

/**
 * How the client signs in as the application's role. `SignIn.iam()`, `SignIn.secret()` and
 * `SignIn.password()` make the three the tier supports; any object with `credentials()` will do.
 */
export interface SignIn {
  /** Credentials for a new connection to `endpoint`. */
  credentials(endpoint: Endpoint): Promise<Credentials>;
  /** The server refused the credentials last given for `endpoint` (28P01, 28000): the next call must not return them again. */
  refused?(endpoint: Endpoint): void;
}

/** Signing in with IAM database authentication. */
export interface IamSignInOptions {
  /** The database role, a member of rds_iam (an application role declared with `signIn: 'iam'`). */
  readonly user: string;
  /** The tier's region. */
  readonly region: string;
  /**
   * AWS credentials that may `rds-db:connect` as `user`.
   * @default the AWS SDK's default provider chain
   */
  readonly credentials?: SignerConfig['credentials'];
}

/** Signing in with the role's secret in Secrets Manager. */
export interface SecretSignInOptions {
  /** ARN or name of the role's secret in Secrets Manager (JSON with `username` and `password`). */
  readonly secretId: string;
  /**
   * The Secrets Manager client to read it with.
   * @default a client of the default region and credentials
   */
  readonly client?: SecretsManagerClient;
}

/** IAM tokens are valid 15 minutes; a token older than this is replaced for new connections. */
export const IAM_TOKEN_REUSE_MS = 10 * 60_000;

/** The ways the tier's application roles sign in. */
export const SignIn = {
  /**
   * A token from `@aws-sdk/rds-signer` per endpoint, reused for new connections for ten minutes of
   * its fifteen, replaced at once when the server refuses it.
   */
  iam(options: IamSignInOptions): SignIn {
    return new IamSignIn(options);
  },
  /**
   * The role's secret, read once and again whenever the server refuses it: the tier's
   * alternating-users rotation switches the secret between `<role>` and `<role>_clone`, and the
   * previous user keeps working until the rotation after, so re-reading on refusal is enough.
   */
  secret(options: SecretSignInOptions): SignIn {
    return new SecretSignIn(options);
  },
  /** A fixed user and password (a local server). */
  password(user: string, password: string): SignIn {
    return { credentials: async () => ({ user, password }) };
  },
};

/** A value made by `make`, shared by concurrent callers and kept `reuseMs`, or until dropped. */
export class ExpiringValue<T> {
  private current: { readonly value: Promise<T>; readonly madeAt: number } | undefined;

  constructor(
    private readonly make: () => Promise<T>,
    private readonly reuseMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<T> {
    if (!this.current || this.now() - this.current.madeAt >= this.reuseMs) {
      const value = this.make();
      const made = { value, madeAt: this.now() };
      this.current = made;
      // A failed read is not kept: the next caller tries again.
      value.catch(() => {
        if (this.current === made) this.current = undefined;
      });
    }
    return this.current.value;
  }

  drop(): void {
    this.current = undefined;
  }
}

class IamSignIn implements SignIn {
  private readonly tokens = new Map<string, ExpiringValue<string>>();

  constructor(private readonly options: IamSignInOptions) {}

  async credentials(endpoint: Endpoint): Promise<Credentials> {
    return { user: this.options.user, password: await this.tokenFor(endpoint).get() };
  }

  refused(endpoint: Endpoint): void {
    this.tokenFor(endpoint).drop();
  }

  private tokenFor(endpoint: Endpoint): ExpiringValue<string> {
    const key = `${endpoint.host}:${endpoint.port}`;
    let token = this.tokens.get(key);
    if (!token) {
      const { user, region, credentials } = this.options;
      token = new ExpiringValue(async () => {
        const { Signer } = await import('@aws-sdk/rds-signer');
        return new Signer({ hostname: endpoint.host, port: endpoint.port, username: user, region, credentials }).getAuthToken();
      }, IAM_TOKEN_REUSE_MS);
      this.tokens.set(key, token);
    }
    return token;
  }
}

class SecretSignIn implements SignIn {
  private readonly secret: ExpiringValue<Credentials>;

  constructor(options: SecretSignInOptions) {
    this.secret = new ExpiringValue(() => readSecret(options), Infinity);
  }

  credentials(): Promise<Credentials> {
    return this.secret.get();
  }

  refused(): void {
    this.secret.drop();
  }
}

async function readSecret({ secretId, client }: SecretSignInOptions): Promise<Credentials> {
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const { SecretString } = await (client ?? new SecretsManagerClient({})).send(new GetSecretValueCommand({ SecretId: secretId }));
  const parsed = (() => {
    try {
      return JSON.parse(SecretString ?? '') as { username?: unknown; password?: unknown };
    } catch {
      return {};
    }
  })();
  if (typeof parsed.username !== 'string' || typeof parsed.password !== 'string') {
    throw new Error(`secret ${secretId} is not a database secret: it needs a JSON string with "username" and "password"`);
  }
  return { user: parsed.username, password: parsed.password };
}
