import { ConflictException, ForbiddenException, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { BUILTIN_ROLES } from '@sylvite/contracts';
import { APP_CONFIG, sqlRows, type AppConfig } from '@sylvite/api-core';
import { PasswordService } from './password.service';
import { sha256 } from './sessions.service';

const SETUP_LOCK = 727_001;

/**
 * Boot-time seeding: built-in roles (idempotent) and the first admin — from the bootstrap
 * variables, or through a one-time setup URL (15 minutes) printed to the log. No default password
 * exists, ever.
 */
@Injectable()
export class SetupService implements OnApplicationBootstrap {
  private readonly logger = new Logger(SetupService.name);
  /** The URL printed at boot, for `npm start` and the e2e suites to pick up. */
  setupUrl: string | null = null;

  constructor(
    private readonly db: DataSource,
    private readonly passwords: PasswordService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.seedRoles();
    if (!(await this.needsSetup())) return;
    const boot = this.config.auth.bootstrapAdmin;
    if (boot) {
      await this.db.transaction((m) => this.createAdmin(m, boot.username, boot.password));
      this.logger.log(`created the bootstrap admin "${boot.username}"`);
      return;
    }
    const token = randomBytes(24).toString('base64url');
    await this.db.query('DELETE FROM setup_tokens');
    await this.db.query(`INSERT INTO setup_tokens (token_hash, expires_at) VALUES ($1, now() + interval '15 minutes')`, [sha256(token)]);
    const host = this.config.http.host === '0.0.0.0' ? '127.0.0.1' : this.config.http.host;
    this.setupUrl = `http://${host}:${this.config.http.port}/setup?token=${token}`;
    this.logger.warn(`No users yet. Create the first admin within 15 minutes at: ${this.setupUrl}`);
  }

  async seedRoles(): Promise<void> {
    for (const [name, r] of Object.entries(BUILTIN_ROLES)) {
      await this.db.query(
        `INSERT INTO roles (name, description, permissions, builtin) VALUES ($1, $2, $3, true)
         ON CONFLICT ((lower(name))) DO UPDATE SET description = EXCLUDED.description, permissions = EXCLUDED.permissions,
           builtin = true, updated_at = now()`,
        [name, r.description, r.permissions],
      );
    }
  }

  async needsSetup(): Promise<boolean> {
    const rows = await this.db.query('SELECT 1 FROM users LIMIT 1');
    return rows.length === 0;
  }

  /** Creates the first admin with the one-time token; refused once any user exists. */
  async completeSetup(token: string, username: string, password: string): Promise<string> {
    const hash = await this.passwords.hash(password);
    return this.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [SETUP_LOCK]);
      if ((await m.query('SELECT 1 FROM users LIMIT 1')).length) throw new ConflictException('setup is already complete');
      const ok = await sqlRows(m, `DELETE FROM setup_tokens WHERE token_hash = $1 AND expires_at > now() RETURNING 1`, [sha256(token)]);
      if (!ok.length) throw new ForbiddenException('token: invalid or expired setup token (restart the api for a new one)');
      await m.query('DELETE FROM setup_tokens');
      return this.createAdmin(m, username, password, hash);
    });
  }

  private async createAdmin(m: EntityManager, username: string, password: string, hash?: string): Promise<string> {
    const passwordHash = hash ?? (await this.passwords.hash(password));
    const [u] = await m.query(`INSERT INTO users (username, password_hash) VALUES ($1, $2) RETURNING id`, [username, passwordHash]);
    await m.query(`INSERT INTO user_roles (user_id, role_id) SELECT $1, id FROM roles WHERE lower(name) = 'admin'`, [u.id]);
    return u.id as string;
  }
}
