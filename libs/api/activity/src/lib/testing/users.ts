import * as argon2 from 'argon2';
import { randomUUID } from 'node:crypto';
import { SESSION_COOKIE, XSRF_COOKIE } from '@sylvite/contracts';
import type { Queryable } from './fixtures';

export const TEST_PASSWORD = 'correct horse battery staple';
let cachedHash: Promise<string> | null = null;

/** A user holding exactly `permissions` through a role of its own; returns its id. */
export async function createUser(db: Queryable, username: string, permissions: string[]): Promise<string> {
  cachedHash ??= argon2.hash(TEST_PASSWORD, { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  const hash = await cachedHash;
  const users = (await db.query(`INSERT INTO users (username, password_hash) VALUES ($1, $2) RETURNING id`, [username, hash])) as { id: string }[];
  const roles = (await db.query(`INSERT INTO roles (name, permissions) VALUES ($1, $2) RETURNING id`, [`role-${username}-${randomUUID().slice(0, 8)}`, permissions])) as { id: string }[];
  await db.query(`INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2)`, [users[0].id, roles[0].id]);
  return users[0].id;
}

export async function setPermissions(db: Queryable, userId: string, permissions: string[]): Promise<void> {
  await db.query(`UPDATE roles SET permissions = $2 WHERE id IN (SELECT role_id FROM user_roles WHERE user_id = $1)`, [userId, permissions]);
}

export interface Session {
  cookie: string;
  xsrf: string;
}

/** Signs in through POST /api/auth/login, as a browser would. */
export async function login(baseUrl: string, username: string): Promise<Session> {
  const res = await fetch(new URL('/api/auth/login', baseUrl), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: TEST_PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${await res.text()}`);
  const jar = new Map<string, string>();
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const i = pair.indexOf('=');
    jar.set(pair.slice(0, i), pair.slice(i + 1));
  }
  const session = jar.get(SESSION_COOKIE);
  const xsrf = jar.get(XSRF_COOKIE) ?? '';
  if (!session) throw new Error('login set no session cookie');
  return { cookie: `${SESSION_COOKIE}=${session}; ${XSRF_COOKIE}=${xsrf}`, xsrf: decodeURIComponent(xsrf) };
}
