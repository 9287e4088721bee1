import { prepareTemplate, startTestCluster, type TestCluster } from './index';

declare global {
  var __sylviteTestCluster: TestCluster | undefined;
}

/** Jest globalSetup: one cluster and one migrated template for the whole run. */
export default async function globalSetup(): Promise<void> {
  const cluster = await startTestCluster('test-pg');
  await prepareTemplate(cluster.adminUrl);
  process.env['SYLVITE_TEST_ADMIN_URL'] = cluster.adminUrl;
  globalThis.__sylviteTestCluster = cluster;
}
