import type { ErrorEnvelope } from '@sylvite/contracts';
import { tagged } from '../support/audit-db';
import { eventually } from '../support/client';
import { startSaltSim } from '../support/processes';
import { audited, SimControl, startOps, stopOps, type Ops } from './ops-support';

/**
 * salt-api down (503), salt-api refusing (502), and the audit store refusing (fail closed): each
 * refusal is audited as a deny with its status (or, fail-closed, not carried out at all), and
 * nothing reaches the master — then or later.
 */
describe('operations: salt-api down, salt-api errors and fail-closed', () => {
  let ops: Ops;

  beforeAll(async () => {
    ops = await startOps({ stream: false });
    await ops.db.query(`
      CREATE FUNCTION e2e_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.action = TG_ARGV[0] THEN
          RAISE EXCEPTION 'audit store unavailable (e2e: %)', NEW.action;
        END IF;
        RETURN NEW;
      END $$`);
  });

  afterAll(async () => {
    await stopOps(ops);
  });

  async function refusing<T>(action: string, fn: () => Promise<T>): Promise<T> {
    await ops.db.query(`CREATE TRIGGER e2e_refuse BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION e2e_refuse_audit('${action}')`);
    try {
      return await fn();
    } finally {
      await ops.db.query('DROP TRIGGER IF EXISTS e2e_refuse ON audit_log');
    }
  }

  describe('fail closed', () => {
    it('should answer 503 and publish no job when the salt.run audit row cannot be written', async () => {
      const before = await ops.control.published();
      const { id, headers } = tagged('closed-run');
      const res = await refusing('salt.run', () => ops.as['olga'].post<ErrorEnvelope>('/api/run', { target: 'web*', fun: 'test.ping' }, headers));
      expect([res.status, res.body.message]).toEqual([503, expect.stringMatching(/audit log unavailable/)]);
      await new Promise((r) => setTimeout(r, 300));
      expect(await ops.control.published()).toBe(before);
      expect(Object.values(await ops.control.jobs()).filter((j) => j.Function === 'test.ping')).toEqual([]);
      expect(await ops.db.byRequestId(id)).toEqual([]);
    });

    it('should answer 503 and leave the key pending when the key.accept audit row cannot be written', async () => {
      await ops.control.control('minions', { id: 'closed01.example.com' });
      await eventually(async () => (await ops.control.keys()).minions_pre.includes('closed01.example.com'));
      const res = await refusing('key.accept', () => ops.as['olga'].post<ErrorEnvelope>('/api/keys/closed01.example.com/accept'));
      expect(res.status).toBe(503);
      expect((await ops.control.keys()).minions_pre).toContain('closed01.example.com');
    });

    it('should answer 503 and leave the job running when the job.kill audit row cannot be written', async () => {
      const job = await ops.as['olga'].post<{ jid: string }>('/api/run', { target: 'cache01.example.com', fun: 'test.sleep', args: [20] });
      expect(job.status).toBe(202);
      // The minion picks a job up 4–60 ms after it is published: kill only what is running.
      const runningOn = async () =>
        (await ops.control.control<{ minions: { id: string; running: string[] }[] }>('state')).minions.find((m) => m.id === 'cache01.example.com')?.running ?? [];
      await eventually(async () => (await runningOn()).includes(job.body.jid));
      const before = await ops.control.published();
      const res = await refusing('job.kill', () => ops.as['olga'].post(`/api/jobs/${job.body.jid}/kill`));
      expect(res.status).toBe(503);
      expect(await ops.control.published()).toBe(before);
      expect(await runningOn()).toContain(job.body.jid);
    });
  });

  describe('salt-api refusing', () => {
    it('should answer 502 with salt-api\'s message, audited as deny, when salt-api refuses the login', async () => {
      expect((await ops.admin.patch('/api/admin/settings/salt', { password: 'not-the-password' })).status).toBe(200);
      try {
        const { res, row } = await eventually(async () => {
          const r = await audited(ops.db, 'run-502', (h) => ops.as['olga'].post<ErrorEnvelope>('/api/run', { target: 'web01.example.com', fun: 'test.ping' }, h));
          return r.res.status === 502 ? r : null;
        }, 10_000, 200);
        expect(res.body.message).toMatch(/^salt-api \/login answered 401/);
        expect(await row()).toMatchObject({ action: 'salt.run', decision: 'deny', result_code: 502, salt_jid: null });
        const keys = await ops.as['olga'].get<ErrorEnvelope>('/api/keys');
        expect(keys.status).toBe(502);
      } finally {
        expect((await ops.admin.patch('/api/admin/settings/salt', { password: ops.sim.password })).status).toBe(200);
      }
      await eventually(async () => (await ops.as['olga'].get('/api/keys')).status === 200, 10_000, 200);
    });
  });

  describe('salt-api down', () => {
    it('should answer 503 "salt-api unreachable", audit it as deny, and not dispatch it when salt-api comes back', async () => {
      const port = new URL(ops.sim.url).port;
      await ops.sim.stop();
      const { res, row } = await audited(ops.db, 'run-down', (h) => ops.as['olga'].post<ErrorEnvelope>('/api/run', { target: 'web01.example.com', fun: 'test.echo', args: ['once'] }, h));
      expect([res.status, res.body.message]).toEqual([503, expect.stringMatching(/^salt-api unreachable: /)]);
      expect(await row()).toMatchObject({ action: 'salt.run', decision: 'deny', result_code: 503, salt_jid: null });

      const accept = await audited(ops.db, 'accept-down', (h) => ops.as['olga'].post<ErrorEnvelope>('/api/keys/web01.example.com/reject', {}, h));
      expect(accept.res.status).toBe(503);
      expect(await accept.row()).toMatchObject({ action: 'key.reject', decision: 'deny', result_code: 503 });
      expect((await ops.as['olga'].get('/api/minions')).status).toBe(503);

      // salt-api back on the same address, with its sessions gone (a restart): nothing was queued or retried.
      ops.sim = await startSaltSim(['--no-life', '--port', port]);
      ops.control = new SimControl(ops.sim);
      await new Promise((r) => setTimeout(r, 1000));
      expect(Object.values(await ops.control.jobs()).filter((j) => j.Function === 'test.echo')).toEqual([]);

      // The old session token is unknown to the new salt-api: one re-login, then exactly one job.
      const again = await ops.as['olga'].post<{ jid: string }>('/api/run', { target: 'web01.example.com', fun: 'test.echo', args: ['once'] });
      expect(again.status).toBe(202);
      const echo = Object.entries(await ops.control.jobs()).filter(([, j]) => j.Function === 'test.echo');
      expect(echo.map(([jid]) => jid)).toEqual([again.body.jid]);
    });
  });
});
