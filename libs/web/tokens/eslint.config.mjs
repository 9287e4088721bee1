export { default } from '../../../eslint.angular.config.mjs';
