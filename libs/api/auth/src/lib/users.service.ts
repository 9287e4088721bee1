import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { UserDto } from '@sylvite/contracts';
import { PasswordService } from './password.service';
import { SessionsService } from './sessions.service';

const USER_SELECT = `
  SELECT u.id, u.username, u.display_name, u.disabled, u.created_at, u.updated_at, u.last_login_at,
         COALESCE((SELECT array_agg(r.name ORDER BY r.name) FROM user_roles ur JOIN roles r ON r.id = ur.role_id
                    WHERE ur.user_id = u.id), '{}') AS roles
    FROM users u`;

interface UserRow {
  id: string;
  username: string;
  display_name: string | null;
  disabled: boolean;
  created_at: Date;
  updated_at: Date;
  last_login_at: Date | null;
  roles: string[];
}

const toDto = (r: UserRow): UserDto => ({
  id: r.id,
  username: r.username,
  display_name: r.display_name,
  disabled: r.disabled,
  roles: r.roles,
  created_at: r.created_at.toISOString(),
  updated_at: r.updated_at.toISOString(),
  last_login_at: r.last_login_at?.toISOString() ?? null,
});

const LAST_ADMIN_LOCK = 727_002;

/** Users and their roles. The last enabled admin can be neither deleted, disabled nor demoted. */
@Injectable()
export class UsersService {
  constructor(private readonly db: DataSource, private readonly passwords: PasswordService, private readonly sessions: SessionsService) {}

  async list(): Promise<UserDto[]> {
    const rows: UserRow[] = await this.db.query(`${USER_SELECT} ORDER BY lower(u.username)`);
    return rows.map(toDto);
  }

  async get(id: string, m: EntityManager = this.db.manager): Promise<UserDto> {
    const rows: UserRow[] = await m.query(`${USER_SELECT} WHERE u.id = $1`, [id]);
    if (!rows[0]) throw new NotFoundException(`user ${id} not found`);
    return toDto(rows[0]);
  }

  async byName(username: string): Promise<UserDto | null> {
    const rows: UserRow[] = await this.db.query(`${USER_SELECT} WHERE lower(u.username) = lower($1)`, [username]);
    return rows[0] ? toDto(rows[0]) : null;
  }

  async create(input: { username: string; password: string; display_name?: string; roles?: string[] }): Promise<UserDto> {
    const hash = await this.passwords.hash(input.password);
    return this.db.transaction(async (m) => {
      if ((await m.query('SELECT 1 FROM users WHERE lower(username) = lower($1)', [input.username])).length) {
        throw new ConflictException(`username: "${input.username}" is taken`);
      }
      const [u] = await m.query(`INSERT INTO users (username, password_hash, display_name) VALUES ($1, $2, $3) RETURNING id`, [
        input.username, hash, input.display_name ?? null,
      ]);
      for (const role of input.roles ?? []) await this.assign(m, u.id, role);
      return this.get(u.id, m);
    });
  }

  async update(id: string, patch: { display_name?: string; disabled?: boolean }): Promise<UserDto> {
    return this.db.transaction(async (m) => {
      await this.get(id, m);
      if (patch.disabled === true) await this.ensureNotLastAdmin(m, id);
      await m.query(
        `UPDATE users SET display_name = COALESCE($2, display_name), disabled = COALESCE($3, disabled), updated_at = now() WHERE id = $1`,
        [id, patch.display_name ?? null, patch.disabled ?? null],
      );
      if (patch.disabled === true) await m.query('DELETE FROM sessions WHERE user_id = $1', [id]);
      return this.get(id, m);
    });
  }

  async remove(id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      await this.get(id, m);
      await this.ensureNotLastAdmin(m, id);
      await m.query('DELETE FROM users WHERE id = $1', [id]);
    });
  }

  async resetPassword(id: string, password: string): Promise<void> {
    await this.get(id);
    const hash = await this.passwords.hash(password);
    await this.db.query(
      `UPDATE users SET password_hash = $2, password_changed_at = now(), failed_logins = 0, locked_until = NULL, updated_at = now() WHERE id = $1`,
      [id, hash],
    );
    await this.sessions.revokeAllFor(id);
  }

  /** Checks the current password, sets the new one and ends the user's other sessions. */
  async changePassword(id: string, current: string, next: string, keepSessionId?: string): Promise<boolean> {
    const rows: { password_hash: string }[] = await this.db.query('SELECT password_hash FROM users WHERE id = $1', [id]);
    if (!(await this.passwords.verify(rows[0]?.password_hash, current))) return false;
    const hash = await this.passwords.hash(next);
    await this.db.query(`UPDATE users SET password_hash = $2, password_changed_at = now(), updated_at = now() WHERE id = $1`, [id, hash]);
    await this.sessions.revokeAllFor(id, keepSessionId);
    return true;
  }

  async addRole(id: string, role: string): Promise<UserDto> {
    return this.db.transaction(async (m) => {
      await this.get(id, m);
      await this.assign(m, id, role);
      return this.get(id, m);
    });
  }

  async removeRole(id: string, role: string): Promise<UserDto> {
    return this.db.transaction(async (m) => {
      const user = await this.get(id, m);
      if (!user.roles.some((r) => r.toLowerCase() === role.toLowerCase())) {
        throw new NotFoundException(`role: user ${user.username} does not hold role "${role}"`);
      }
      await m.query(`DELETE FROM user_roles WHERE user_id = $1 AND role_id IN (SELECT id FROM roles WHERE lower(name) = lower($2))`, [id, role]);
      const [{ n }] = await m.query(ADMIN_COUNT);
      if (Number(n) === 0) throw new ConflictException('cannot remove the last admin');
      return this.get(id, m);
    });
  }

  private async assign(m: EntityManager, userId: string, role: string): Promise<void> {
    const rows = await m.query(`SELECT id FROM roles WHERE lower(name) = lower($1)`, [role]);
    if (!rows[0]) throw new NotFoundException(`role: "${role}" does not exist`);
    await m.query(`INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [userId, rows[0].id]);
  }

  /** Serialized with an advisory lock so two concurrent demotions cannot both pass. */
  private async ensureNotLastAdmin(m: EntityManager, userId: string): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock($1)', [LAST_ADMIN_LOCK]);
    const [{ n }] = await m.query(`${ADMIN_COUNT} AND u.id <> $1`, [userId]);
    const [{ is_admin }] = await m.query(
      `SELECT EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = $1 AND '*:*:*' = ANY (r.permissions)) AS is_admin`,
      [userId],
    );
    if (is_admin && Number(n) === 0) throw new ConflictException('cannot remove, disable or delete the last admin');
  }
}

const ADMIN_COUNT = `SELECT count(DISTINCT u.id) AS n FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id
  WHERE NOT u.disabled AND '*:*:*' = ANY (r.permissions)`;
