/**
 * Integration tier: `*.int-spec.ts` anywhere in apps/ and libs/, against a real PostgreSQL (an
 * embedded throw-away cluster, or TEST_DATABASE_URL). Each file copies a migrated template.
 */
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.base.json');

module.exports = {
  displayName: 'int',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/apps/**/*.int-spec.ts', '<rootDir>/libs/**/*.int-spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.int.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  globalSetup: '<rootDir>/libs/api/database/src/testing/global-setup.ts',
  globalTeardown: '<rootDir>/libs/api/database/src/testing/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};
