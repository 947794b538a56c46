// @ts-check
/** One project per test tier; integration and e2e bring the local stack up and stop what they started. */

/** @type {import('jest').Config['transform']} */
const transform = { '^.+\\.ts$': 'ts-jest' };

// Node 20 is the fixed runtime and the AWS SDK is pinned: its Node 22 notice is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** @param {string} name @param {import('jest').Config} [extra] @returns {import('jest').Config} */
const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  transform,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  // Postgres keeps logical decoding snapshots as .etl/postgres/data/pg_logical/snapshots/*.snap; they are not Jest's.
  modulePathIgnorePatterns: ['<rootDir>/.etl/'],
  ...extra,
});

/** @type {import('jest').Config} */
const withStack = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/quiet-runtime.ts'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [project('unit'), project('integration', withStack), project('e2e', withStack)],
  // The suites share one local Temporal, S3 and Postgres; one file at a time keeps them from racing.
  maxWorkers: 1,
  testTimeout: 120_000,
};
