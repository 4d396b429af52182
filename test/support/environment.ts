// Runs before every test file. aws-cdk-lib 2.276 validates each synthesized template against
// CloudFormation's rules by default: about 1.5 s to start its engine in each test file and 1 s per
// template, most of a test file's time. The app's own CLI runs without it too (bin/data-tier.ts);
// test/stack/cfn-validation.test.ts runs the same validation explicitly on every environment and
// fails on any unacknowledged finding.
process.env.CDK_VALIDATION = 'false';

// Each worker uses the PostgreSQL global setup started for it (test/support/global-setup.mjs).
const ownServer = process.env[`DATABASE_URL_WORKER_${process.env.JEST_WORKER_ID ?? '1'}`];
if (ownServer) process.env.DATABASE_URL = ownServer;

// And the Redis started for it: REDIS_URL, and with TLS REDIS_TLS_URL with its certificate REDIS_CA_FILE.
for (const name of ['REDIS_URL', 'REDIS_TLS_URL', 'REDIS_CA_FILE']) {
  const own = process.env[`${name}_WORKER_${process.env.JEST_WORKER_ID ?? '1'}`];
  if (own) process.env[name] = own;
}
