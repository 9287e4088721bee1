// Jest loads globalTeardown without moduleNameMapper, so the api-e2e harness is reached by path.
// eslint-disable-next-line @nx/enforce-module-boundaries
export { default } from '../../../api-e2e/src/support/global-teardown';
