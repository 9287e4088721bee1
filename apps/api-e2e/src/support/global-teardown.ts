// Jest loads globalTeardown without moduleNameMapper, so the harness is reached by path.
// eslint-disable-next-line @nx/enforce-module-boundaries
export { default } from '../../../../libs/api/database/src/testing/global-teardown';
