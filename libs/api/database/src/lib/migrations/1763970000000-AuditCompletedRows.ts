import { MigrationInterface, QueryRunner } from 'typeorm';

const GUARD_HEAD = `
  CREATE OR REPLACE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'DELETE' THEN
      IF OLD.hash IS NOT NULL AND current_setting('sylvite.retention', true) = 'on' THEN
        RETURN OLD;
      END IF;
      RAISE EXCEPTION 'audit_log is append-only: row % cannot be deleted', OLD.id USING ERRCODE = '42501';
    END IF;
    IF OLD.hash IS NOT NULL THEN
      RAISE EXCEPTION 'audit_log is append-only: row % is sealed and cannot change', OLD.id USING ERRCODE = '42501';
    END IF;`;

const GUARD_TAIL = `
    IF NEW.id IS DISTINCT FROM OLD.id OR NEW.at IS DISTINCT FROM OLD.at
       OR NEW.user_id IS DISTINCT FROM OLD.user_id OR NEW.action IS DISTINCT FROM OLD.action
       OR NEW.resource IS DISTINCT FROM OLD.resource OR NEW.args_json IS DISTINCT FROM OLD.args_json
       OR NEW.source_ip IS DISTINCT FROM OLD.source_ip OR NEW.user_agent IS DISTINCT FROM OLD.user_agent
       OR NEW.request_id IS DISTINCT FROM OLD.request_id THEN
      RAISE EXCEPTION 'audit_log: only the outcome of pending row % may be written', OLD.id USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
  END $$`;

/**
 * A mutating request's row is now sealed in a batch after the request completes, not in the
 * completing statement. In between it holds its outcome without a hash: the guard lets such a
 * finished row get its seal and nothing else, so the outcome cannot change before the hash covers it.
 */
export class AuditCompletedRows1763970000000 implements MigrationInterface {
  name = 'AuditCompletedRows1763970000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`${GUARD_HEAD}
    IF OLD.result_code IS NOT NULL AND (
         NEW.result_code IS DISTINCT FROM OLD.result_code OR NEW.duration_ms IS DISTINCT FROM OLD.duration_ms
         OR NEW.decision IS DISTINCT FROM OLD.decision OR NEW.salt_jid IS DISTINCT FROM OLD.salt_jid
         OR NEW.project_ids IS DISTINCT FROM OLD.project_ids) THEN
      RAISE EXCEPTION 'audit_log: row % has its outcome; only its seal may be written', OLD.id USING ERRCODE = '42501';
    END IF;${GUARD_TAIL}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`${GUARD_HEAD}${GUARD_TAIL}`);
  }
}
