// What the `data-tier` command reports when it cannot go on: one line the user can act on.

/** A failure the user can act on: printed as one line, exit code 1 unless said otherwise. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** One line for what an AWS SDK call threw: missing credentials, a missing stack, denied access. */
export function awsError(error: unknown, what: string, as: (message: string) => CliError = (message) => new CliError(message)): CliError {
  if (error instanceof CliError) return error;
  const e = error as { name?: string; message?: string };
  if (e.name === 'CredentialsProviderError' || /credential/i.test(e.message ?? '')) {
    return as('no AWS credentials: run `aws sso login` or `aws configure`, or set AWS_PROFILE, then try again');
  }
  if (e.name === 'ValidationError' && /does not exist/.test(e.message ?? '')) return as(`${what} does not exist in this account and region (use --region?)`);
  if (/AccessDenied|not authorized/i.test(`${e.name} ${e.message}`)) return as(`access denied reading ${what}: ${e.message}`);
  return as(`could not read ${what}: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`);
}

/** Whether an SDK error says the stack does not exist. */
export function isMissingStack(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return e?.name === 'ValidationError' && /does not exist/.test(e.message ?? '');
}
