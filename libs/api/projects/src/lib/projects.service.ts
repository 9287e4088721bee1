import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { MembershipDto, ProjectDto, ProjectMemberDto } from '@sylvite/contracts';
import { sqlRows } from '@sylvite/api-core';
import type { GrantSource } from '@sylvite/api-auth';
import { assignProject, membershipGrants, type MembershipGrantInput, type ProjectRole } from './project-rules';
import type { AddMemberDto, CreateProjectDto, UpdateProjectDto } from './dto';

interface ProjectRow {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  minion_patterns: string[];
  archived_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

interface MemberRow {
  user_id: string;
  username: string;
  display_name: string | null;
  role: ProjectRole;
  created_at: Date;
  updated_at: Date;
}

const PROJECT_COLS = 'id, slug, name, description, minion_patterns, archived_at, created_at, updated_at';

function toDto(r: ProjectRow): ProjectDto {
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    description: r.description,
    minion_patterns: r.minion_patterns,
    archived_at: r.archived_at ? new Date(r.archived_at).toISOString() : null,
    created_at: new Date(r.created_at).toISOString(),
    updated_at: new Date(r.updated_at).toISOString(),
  };
}

function memberDto(r: MemberRow): ProjectMemberDto {
  return {
    user_id: r.user_id,
    username: r.username,
    display_name: r.display_name,
    role: r.role,
    created_at: new Date(r.created_at).toISOString(),
    updated_at: new Date(r.updated_at).toISOString(),
  };
}

/** Projects, memberships, and what they mean for grants, `/me` and audit rows. */
@Injectable()
export class ProjectsService {
  constructor(private readonly db: DataSource) {}

  async list(includeArchived: boolean): Promise<ProjectDto[]> {
    const rows: ProjectRow[] = await this.db.query(
      `SELECT ${PROJECT_COLS} FROM projects ${includeArchived ? '' : 'WHERE archived_at IS NULL'} ORDER BY slug`,
    );
    return rows.map(toDto);
  }

  async get(slug: string): Promise<ProjectDto> {
    return toDto(await this.row(this.db.manager, slug));
  }

  async create(input: CreateProjectDto): Promise<ProjectDto> {
    const rows = await sqlRows<ProjectRow>(this.db,
      `INSERT INTO projects (slug, name, description, minion_patterns) VALUES ($1, $2, $3, $4)
       ON CONFLICT (slug) DO NOTHING RETURNING ${PROJECT_COLS}`,
      [input.slug, input.name.trim(), input.description ?? null, dedupe(input.minion_patterns)],
    );
    if (!rows[0]) throw new ConflictException(`slug: project "${input.slug}" already exists`);
    return toDto(rows[0]);
  }

  async update(slug: string, patch: UpdateProjectDto): Promise<ProjectDto> {
    return this.db.transaction(async (m) => {
      const p = await this.row(m, slug, true);
      if (p.archived_at) throw new ConflictException(`project "${slug}" is archived`);
      const rows = await sqlRows<ProjectRow>(m,
        `UPDATE projects SET name = COALESCE($2, name), description = COALESCE($3, description),
                minion_patterns = COALESCE($4::text[], minion_patterns), updated_at = now()
          WHERE id = $1 RETURNING ${PROJECT_COLS}`,
        [p.id, patch.name?.trim() ?? null, patch.description ?? null, patch.minion_patterns ? dedupe(patch.minion_patterns) : null],
      );
      return toDto(rows[0]);
    });
  }

  /** Retires the project; its memberships and every audit row stay (history remains readable). */
  async archive(slug: string): Promise<ProjectDto> {
    return this.db.transaction(async (m) => {
      const p = await this.row(m, slug, true);
      if (p.archived_at) throw new ConflictException(`project "${slug}" is already archived`);
      const rows = await sqlRows<ProjectRow>(m,
        `UPDATE projects SET archived_at = now(), updated_at = now() WHERE id = $1 RETURNING ${PROJECT_COLS}`,
        [p.id],
      );
      return toDto(rows[0]);
    });
  }

  async members(slug: string): Promise<ProjectMemberDto[]> {
    const p = await this.row(this.db.manager, slug);
    const rows: MemberRow[] = await this.db.query(
      `SELECT m.user_id, u.username, u.display_name, m.role, m.created_at, m.updated_at
         FROM project_memberships m JOIN users u ON u.id = m.user_id
        WHERE m.project_id = $1 ORDER BY lower(u.username)`,
      [p.id],
    );
    return rows.map(memberDto);
  }

  async addMember(slug: string, input: AddMemberDto): Promise<ProjectMemberDto> {
    if ((input.username === undefined) === (input.user_id === undefined)) {
      throw new BadRequestException('username or user_id: give exactly one');
    }
    return this.db.transaction(async (m) => {
      const p = await this.row(m, slug, true);
      if (p.archived_at) throw new ConflictException(`project "${slug}" is archived`);
      const users: { id: string }[] = input.user_id
        ? await m.query('SELECT id FROM users WHERE id = $1', [input.user_id])
        : await m.query('SELECT id FROM users WHERE lower(username) = lower($1)', [input.username]);
      if (!users[0]) throw new NotFoundException(input.user_id ? 'user_id: no such user' : 'username: no such user');
      const added = await sqlRows<{ user_id: string }>(m,
        `INSERT INTO project_memberships (project_id, user_id, role) VALUES ($1, $2, $3)
         ON CONFLICT (project_id, user_id) DO NOTHING RETURNING user_id`,
        [p.id, users[0].id, input.role],
      );
      if (!added[0]) throw new ConflictException('already a member of this project: change the role instead');
      return this.member(m, p.id, users[0].id);
    });
  }

  async updateMember(slug: string, userId: string, role: ProjectRole): Promise<ProjectMemberDto> {
    return this.db.transaction(async (m) => {
      const p = await this.row(m, slug, true);
      if (p.archived_at) throw new ConflictException(`project "${slug}" is archived`);
      const current = await this.member(m, p.id, userId);
      if (current.role === 'admin' && role !== 'admin') await this.ensureAnotherAdmin(m, p.id, 'demoted');
      await m.query(
        `UPDATE project_memberships SET role = $3, updated_at = now() WHERE project_id = $1 AND user_id = $2`,
        [p.id, userId, role],
      );
      return this.member(m, p.id, userId);
    });
  }

  async removeMember(slug: string, userId: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const p = await this.row(m, slug, true);
      const current = await this.member(m, p.id, userId);
      if (current.role === 'admin') await this.ensureAnotherAdmin(m, p.id, 'removed');
      await m.query('DELETE FROM project_memberships WHERE project_id = $1 AND user_id = $2', [p.id, userId]);
    });
  }

  /**
   * The grant source registered with PrincipalService: the caller's memberships, read in the same
   * statement as the session or token and the user (correlated on `u.id`), turned into grants by
   * `membershipGrants`.
   */
  readonly grantSource: GrantSource = {
    sql: `SELECT json_agg(json_build_object('slug', p.slug, 'role', m.role, 'patterns', p.minion_patterns,
                                            'archived', p.archived_at IS NOT NULL))
            FROM project_memberships m JOIN projects p ON p.id = m.project_id
           WHERE m.user_id = u.id`,
    grants: (value) => ((value as MembershipGrantInput[] | null) ?? []).flatMap((r) => membershipGrants(r)),
  };

  /** `GET /api/auth/me`: the caller's memberships of projects that are not archived. */
  async membershipsFor(userId: string): Promise<MembershipDto[]> {
    return this.db.query(
      `SELECT p.id AS project_id, p.slug AS project_slug, p.name AS project_name, m.role
         FROM project_memberships m JOIN projects p ON p.id = m.project_id
        WHERE m.user_id = $1 AND p.archived_at IS NULL ORDER BY p.slug`,
      [userId],
    );
  }

  /**
   * The projects whose rows the caller reads on the timeline: every membership, archived projects
   * included (their history stays readable).
   */
  async timelineScope(userId: string): Promise<{ id: string; slug: string; role: ProjectRole }[]> {
    return this.db.query(
      `SELECT p.id, p.slug, m.role FROM project_memberships m JOIN projects p ON p.id = m.project_id
        WHERE m.user_id = $1`,
      [userId],
    );
  }

  async findBySlug(slug: string): Promise<{ id: string; slug: string } | null> {
    const rows: { id: string; slug: string }[] = await this.db.query('SELECT id, slug FROM projects WHERE slug = $1', [slug]);
    return rows[0] ?? null;
  }

  async roleOf(projectId: string, userId: string): Promise<ProjectRole | null> {
    const rows: { role: ProjectRole }[] = await this.db.query(
      'SELECT role FROM project_memberships WHERE project_id = $1 AND user_id = $2',
      [projectId, userId],
    );
    return rows[0]?.role ?? null;
  }

  /**
   * The audit row's project for the minions an action touched. Read fresh each time (the table is
   * small) so a change made on another replica applies to the very next row.
   */
  async projectIdsFor(minions: readonly string[] | undefined): Promise<string[]> {
    if (!minions?.length) return [];
    const rows: { id: string; patterns: string[] }[] = await this.db.query(
      'SELECT id, minion_patterns AS patterns FROM projects WHERE archived_at IS NULL',
    );
    return assignProject(rows, minions);
  }

  private async row(m: EntityManager, slug: string, lock = false): Promise<ProjectRow> {
    const rows: ProjectRow[] = await m.query(
      `SELECT ${PROJECT_COLS} FROM projects WHERE slug = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [slug],
    );
    if (!rows[0]) throw new NotFoundException(`project "${slug}" not found`);
    return rows[0];
  }

  private async member(m: EntityManager, projectId: string, userId: string): Promise<ProjectMemberDto> {
    const rows: MemberRow[] = await m.query(
      `SELECT m.user_id, u.username, u.display_name, m.role, m.created_at, m.updated_at
         FROM project_memberships m JOIN users u ON u.id = m.user_id
        WHERE m.project_id = $1 AND m.user_id = $2`,
      [projectId, userId],
    );
    if (!rows[0]) throw new NotFoundException('not a member of this project');
    return memberDto(rows[0]);
  }

  /** Callers hold the project row's lock, so two concurrent demotions cannot both pass. */
  private async ensureAnotherAdmin(m: EntityManager, projectId: string, verb: 'removed' | 'demoted'): Promise<void> {
    const rows: { n: number }[] = await m.query(
      `SELECT count(*)::int AS n FROM project_memberships WHERE project_id = $1 AND role = 'admin'`,
      [projectId],
    );
    if (rows[0].n <= 1) throw new ConflictException(`the last admin of a project cannot be ${verb}`);
  }
}

function dedupe(patterns: string[]): string[] {
  return [...new Set(patterns.map((p) => p.trim()))];
}
