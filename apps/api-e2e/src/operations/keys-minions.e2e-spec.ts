import type { ErrorEnvelope } from '@sylvite/contracts';
import { eventually } from '../support/client';
import { activityOf, audited, startOps, stopOps, type Ops } from './ops-support';

interface Keys {
  accepted: string[];
  pending: string[];
  rejected: string[];
  denied: string[];
}
interface Minion {
  id: string;
  key_state: string;
  status: string;
  last_seen: string | null;
  os: string | null;
  os_release: string | null;
  ip: string | null;
  last_job: { jid: string; fun: string } | null;
  last_highstate: { jid: string; outcome: string | null } | null;
}
interface MinionsPage {
  items: Minion[];
  total: number;
}

describe('operations: keys and minions against salt-sim', () => {
  let ops: Ops;

  beforeAll(async () => {
    ops = await startOps();
  });

  afterAll(async () => {
    await stopOps(ops);
  });

  const keyRows = (id: string, type: string) =>
    eventually(async () => {
      const rows = (await activityOf(ops.admin, `category=key&minion_id=${encodeURIComponent(id)}`)).filter((r) => r.event_type === type);
      return rows.length ? rows : null;
    }, 10_000, 100);

  describe('keys', () => {
    it('should list keys by state, narrowed to the caller\'s view:key grant', async () => {
      await ops.control.control('minions', { id: 'new01.example.com' });
      await ops.control.control('minions', { id: 'web99.example.com' });
      const all = await eventually(async () => {
        const r = await ops.admin.get<Keys>('/api/keys');
        return r.body.pending?.length === 2 ? r.body : null;
      });
      expect(all.accepted).toContain('db01.example.com');
      expect(all.pending).toEqual(['new01.example.com', 'web99.example.com']);
      expect(all).toMatchObject({ rejected: [], denied: [] });
      const web = (await ops.as['wendy'].get<Keys>('/api/keys')).body;
      expect(web.pending).toEqual(['web99.example.com']);
      expect(web.accepted.every((id) => id.startsWith('web'))).toBe(true);
      expect((await ops.as['nobody'].get('/api/keys')).status).toBe(403);
    });

    it('should accept a pending key through the wheel, audited as key.accept, and cause a key.accept activity row', async () => {
      const { res, row } = await audited(ops.db, 'key-accept', (h) => ops.as['olga'].post('/api/keys/new01.example.com/accept', {}, h));
      expect([res.status, res.body]).toEqual([200, { id: 'new01.example.com', previous_states: ['pending'], state: 'accepted' }]);
      expect(await row()).toMatchObject({ action: 'key.accept', decision: 'allow', result_code: 200, resource: 'key:new01.example.com' });
      expect((await ops.control.keys()).minions).toContain('new01.example.com');
      const [activity] = await keyRows('new01.example.com', 'key.accept');
      expect(activity.outcome).toBe('accepted');
    });

    it('should reject an accepted key, accept it back from rejected, and delete it, each with its activity row', async () => {
      const reject = await ops.as['olga'].post('/api/keys/new01.example.com/reject');
      expect([reject.status, reject.body]).toEqual([200, { id: 'new01.example.com', previous_states: ['accepted'], state: 'rejected' }]);
      await keyRows('new01.example.com', 'key.reject');

      const back = await ops.as['olga'].post('/api/keys/new01.example.com/accept');
      expect([back.status, back.body]).toEqual([200, { id: 'new01.example.com', previous_states: ['rejected'], state: 'accepted' }]);

      const { res, row } = await audited(ops.db, 'key-delete', (h) => ops.as['olga'].delete('/api/keys/new01.example.com', h));
      expect([res.status, res.body]).toEqual([200, { id: 'new01.example.com', previous_states: ['accepted'], state: 'deleted' }]);
      expect(await row()).toMatchObject({ action: 'key.delete', decision: 'allow', result_code: 200 });
      await keyRows('new01.example.com', 'key.delete');
      expect((await ops.admin.get<Keys>('/api/keys')).body.accepted).not.toContain('new01.example.com');
    });

    it('should accept a denied key that sits beside the accepted one (include_denied)', async () => {
      await ops.control.control('minions', { id: 'app01.example.com', state: 'denied' });
      const keys = await eventually(async () => {
        const r = (await ops.admin.get<Keys>('/api/keys')).body;
        return r.denied.includes('app01.example.com') ? r : null;
      });
      expect(keys.accepted).toContain('app01.example.com');
      const r = await ops.as['olga'].post('/api/keys/app01.example.com/accept');
      expect([r.status, r.body]).toEqual([200, { id: 'app01.example.com', previous_states: ['accepted', 'denied'], state: 'accepted' }]);
      expect((await ops.control.keys()).minions_denied).not.toContain('app01.example.com');
    });

    it('should answer 404 for no such key, 409 when it is already there, 400 for a pattern id', async () => {
      expect((await ops.as['olga'].post('/api/keys/ghost.example.com/accept')).status).toBe(404);
      const again = await ops.as['olga'].post<ErrorEnvelope>('/api/keys/db01.example.com/accept');
      expect([again.status, again.body.message]).toEqual([409, 'the key of db01.example.com is already accepted']);
      const before = await ops.control.keys();
      const glob = await ops.as['olga'].post<ErrorEnvelope>(`/api/keys/${encodeURIComponent('web*')}/reject`);
      expect([glob.status, glob.body.message]).toEqual([400, expect.stringMatching(/^id: /)]);
      expect(await ops.control.keys()).toEqual(before);
    });

    it('should decide manage:key on the key id: web* may act on web keys only, viewers on none, each denial audited', async () => {
      const own = await ops.as['webby'].post('/api/keys/web99.example.com/accept');
      expect(own.status).toBe(200);
      for (const [user, path] of [['webby', '/api/keys/db02.example.com/reject'], ['vic', '/api/keys/web99.example.com/reject']] as const) {
        const { res, row } = await audited(ops.db, 'key-denied', (h) => ops.as[user].post(path, {}, h));
        expect(res.status).toBe(403);
        expect(await row()).toMatchObject({ action: 'key.reject', decision: 'deny', result_code: 403 });
      }
      const { res, row } = await audited(ops.db, 'key-delete-denied', (h) => ops.as['webby'].delete('/api/keys/db02.example.com', h));
      expect(res.status).toBe(403);
      expect(await row()).toMatchObject({ action: 'key.delete', decision: 'deny' });
      expect((await ops.control.keys()).minions).toEqual(expect.arrayContaining(['db02.example.com', 'web99.example.com']));
    });
  });

  describe('minions', () => {
    it('should list every minion with key state, presence, os and ip', async () => {
      // The first grains load waits for GET /minions, which waits for minions that do not answer (web99 re-authenticating).
      const r = await eventually(async () => {
        const page = await ops.admin.get<MinionsPage>('/api/minions');
        return page.body.items?.some((m) => m.os !== null) ? page : null;
      }, 30_000, 500);
      expect(r.status).toBe(200);
      const web01 = r.body.items.find((m) => m.id === 'web01.example.com');
      expect(web01).toMatchObject({ key_state: 'accepted', status: 'online', os: expect.any(String), ip: expect.stringMatching(/^10\.0\.1\.\d+$/) });
      expect(r.body.total).toBe(r.body.items.length);
      expect(r.body.items.map((m) => m.id)).toEqual([...r.body.items.map((m) => m.id)].sort());
    });

    it('should search by id, os and ip, and filter by status and key state', async () => {
      const ids = async (q: string) => (await ops.admin.get<MinionsPage>(`/api/minions?${q}`)).body.items.map((m) => m.id);
      expect(await ids('q=web0')).toEqual(['web01.example.com', 'web02.example.com', 'web03.example.com', 'web04.example.com']);
      expect(await ids('id=db*')).toEqual(['db01.example.com', 'db02.example.com']);
      const debian = (await ops.admin.get<MinionsPage>('/api/minions?os=debian')).body.items;
      expect(debian.length).toBeGreaterThan(0);
      expect(debian.every((m) => m.os === 'Debian')).toBe(true);
      expect(await ids('ip=10.0.3.')).toEqual(['db01.example.com', 'db02.example.com']);
      expect(await ids('q=10.0.3.')).toEqual(['db01.example.com', 'db02.example.com']);
      await ops.control.control('minions/mon01.example.com/down', {});
      try {
        const offline = await eventually(async () => {
          const list = await ids('status=offline&key_state=accepted');
          return list.includes('mon01.example.com') ? list : null;
        }, 30_000, 500);
        expect(offline).toEqual(['mon01.example.com']);
      } finally {
        await ops.control.control('minions/mon01.example.com/up', {});
      }
      expect((await ops.admin.get<ErrorEnvelope>('/api/minions?status=sleepy')).body.message).toMatch(/^status: /);
    });

    it('should show a minion with its grains, last job and last highstate', async () => {
      const hs = await ops.as['olga'].post<{ jid: string }>('/api/run', { target: 'lb01.example.com', fun: 'state.highstate' });
      expect(hs.status).toBe(202);
      const m = await eventually(async () => {
        const r = await ops.admin.get<Minion & { grains: Record<string, unknown>; recent_jobs: { jid: string }[] }>('/api/minions/lb01.example.com');
        return r.body.last_highstate?.outcome ? r.body : null;
      }, 15_000, 200);
      expect(m).toMatchObject({ id: 'lb01.example.com', key_state: 'accepted', last_job: { jid: hs.body.jid, fun: 'state.highstate' }, last_highstate: { jid: hs.body.jid } });
      expect(m.grains).toMatchObject({ id: 'lb01.example.com', os: m.os });
      expect(m.recent_jobs[0].jid).toBe(hs.body.jid);
      expect((await ops.admin.get('/api/minions/ghost.example.com')).status).toBe(404);
    });

    it('should scope minions to the caller\'s view:minion grant', async () => {
      const web = (await ops.as['wendy'].get<MinionsPage>('/api/minions')).body.items;
      expect(web.length).toBeGreaterThan(0);
      expect(web.every((m) => m.id.startsWith('web'))).toBe(true);
      const { res, row } = await audited(ops.db, 'minion-denied', (h) => ops.as['wendy'].get('/api/minions/db01.example.com', h));
      expect(res.status).toBe(403);
      expect(await row()).toMatchObject({ action: 'minion.read', decision: 'deny', result_code: 403 });
      expect((await ops.as['nobody'].get('/api/minions')).status).toBe(403);
    });
  });
});
