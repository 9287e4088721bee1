import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Client } from 'pg';

export const ADMIN = { username: 'admin', password: 'correct-horse-battery-staple' };
export const BOOTSTRAP_ENV = { SYLVITE_BOOTSTRAP_ADMIN_USERNAME: ADMIN.username, SYLVITE_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password };

export interface Session {
  get(path: string): request.Test;
  send(method: 'post' | 'put' | 'patch' | 'delete', path: string, body?: object): request.Test;
}

/** Signs in through the API (cookie session); mutations carry the XSRF header. */
export async function signIn(app: INestApplication, who = ADMIN): Promise<Session> {
  const agent = request.agent(app.getHttpServer());
  const res = await agent.post('/api/auth/login').send(who).expect(200);
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const xsrf = cookies.map((c) => /^XSRF-TOKEN=([^;]+)/.exec(c)?.[1]).find(Boolean) ?? '';
  return {
    get: (path) => agent.get(path),
    send: (method, path, body) => agent[method](path).set('X-XSRF-TOKEN', decodeURIComponent(xsrf)).send(body ?? {}),
  };
}

/** A direct connection for what the API must not be able to do: tampering, reading raw rows. */
export async function rawClient(url: string): Promise<Client> {
  const c = new Client({ connectionString: url });
  await c.connect();
  return c;
}

/** Runs `fn` with the audit_log triggers off (as a superuser could), inside a transaction. */
export async function asTamperer<T>(c: Client, fn: () => Promise<T>, keep = false): Promise<T> {
  await c.query('BEGIN');
  await c.query('SET LOCAL session_replication_role = replica');
  try {
    const out = await fn();
    await c.query(keep ? 'COMMIT' : 'ROLLBACK');
    return out;
  } catch (err) {
    await c.query('ROLLBACK');
    throw err;
  }
}

export async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 10_000, stepMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
