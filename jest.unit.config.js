/**
 * `npm run test:unit`: the tests that need no database, no package build and no server (constructs
 * in bare stacks, validation, the app's settings, review and cost), for an answer in seconds.
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  globalSetup: undefined,
  globalTeardown: undefined,
  testMatch: ['<rootDir>/test/{constructs,validation,review,cost}/**/*.test.ts', '<rootDir>/test/stack/config.test.ts'],
};
