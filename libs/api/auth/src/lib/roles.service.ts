import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlRows } from '@sylvite/api-core';
import type { RoleDto } from '@sylvite/contracts';

const toDto = (r: { id: string; name: string; description: string | null; permissions: string[]; builtin: boolean }): RoleDto => ({
  id: r.id,
  name: r.name,
  description: r.description,
  permissions: r.permissions,
  builtin: r.builtin,
});

/** Roles with permission lists; built-in roles are re-seeded at boot and cannot be changed or deleted. */
@Injectable()
export class RolesService {
  constructor(private readonly db: DataSource) {}

  async list(): Promise<RoleDto[]> {
    return (await this.db.query('SELECT * FROM roles ORDER BY builtin DESC, lower(name)')).map(toDto);
  }

  async get(idOrName: string): Promise<RoleDto> {
    const rows = await this.db.query(
      `SELECT * FROM roles WHERE lower(name) = lower($1) OR id::text = $1`,
      [idOrName],
    );
    if (!rows[0]) throw new NotFoundException(`role ${idOrName} not found`);
    return toDto(rows[0]);
  }

  async create(input: { name: string; description?: string; permissions: string[] }): Promise<RoleDto> {
    if ((await this.db.query('SELECT 1 FROM roles WHERE lower(name) = lower($1)', [input.name])).length) {
      throw new ConflictException(`name: role "${input.name}" exists`);
    }
    const [r] = await this.db.query(`INSERT INTO roles (name, description, permissions) VALUES ($1, $2, $3) RETURNING *`, [
      input.name, input.description ?? null, [...new Set(input.permissions)],
    ]);
    return toDto(r);
  }

  async update(idOrName: string, patch: { description?: string; permissions?: string[] }): Promise<RoleDto> {
    const role = await this.get(idOrName);
    if (role.builtin) throw new ConflictException(`role "${role.name}" is built in and cannot be changed`);
    // sqlRows: a bare query() answers UPDATE … RETURNING with [rows, count], not the rows.
    const [r] = await sqlRows<Parameters<typeof toDto>[0]>(
      this.db,
      `UPDATE roles SET description = COALESCE($2, description), permissions = COALESCE($3, permissions), updated_at = now()
        WHERE id = $1 RETURNING *`,
      [role.id, patch.description ?? null, patch.permissions ? [...new Set(patch.permissions)] : null],
    );
    return toDto(r);
  }

  async remove(idOrName: string): Promise<void> {
    const role = await this.get(idOrName);
    if (role.builtin) throw new ConflictException(`role "${role.name}" is built in and cannot be deleted`);
    await this.db.query('DELETE FROM roles WHERE id = $1', [role.id]);
  }
}
