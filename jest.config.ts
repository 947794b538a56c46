import type { Config } from 'jest';

const transform: Config['transform'] = {
  '^.+\\.ts$': ['ts-jest', { isolatedModules: true }],
};

/** One project per test tier; integration and e2e bring the local stack up and stop what they started. */
const project = (name: string, extra: Partial<Config> = {}): Config => ({
  displayName: name,
  testEnvironment: 'node',
  transform,
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  ...extra,
});

const withStack: Partial<Config> = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

const config: Config = {
  projects: [project('unit'), project('integration', withStack), project('e2e', withStack)],
  testTimeout: 120_000,
};

export default config;
