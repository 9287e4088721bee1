import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit guarantees (issue 8): the hash chain over audit_log, its state row (anchor and head), the
 * trigger that makes sealed rows append-only, and the SIEM forwarding destinations.
 *
 * A row is pending (no chain fields) between a mutating request's durable insert and its
 * completion; completing it seals it into the chain, so the hash covers the final row. The
 * trigger therefore lets a pending row's outcome be written, and nothing else: sealed rows never
 * change, and rows are deleted only by retention (`SET LOCAL sylvite.retention = 'on'`).
 */
export class AuditChain1763850000000 implements MigrationInterface {
  name = 'AuditChain1763850000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE audit_log
        ADD COLUMN incomplete boolean NOT NULL DEFAULT false,
        ADD COLUMN chain_seq bigint,
        ADD COLUMN prev_hash bytea,
        ADD COLUMN hash bytea`);
    await q.query(`
      ALTER TABLE audit_log ADD CONSTRAINT audit_log_chain_check
        CHECK ((hash IS NULL) = (prev_hash IS NULL) AND (hash IS NULL) = (chain_seq IS NULL))`);
    await q.query(`CREATE UNIQUE INDEX audit_log_chain_seq_uq ON audit_log (chain_seq) WHERE chain_seq IS NOT NULL`);
    // Two rows claiming the same predecessor would be a fork: impossible by construction.
    await q.query(`CREATE UNIQUE INDEX audit_log_prev_hash_uq ON audit_log (prev_hash) WHERE prev_hash IS NOT NULL`);
    await q.query(`CREATE INDEX audit_log_pending_idx ON audit_log (id) WHERE hash IS NULL`);

    await q.query(`
      CREATE TABLE audit_chain_state (
        id smallint PRIMARY KEY CONSTRAINT audit_chain_state_single_check CHECK (id = 1),
        anchor_seq bigint NOT NULL DEFAULT 0,
        anchor_id bigint,
        anchor_hash bytea NOT NULL,
        anchor_mac bytea,
        head_seq bigint NOT NULL DEFAULT 0,
        head_id bigint,
        head_hash bytea NOT NULL,
        head_mac bytea,
        last_checkpoint_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Genesis: the chain starts after 32 zero bytes at position 0.
    await q.query(`INSERT INTO audit_chain_state (id, anchor_hash, head_hash) VALUES (1, decode(repeat('00', 32), 'hex'), decode(repeat('00', 32), 'hex'))`);

    await q.query(`
      CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          IF OLD.hash IS NOT NULL AND current_setting('sylvite.retention', true) = 'on' THEN
            RETURN OLD;
          END IF;
          RAISE EXCEPTION 'audit_log is append-only: row % cannot be deleted', OLD.id USING ERRCODE = '42501';
        END IF;
        IF OLD.hash IS NOT NULL THEN
          RAISE EXCEPTION 'audit_log is append-only: row % is sealed and cannot change', OLD.id USING ERRCODE = '42501';
        END IF;
        IF NEW.id IS DISTINCT FROM OLD.id OR NEW.at IS DISTINCT FROM OLD.at
           OR NEW.user_id IS DISTINCT FROM OLD.user_id OR NEW.action IS DISTINCT FROM OLD.action
           OR NEW.resource IS DISTINCT FROM OLD.resource OR NEW.args_json IS DISTINCT FROM OLD.args_json
           OR NEW.source_ip IS DISTINCT FROM OLD.source_ip OR NEW.user_agent IS DISTINCT FROM OLD.user_agent
           OR NEW.request_id IS DISTINCT FROM OLD.request_id THEN
          RAISE EXCEPTION 'audit_log: only the outcome of pending row % may be written', OLD.id USING ERRCODE = '42501';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER audit_log_guard BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_guard()`);
    await q.query(`
      CREATE FUNCTION audit_log_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: TRUNCATE is refused' USING ERRCODE = '42501';
      END $$`);
    await q.query(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_no_truncate()`);

    await q.query(`
      CREATE TABLE audit_destinations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        url text NOT NULL,
        secret_enc text NOT NULL,
        action_prefix text COLLATE "C",
        decision text CONSTRAINT audit_destinations_decision_check CHECK (decision IN ('allow', 'deny')),
        enabled boolean NOT NULL DEFAULT true,
        delivered_seq bigint NOT NULL DEFAULT 0,
        delivered_id bigint,
        delivered_at timestamptz,
        failures integer NOT NULL DEFAULT 0,
        last_error text,
        last_attempt_at timestamptz,
        next_attempt_at timestamptz,
        lease_owner text,
        lease_until timestamptz,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX audit_destinations_name_uq ON audit_destinations (lower(name))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS audit_destinations`);
    await q.query(`DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log`);
    await q.query(`DROP TRIGGER IF EXISTS audit_log_guard ON audit_log`);
    await q.query(`DROP FUNCTION IF EXISTS audit_log_no_truncate()`);
    await q.query(`DROP FUNCTION IF EXISTS audit_log_guard()`);
    await q.query(`DROP TABLE IF EXISTS audit_chain_state`);
    await q.query(`DROP INDEX IF EXISTS audit_log_pending_idx`);
    await q.query(`DROP INDEX IF EXISTS audit_log_prev_hash_uq`);
    await q.query(`DROP INDEX IF EXISTS audit_log_chain_seq_uq`);
    await q.query(`ALTER TABLE audit_log DROP CONSTRAINT IF EXISTS audit_log_chain_check`);
    await q.query(`ALTER TABLE audit_log DROP COLUMN hash, DROP COLUMN prev_hash, DROP COLUMN chain_seq, DROP COLUMN incomplete`);
  }
}
