export { default } from '../../../../libs/api/database/src/testing/global-teardown';
