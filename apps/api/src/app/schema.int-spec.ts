import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@sylvite/api-database/testing';
import { dataSourceOptions, MIGRATIONS } from '@sylvite/api-database';
import { ENTITIES } from './entities';

describe('schema', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    // An empty database (no template): the migrations alone must build the schema.
    db = await createTestDatabase(undefined, null);
    ds = new DataSource(dataSourceOptions(db.url, ENTITIES));
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('should need no change when the entities are compared with the migrated schema', async () => {
    const pending = await ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('should apply every migration and leave none pending', async () => {
    expect(await ds.showMigrations()).toBe(false);
    const rows: { name: string }[] = await ds.query('SELECT name FROM migrations ORDER BY id');
    expect(rows.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
  });

  it('should revert every migration down to an empty schema and re-apply them', async () => {
    for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    const tables: { table_name: string }[] = await ds.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'`,
    );
    expect(tables).toEqual([]);
    await ds.runMigrations({ transaction: 'each' });
    expect(await ds.showMigrations()).toBe(false);
  });
});
