/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  setupFiles: ['reflect-metadata'],
  testTimeout: 60000,
  maxWorkers: 2,
  // A worker whose files closed everything still takes 0.5 to 0.7 s to end on 2 busy cores
  // (Node tears down its heap after the last handle closes); jest's default of 0.5 s reported
  // that as "a worker process has failed to exit gracefully". A worker a test really leaks a
  // handle in never ends, and is still reported after this time.
  workerGracefulExitTimeout: 5000,
};
