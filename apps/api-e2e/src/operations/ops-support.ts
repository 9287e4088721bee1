import type { ActivityEventDto, ActivityPage } from '@sylvite/contracts';
import { AuditDb, tagged, type AuditRecord } from '../support/audit-db';
import { ApiClient, eventually } from '../support/client';
import { ADMIN_PASSWORD, startApi, startSaltSim, type Api, type SaltSim } from '../support/processes';

export const PASSWORD = 'long-enough-password';

/** Roles of the operations suites: web-only operators and viewers beside the built-ins. */
export const OPS_ROLES: Record<string, string[]> = {
  'web-operator': ['run:job:web*', 'view:job:web*', 'view:key:web*', 'view:minion:web*', 'manage:key:web*', 'kill:job:*'],
  'web-viewer': ['view:job:web*', 'view:key:web*', 'view:minion:web*'],
};

/** Users by the role they hold. */
export const OPS_USERS: Record<string, string[]> = {
  olga: ['operator'],
  vic: ['viewer'],
  webby: ['web-operator'],
  wendy: ['web-viewer'],
  nobody: [],
};

/** The simulator seen from the tests: its control API and its own salt-api. */
export class SimControl {
  private token: string | null = null;

  constructor(readonly sim: SaltSim) {}

  async control<T = Record<string, unknown>>(path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.sim.url}/_sim/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`/_sim/${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** Jobs published on the master so far (`salt/job/<jid>/new` events fired). */
  async published(): Promise<number> {
    const c = await this.control<{ events: { byKind: Record<string, number> } }>('counters');
    return c.events.byKind['job.new'] ?? 0;
  }

  /** The master's job cache as salt-api's `GET /jobs` lists it. */
  async jobs(): Promise<Record<string, { Function: string; Target: unknown; User: string; Metadata?: Record<string, unknown> }>> {
    const res = await this.salt('GET', '/jobs');
    return (res as { return: Record<string, never>[] }).return[0];
  }

  async keys(): Promise<{ minions: string[]; minions_pre: string[]; minions_rejected: string[]; minions_denied: string[] }> {
    return ((await this.salt('GET', '/keys')) as { return: never }).return;
  }

  private async salt(method: string, path: string): Promise<unknown> {
    if (!this.token) {
      const login = await fetch(`${this.sim.url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ username: this.sim.user, password: this.sim.password, eauth: 'auto' }),
      });
      this.token = ((await login.json()) as { return: { token: string }[] }).return[0].token;
    }
    const res = await fetch(`${this.sim.url}${path}`, { method, headers: { accept: 'application/json', 'x-auth-token': this.token } });
    if (!res.ok) throw new Error(`sim ${path}: ${res.status}`);
    return res.json();
  }
}

export interface Ops {
  sim: SaltSim;
  control: SimControl;
  api: Api;
  db: AuditDb;
  admin: ApiClient;
  as: Record<string, ApiClient>;
}

/** The simulator, the api pointed at it (stream on unless told), and the suite's users signed in. */
export async function startOps(opts: { stream?: boolean; env?: Record<string, string>; simArgs?: string[] } = {}): Promise<Ops> {
  const sim = await startSaltSim(opts.simArgs);
  const api = await startApi({
    env: {
      SALT_API_URL: sim.url,
      SALT_API_USERNAME: sim.user,
      SALT_API_PASSWORD: sim.password,
      SALT_API_EAUTH: 'auto',
      SYLVITE_EVENT_STREAM: opts.stream === false ? 'false' : 'true',
      ...opts.env,
    },
  });
  const db = await AuditDb.connect(api);
  const admin = await ApiClient.signedIn(api.url, 'admin', ADMIN_PASSWORD);
  for (const [name, permissions] of Object.entries(OPS_ROLES)) {
    const r = await admin.post('/api/roles', { name, permissions });
    if (r.status !== 201) throw new Error(`role ${name}: ${r.status} ${r.text}`);
  }
  const as: Record<string, ApiClient> = {};
  for (const [username, roles] of Object.entries(OPS_USERS)) {
    const r = await admin.post('/api/users', { username, password: PASSWORD, roles });
    if (r.status !== 201) throw new Error(`user ${username}: ${r.status} ${r.text}`);
    as[username] = await ApiClient.signedIn(api.url, username, PASSWORD);
  }
  const control = new SimControl(sim);
  if (opts.stream !== false) {
    // Jobs dispatched before the api holds its /events stream would reach the store only by reconciliation.
    await eventually(async () => (await control.control<{ streams: { open: number } }>('counters')).streams.open > 0, 20_000, 100);
  }
  return { sim, control, api, db, admin, as };
}

export async function stopOps(ops: Ops | undefined): Promise<void> {
  await ops?.db.close();
  await ops?.api.stop();
  await ops?.sim.stop();
}

/** The activity rows of a job, through GET /api/activity as the admin sees them. */
export async function activityOf(admin: ApiClient, query: string): Promise<ActivityEventDto[]> {
  const r = await admin.get<ActivityPage>(`/api/activity?${query}&limit=500`);
  if (r.status !== 200) throw new Error(`GET /api/activity?${query}: ${r.status} ${r.text}`);
  return r.body.events;
}

/** A request tagged with a fresh X-Request-Id; its one audit row once written. */
export async function audited<T>(
  db: AuditDb,
  label: string,
  send: (headers: Record<string, string>) => Promise<T>,
): Promise<{ res: T; row: () => Promise<AuditRecord> }> {
  const { id, headers } = tagged(label);
  const res = await send(headers);
  return { res, row: () => db.rowOf(id) };
}
