import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Salt activity store (DESIGN.md §7, PERFORMANCE.md): a narrow row partitioned by day on
 * `occurred_at`, the full event in a same-partitioned payload table, a dedupe ledger that makes
 * ingestion idempotent, and the record of stream gaps.
 */
export class ActivityEvents1763790000000 implements MigrationInterface {
  name = 'ActivityEvents1763790000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE activity_events_id_seq AS bigint`);
    await q.query(`
      CREATE TABLE activity_events (
        id bigint NOT NULL DEFAULT nextval('activity_events_id_seq'),
        occurred_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        category text NOT NULL,
        event_type text NOT NULL,
        outcome text NOT NULL,
        tag text NOT NULL,
        minion_id text,
        jid text,
        fun text,
        initiator text,
        target text,
        target_type text,
        retcode integer,
        success boolean,
        changes_count integer,
        duration_ms double precision,
        minions text[],
        summary text NOT NULL,
        search_text text NOT NULL,
        dedupe_key text NOT NULL,
        PRIMARY KEY (id, occurred_at)
      ) PARTITION BY RANGE (occurred_at)`);
    await q.query(`ALTER SEQUENCE activity_events_id_seq OWNED BY activity_events.id`);
    await q.query(`CREATE INDEX activity_events_at_idx ON activity_events (occurred_at DESC, id DESC)`);
    await q.query(`CREATE INDEX activity_events_category_idx ON activity_events (category, occurred_at DESC, id DESC)`);
    await q.query(`CREATE INDEX activity_events_minion_idx ON activity_events (minion_id, occurred_at DESC, id DESC)`);
    await q.query(`CREATE INDEX activity_events_jid_idx ON activity_events (jid)`);
    await q.query(`CREATE INDEX activity_events_search_idx ON activity_events USING gin (search_text gin_trgm_ops) WITH (fastupdate = on)`);
    await q.query(`
      CREATE TABLE activity_payloads (
        id bigint NOT NULL,
        occurred_at timestamptz NOT NULL,
        raw text,
        raw_size integer NOT NULL,
        raw_truncated boolean NOT NULL DEFAULT false,
        value_trimmed boolean NOT NULL DEFAULT false,
        PRIMARY KEY (id, occurred_at)
      ) PARTITION BY RANGE (occurred_at)`);
    // lz4 where the server was built with it (PERFORMANCE.md); pglz otherwise.
    await q.query(`
      DO $$ BEGIN
        EXECUTE 'ALTER TABLE activity_payloads ALTER COLUMN raw SET COMPRESSION lz4';
      EXCEPTION WHEN OTHERS THEN NULL;
      END $$`);
    await q.query(`
      CREATE TABLE activity_dedupe (
        dedupe_key text PRIMARY KEY,
        occurred_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX activity_dedupe_at_idx ON activity_dedupe (occurred_at)`);
    await q.query(`
      CREATE TABLE stream_gaps (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        started_at timestamptz NOT NULL,
        ended_at timestamptz,
        reason text NOT NULL,
        recovered integer NOT NULL DEFAULT 0,
        dropped integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Day partitions for both tables; the writer calls this for any day it is about to write.
    await q.query(`
      CREATE FUNCTION sylvite_ensure_activity_partition(day date) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        suffix text := to_char(day, 'YYYYMMDD');
        lo timestamptz := day::timestamp AT TIME ZONE 'UTC';
        hi timestamptz := (day + 1)::timestamp AT TIME ZONE 'UTC';
      BEGIN
        PERFORM pg_advisory_xact_lock(727100);
        IF to_regclass('activity_events_' || suffix) IS NULL THEN
          EXECUTE format('CREATE TABLE %I PARTITION OF activity_events FOR VALUES FROM (%L) TO (%L)', 'activity_events_' || suffix, lo, hi);
        END IF;
        IF to_regclass('activity_payloads_' || suffix) IS NULL THEN
          EXECUTE format('CREATE TABLE %I PARTITION OF activity_payloads FOR VALUES FROM (%L) TO (%L)', 'activity_payloads_' || suffix, lo, hi);
        END IF;
      END $$`);
    await q.query(`SELECT sylvite_ensure_activity_partition((now() AT TIME ZONE 'UTC')::date + d) FROM generate_series(-1, 7) d`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS sylvite_ensure_activity_partition(date)`);
    await q.query(`DROP TABLE IF EXISTS stream_gaps`);
    await q.query(`DROP TABLE IF EXISTS activity_dedupe`);
    await q.query(`DROP TABLE IF EXISTS activity_payloads`);
    await q.query(`DROP TABLE IF EXISTS activity_events`);
  }
}
