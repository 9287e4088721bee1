import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BUILTIN_ROLES, decide } from '@sylvite/contracts';
import { AuditDb, requestId } from '../support/audit-db';
import { ApiClient, eventually } from '../support/client';
import { ADMIN_PASSWORD, startApi, type Api } from '../support/processes';

const SNAPSHOT = resolve(__dirname, '../../../api/src/app/__snapshots__/routes.int-spec.ts.snap');
const PASSWORD = 'long-enough-password';
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

type Policy =
  | { kind: 'public'; action: string | null }
  | { kind: 'authenticated'; action: string }
  | { kind: 'permission'; action: string; keys: { key: string; resource: 'fixed' | 'scoped' | 'request'; value: string }[] };

interface Route {
  method: string;
  path: string;
  policy: Policy;
}

/** The reviewed route → permission table, read from the committed snapshot so no route is missed. */
function routesFromSnapshot(): Route[] {
  const out: Route[] = [];
  for (const raw of readFileSync(SNAPSHOT, 'utf8').split('\n')) {
    const m = /^"?(GET|POST|PUT|PATCH|DELETE) (\S+) {2}→ {2}(.+?)"?(`;)?$/.exec(raw.trim());
    if (!m) continue;
    const [, method, path, desc] = m;
    let policy: Policy;
    const pub = /^public(?: \((.+)\))?$/.exec(desc);
    const auth = /^authenticated \((.+)\)$/.exec(desc);
    const perm = /^(.+) \(([^)]+)\)$/.exec(desc);
    if (pub) policy = { kind: 'public', action: pub[1] ?? null };
    else if (auth) policy = { kind: 'authenticated', action: auth[1] };
    else if (perm) {
      policy = {
        kind: 'permission',
        action: perm[2],
        keys: perm[1].split(' | ').map((k) => {
          const [verb, type, res] = k.split(':');
          const resource = res === '<scoped>' ? 'scoped' : res === '<from request>' ? 'request' : 'fixed';
          return { key: `${verb}:${type}`, resource, value: res };
        }),
      };
    } else throw new Error(`cannot read snapshot line: ${raw}`);
    out.push({ method, path, policy });
  }
  return out;
}

interface Sample {
  /** The concrete path; `:params` otherwise become a UUID no row has. */
  path?: string;
  body?: unknown;
  /** The resource the guard checks for `<from request>` routes. */
  resource?: string;
  /** Sign in a throw-away session for this call (logout ends the session it is sent with). */
  fresh?: boolean;
  /** The status an allowed caller gets with this harmless request. */
  allowed: number;
}

/**
 * Harmless requests: ids that do not exist and bodies that fail validation, so an allowed call
 * changes nothing yet shows it got past the guard. A route without a sample gets the same
 * treatment (every `:param` a UUID no row has, an empty body) and is only checked for 403 or not.
 */
const SAMPLES: Record<string, Sample> = {
  'DELETE /api/roles/:name': { path: '/api/roles/no-such-role', allowed: 404 },
  'DELETE /api/tokens/:id': { allowed: 404 },
  'DELETE /api/users/:id': { allowed: 404 },
  'DELETE /api/users/:id/roles/:role': { path: `/api/users/${NO_SUCH_ID}/roles/viewer`, allowed: 404 },
  'GET /api/audit': { path: '/api/audit?limit=1', allowed: 200 },
  'GET /api/auth/me': { allowed: 200 },
  'GET /api/auth/setup': { allowed: 200 },
  'GET /api/health': { allowed: 200 },
  'GET /api/roles': { allowed: 200 },
  'GET /api/tokens': { allowed: 200 },
  'GET /api/users': { allowed: 200 },
  'GET /api/users/:id': { allowed: 404 },
  'PATCH /api/roles/:name': { path: '/api/roles/no-such-role', body: {}, allowed: 404 },
  'PATCH /api/users/:id': { body: {}, allowed: 404 },
  'POST /api/auth/change-password': { body: { current_password: 'not-my-password', new_password: 'another-long-password' }, allowed: 401 },
  'POST /api/auth/login': { body: {}, allowed: 400 },
  'POST /api/auth/logout': { fresh: true, allowed: 204 },
  'POST /api/auth/setup': { body: {}, allowed: 400 },
  'POST /api/roles': { body: {}, allowed: 400 },
  'POST /api/tokens': { body: {}, allowed: 400 },
  'POST /api/users': { body: {}, allowed: 400 },
  'POST /api/users/:id/password': { body: { password: 'long-enough-password' }, allowed: 404 },
  'POST /api/users/:id/roles': { body: { role: 'viewer' }, allowed: 404 },
};

const ROLES: Record<string, string[]> = {
  admin: BUILTIN_ROLES['admin'].permissions,
  operator: BUILTIN_ROLES['operator'].permissions,
  viewer: BUILTIN_ROLES['viewer'].permissions,
  auditor: BUILTIN_ROLES['auditor'].permissions,
  helpdesk: ['view:user:*', 'manage:user:*', 'view:role:*'],
  none: [],
};

function expectedAllowed(route: Route, permissions: string[] | null, sample: Sample | undefined): boolean {
  const p = route.policy;
  if (p.kind === 'public') return true;
  if (permissions === null) return false;
  if (p.kind === 'authenticated') return true;
  return p.keys.some((k) => {
    const resource = k.resource === 'fixed' ? k.value : k.resource === 'scoped' ? undefined : sample?.resource;
    // The test users hold no project memberships, so the placeholder id stands for any resource.
    return decide({ permissions }, k.key, k.resource === 'request' ? (resource ?? NO_SUCH_ID) : resource).allowed;
  });
}

describe('every role against every route of the reviewed snapshot', () => {
  const routes = routesFromSnapshot();
  let api: Api;
  let db: AuditDb;
  const userIds = new Map<string, string>();

  beforeAll(async () => {
    api = await startApi();
    db = await AuditDb.connect(api);
    const admin = await ApiClient.signedIn(api.url, 'admin', ADMIN_PASSWORD);
    expect((await admin.post('/api/roles', { name: 'helpdesk', permissions: ROLES['helpdesk'] })).status).toBe(201);
    for (const role of Object.keys(ROLES)) {
      const r = await admin.post<{ id: string }>('/api/users', { username: `as-${role}`, password: PASSWORD, roles: role === 'none' ? [] : [role] });
      expect(r.status).toBe(201);
      userIds.set(role, r.body.id);
    }
  });

  afterAll(async () => {
    await db?.close();
    await api?.stop();
  });

  it('should read every route of the snapshot, the foundation\'s among them', () => {
    expect(routes.length).toBeGreaterThan(20);
    const unread = Object.keys(SAMPLES).filter((k) => !routes.some((r) => `${r.method} ${r.path}` === k));
    expect(unread).toEqual([]);
  });

  async function drive(role: string | null): Promise<string[]> {
    const permissions = role === null ? null : ROLES[role];
    const signIn = () => (role === null ? Promise.resolve(new ApiClient(api.url)) : ApiClient.signedIn(api.url, `as-${role}`, PASSWORD));
    const client = await signIn();
    const problems: string[] = [];
    const denials: { route: Route; id: string; status: number }[] = [];
    const mutations: { route: Route; id: string; status: number }[] = [];
    for (const route of routes) {
      const name = `${route.method} ${route.path}`;
      const sample = SAMPLES[name];
      const path = sample?.path ?? route.path.replace(/:[A-Za-z_]+/g, NO_SUCH_ID);
      const c = sample?.fresh ? await signIn() : client;
      const id = requestId(`${role ?? 'anon'}-${route.method}`);
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : (sample?.body ?? {});
      const r = await c.request(route.method, path, body, { 'x-request-id': id });
      const allowed = expectedAllowed(route, permissions, sample);
      if (allowed) {
        if (r.status === 403 || (sample && r.status !== sample.allowed)) problems.push(`${name}: expected ${sample?.allowed ?? 'not 403'}, got ${r.status} ${r.text}`);
        if (route.method !== 'GET' && route.policy.action) mutations.push({ route, id, status: r.status });
      } else {
        const want = role === null ? 401 : 403;
        if (r.status !== want) problems.push(`${name}: expected ${want}, got ${r.status}`);
        else denials.push({ route, id, status: want });
      }
    }
    // Denials go through the buffered writer: wait for all of them, then compare.
    const ids = [...denials, ...mutations].map((d) => d.id);
    await eventually(async () => {
      const rows = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM audit_log WHERE request_id = ANY($1)', [ids]);
      return Number(rows[0].n) >= ids.length;
    }).catch(() => undefined);
    for (const { route, id, status } of denials) {
      const rows = await db.byRequestId(id);
      const p = route.policy;
      const want = { action: p.action, decision: 'deny', result_code: status, user_id: role === null ? null : userIds.get(role) };
      const got = rows.map((x) => ({ action: x.action, decision: x.decision, result_code: x.result_code, user_id: x.user_id }));
      if (JSON.stringify(got) !== JSON.stringify([want])) problems.push(`${route.method} ${route.path}: deny row ${JSON.stringify(got)}`);
    }
    for (const { route, id, status } of mutations) {
      const rows = await db.byRequestId(id);
      const ok = rows.length === 1 && rows[0].action === route.policy.action && rows[0].result_code === status;
      if (!ok) problems.push(`${route.method} ${route.path}: allowed mutation row ${JSON.stringify(rows.map((x) => [x.action, x.decision, x.result_code]))}`);
    }
    return problems;
  }

  for (const role of Object.keys(ROLES)) {
    it(`should allow the ${role} role exactly what its permissions grant and record each denial`, async () => {
      expect(await drive(role)).toEqual([]);
    });
  }

  it('should answer 401 with a deny row on every non-public route when nobody is signed in', async () => {
    expect(await drive(null)).toEqual([]);
  });

  it('should let the auditor, and no other non-admin built-in role, read the audit log', () => {
    const audit = routes.find((r) => r.method === 'GET' && r.path === '/api/audit');
    expect(audit).toBeDefined();
    const readers = Object.keys(ROLES).filter((role) => audit && expectedAllowed(audit, ROLES[role], SAMPLES['GET /api/audit']));
    expect(readers).toEqual(['admin', 'auditor']);
  });
});
