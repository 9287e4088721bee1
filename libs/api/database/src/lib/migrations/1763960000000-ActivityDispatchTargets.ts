import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What serves a narrow view grant (`view:job:web-04242*`) on dispatches: a `job.new` row names no
 * minion, and is in scope when one of its expected minions (or, when none were recorded, its target)
 * matches the grant. Without an index the feed tested every dispatch of the table, newest first
 * (BENCHMARKS.md "Goals missed", B4 narrow scopes). A trigram index over those names, on dispatch
 * rows only, finds the rows that contain the grant's literal prefix; the regular expression then
 * decides.
 */
export class ActivityDispatchTargets1763960000000 implements MigrationInterface {
  name = 'ActivityDispatchTargets1763960000000';

  async up(q: QueryRunner): Promise<void> {
    // The names a dispatch is matched on, as the feed's scope filter reads them (minionMatch).
    await q.query(`
      CREATE FUNCTION sylvite_dispatch_targets(minions text[], target text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT CASE WHEN cardinality(minions) > 0 THEN array_to_string(minions, ' ') ELSE target END $$`);
    await q.query(`
      CREATE INDEX activity_events_dispatch_idx ON activity_events
        USING gin (sylvite_dispatch_targets(minions, target) gin_trgm_ops) WITH (fastupdate = on)
        WHERE minion_id IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS activity_events_dispatch_idx`);
    await q.query(`DROP FUNCTION IF EXISTS sylvite_dispatch_targets(text[], text)`);
  }
}
