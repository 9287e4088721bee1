/** Unit tier: every project's own jest config (pure functions, components), in one run. */
const { readdirSync, existsSync } = require('node:fs');
const { join } = require('node:path');

function configs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const here = existsSync(join(dir, 'jest.config.cts')) ? [join(dir, 'jest.config.cts')] : [];
  const subs = readdirSync(dir, { withFileTypes: true })
    .filter((d: { isDirectory(): boolean; name: string }) => d.isDirectory() && !['node_modules', 'src', 'dist'].includes(d.name))
    .flatMap((d: { name: string }) => configs(join(dir, d.name)));
  return [...here, ...subs];
}

module.exports = {
  projects: [...configs('apps'), ...configs('libs')].filter((p) => !p.includes('-e2e')).map((p) => `<rootDir>/${p}`),
};
