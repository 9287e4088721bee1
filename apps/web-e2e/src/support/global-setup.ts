import { existsSync } from 'node:fs';
// Jest loads globalSetup without moduleNameMapper, so the api-e2e harness is reached by path.
// eslint-disable-next-line @nx/enforce-module-boundaries
import apiGlobalSetup from '../../../api-e2e/src/support/global-setup';

/** The same throw-away PostgreSQL and migrated template as api-e2e, once the console is built too. */
export default async function setup(): Promise<void> {
  if (!existsSync('dist/apps/web/browser/index.html')) {
    throw new Error('dist/apps/web/browser is missing: build the console first (npx nx build web)');
  }
  await apiGlobalSetup();
}
