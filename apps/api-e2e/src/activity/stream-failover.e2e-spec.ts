import { Client } from 'pg';
import { ApiClient, eventually } from '../support/client';
import { ADMIN_PASSWORD, startApi, startSaltSim, type Api, type SaltSim } from '../support/processes';
import { SseReader } from './sse';

/**
 * Issue 4, "Beyond one process": two api processes on one database, one holding the salt-api
 * stream. A browser on the other keeps receiving every stored row when the leader dies: the
 * survivor relays the leader's batches (LISTEN/NOTIFY) and then ingests them itself.
 */
describe('the activity stream on two api processes when the leader dies', () => {
  let sim: SaltSim;
  let one: Api;
  let two: Api;
  let db: Client;
  const readers: SseReader[] = [];

  const stream = async (api: Api): Promise<SseReader> => {
    const admin = await ApiClient.signedIn(api.url, 'admin', ADMIN_PASSWORD);
    const r = await SseReader.open(`${api.url}/api/activity/stream`, { cookie: `sylvite_session=${admin.cookie('sylvite_session')}` });
    readers.push(r);
    expect(r.status).toBe(200);
    return r;
  };
  const byId = (ids: string[]): string[] => [...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
  const storedIds = async (from: string): Promise<string[]> =>
    (await db.query<{ id: string }>('SELECT e.id::text AS id FROM activity_events e WHERE e.id >= $1 ORDER BY e.id', [from])).rows.map((r) => r.id);
  const maxId = async (): Promise<string> =>
    (await db.query<{ id: string | null }>('SELECT max(id)::text AS id FROM activity_events')).rows[0].id ?? '0';

  beforeAll(async () => {
    sim = await startSaltSim(['--no-life', '--rate', '15']);
    const env = {
      SALT_API_URL: sim.url, SALT_API_USERNAME: sim.user, SALT_API_PASSWORD: sim.password, SALT_API_EAUTH: 'auto',
      SYLVITE_EVENT_STREAM: 'true',
    };
    one = await startApi({ env });
    if (!one.db) throw new Error('expected a database');
    two = await startApi({ env, reuse: one.db });
    db = new Client({ connectionString: one.db.url });
    await db.connect();
  }, 120_000);

  afterAll(async () => {
    for (const r of readers) r.close();
    await db?.end();
    await two?.stop();
    await one?.stop();
    await sim?.stop();
    await one?.db?.drop();
  });

  it('should deliver every stored row exactly once to a client on the survivor', async () => {
    // Followers relay the leader's status too, so the lock holder is told by its log.
    const holds = (api: Api) => api.logs.some((l) => l.includes('this replica now holds the Salt stream'));
    const leader = await eventually(async () => (holds(one) !== holds(two) ? (holds(one) ? one : two) : null), 30_000, 100);
    const survivor = leader === one ? two : one;

    const client = await stream(survivor);
    await eventually(async () => client.activityIds.length >= 20, 30_000, 100).catch(async (err: Error) => {
      throw new Error(`${err.message}: the client got ${client.activityIds.length} rows, ${client.frames.length} frames; stored max ${await maxId()}`);
    });
    const first = client.activityIds[0];

    await leader.stop('SIGKILL');
    const atDeath = await maxId();
    // The survivor takes the lock within seconds and ingests itself; its client sees that too.
    await eventually(async () => client.state === 'connected' && BigInt(client.activityIds.at(-1) ?? '0') > BigInt(atDeath) + 20n, 60_000, 200);

    await sim.stop();
    // Quiet: nothing new stored for two seconds, and the client has caught up with the table.
    let last = await maxId();
    await eventually(async () => {
      const now = await maxId();
      const settled = now === last;
      last = now;
      return settled && client.activityIds.at(-1) === now;
    }, 30_000, 2000);

    // A late row (a no-return sweep, a reconcile) may still be stored after the quiet spell: compare
    // what the client holds with the table until they agree, then assert on that one snapshot.
    let received: string[] = [];
    let stored: string[] = [];
    await eventually(async () => {
      stored = await storedIds(first);
      received = [...client.activityIds];
      return received.length === stored.length && byId(received).every((id, i) => id === stored[i]);
    }, 15_000, 500).catch(() => undefined);
    expect(new Set(received).size).toBe(received.length);
    // Nothing lost, nothing twice. Order across the takeover is not asserted: rows the dying leader
    // and the new one commit around the switch may reach the client out of id order (known limit).
    expect(byId(received)).toEqual(stored);
  }, 180_000);
});
