import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Projects (named sets of minions) and their memberships, plus the index the cross-project
 * timeline reads audit rows through: a row belongs to at most one project (`project_ids[1]`), so a
 * btree on it with the feed's order gives every project's newest rows without a sort.
 */
export class Projects1763810000000 implements MigrationInterface {
  name = 'Projects1763810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE projects (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug text NOT NULL,
        name text NOT NULL,
        description text,
        minion_patterns text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        archived_at timestamptz,
        CONSTRAINT projects_slug_check CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$')
      )`);
    await q.query(`CREATE UNIQUE INDEX projects_slug_uq ON projects (slug)`);
    await q.query(`
      CREATE TABLE project_memberships (
        project_id uuid NOT NULL,
        user_id uuid NOT NULL,
        role text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT project_memberships_pkey PRIMARY KEY (project_id, user_id),
        CONSTRAINT project_memberships_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE,
        CONSTRAINT project_memberships_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
        CONSTRAINT project_memberships_role_check CHECK (role IN ('viewer', 'operator', 'admin'))
      )`);
    await q.query(`CREATE INDEX project_memberships_user_idx ON project_memberships (user_id)`);
    await q.query(`CREATE INDEX audit_log_project_idx ON audit_log ((project_ids[1]), at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS audit_log_project_idx`);
    await q.query(`DROP TABLE IF EXISTS project_memberships`);
    await q.query(`DROP TABLE IF EXISTS projects`);
  }
}
