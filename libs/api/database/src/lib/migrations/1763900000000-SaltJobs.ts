import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The jobs index behind GET /api/jobs (issue 5): one row per Salt job and one per (job, minion),
 * kept current from the activity stream's job rows, from Sylvite's own dispatches and, with the
 * stream off, from salt-api's jobs runner. Per-minion rows carry the job's start time so "the
 * last job / last highstate of a minion" is one index probe; `salt_job_sync` is the lease that
 * lets one replica at a time poll salt-api.
 */
export class SaltJobs1763900000000 implements MigrationInterface {
  name = 'SaltJobs1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE salt_jobs (
        jid text PRIMARY KEY,
        started_at timestamptz NOT NULL,
        fun text,
        args jsonb,
        target text,
        target_type text,
        initiator text,
        requested_by text,
        request_id text,
        highstate boolean,
        targeted integer NOT NULL DEFAULT 0,
        returned integer NOT NULL DEFAULT 0,
        failed integer NOT NULL DEFAULT 0,
        noreturn integer NOT NULL DEFAULT 0,
        outcome text,
        status text NOT NULL DEFAULT 'running',
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT salt_jobs_status_check CHECK (status IN ('running', 'complete'))
      )`);
    await q.query(`CREATE INDEX salt_jobs_started_idx ON salt_jobs (started_at DESC, jid DESC)`);
    await q.query(`CREATE INDEX salt_jobs_running_idx ON salt_jobs (started_at DESC) WHERE status = 'running'`);
    await q.query(`
      CREATE TABLE salt_job_minions (
        jid text NOT NULL REFERENCES salt_jobs (jid) ON DELETE CASCADE,
        minion_id text NOT NULL,
        expected boolean NOT NULL DEFAULT false,
        outcome text,
        retcode integer,
        returned_at timestamptz,
        started_at timestamptz NOT NULL,
        fun text,
        highstate boolean NOT NULL DEFAULT false,
        PRIMARY KEY (jid, minion_id)
      )`);
    await q.query(`CREATE INDEX salt_job_minions_minion_idx ON salt_job_minions (minion_id, started_at DESC)`);
    await q.query(`CREATE INDEX salt_job_minions_highstate_idx ON salt_job_minions (minion_id, started_at DESC) WHERE highstate`);
    await q.query(`
      CREATE TABLE salt_job_sync (
        name text PRIMARY KEY,
        holder text,
        lease_until timestamptz,
        last_run_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS salt_job_sync`);
    await q.query(`DROP TABLE IF EXISTS salt_job_minions`);
    await q.query(`DROP TABLE IF EXISTS salt_jobs`);
  }
}
