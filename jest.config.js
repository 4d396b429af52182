/** Tests share one embedded PostgreSQL per run (started in global setup); each test file gets its own database. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
  // The examples import the library by its package name, as a consumer does.
  moduleNameMapper: { '^postgres-data-tier$': '<rootDir>/lib/index.ts', '^postgres-data-tier/client$': '<rootDir>/lib/client/index.ts' },
  setupFiles: ['<rootDir>/test/support/environment.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  testTimeout: 60_000,
  // Jest's default leaves one core to itself (1 worker on a 2-core machine); its own process is idle while workers run.
  maxWorkers: '100%',
};
