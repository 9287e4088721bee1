import { existsSync } from 'node:fs';
// Jest loads globalSetup without moduleNameMapper, so the harness is reached by path.
// eslint-disable-next-line @nx/enforce-module-boundaries
import globalSetup from '../../../../libs/api/database/src/testing/global-setup';

/** One throw-away PostgreSQL and a migrated template for every suite; the apps must be built. */
export default async function setup(): Promise<void> {
  for (const f of ['dist/apps/api/main.js', 'dist/apps/salt-sim/main.js']) {
    if (!existsSync(f)) throw new Error(`${f} is missing: build first (npm run build)`);
  }
  await globalSetup();
}
