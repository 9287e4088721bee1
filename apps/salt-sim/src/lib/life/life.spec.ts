import { sleep } from '../../testing/http-client';
import { startSaltSim } from '../sim';

describe('fleet life', () => {
  it('should build the same fleet when the seed is the same, and another when it differs', async () => {
    const [a, b, c] = await Promise.all([
      startSaltSim({ port: 0, life: false, quiet: true, seed: 'same' }),
      startSaltSim({ port: 0, life: false, quiet: true, seed: 'same' }),
      startSaltSim({ port: 0, life: false, quiet: true, seed: 'other' }),
    ]);
    const grains = (s: typeof a): unknown => [...s.master.fleet.minions.values()].map((m) => [m.id, m.grains, m.pub]);
    expect(grains(a)).toEqual(grains(b));
    expect(grains(a)).not.toEqual(grains(c));
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  it('should run jobs, ask for a key and restart minions on its own when life is on', async () => {
    const sim = await startSaltSim({ port: 0, quiet: true, speed: 400, seed: 'lively' });
    const tags: string[] = [];
    const users = new Set<string>();
    sim.subscribe((f) => {
      tags.push(f.tag);
      const ev = JSON.parse(f.dataLine.slice(6)) as { data: Record<string, unknown> };
      if (/^salt\/job\/\d+\/new$/.test(f.tag)) users.add(String(ev.data['user']));
      if (f.tag === 'salt/auth') tags.push(`auth:${String(ev.data['act'] ?? 'none')}`);
    });
    await sleep(2500);
    await sim.close();
    expect(tags.some((t) => /^salt\/job\/\d+\/new$/.test(t))).toBe(true);
    expect(tags.some((t) => /^salt\/job\/\d+\/ret\//.test(t))).toBe(true);
    expect(tags.filter((t) => t === 'auth:pend').length).toBeGreaterThan(1);
    expect(tags).toContain('minion_start');
    expect([...users].every((u) => ['root', 'sudo_alice', 'sudo_bob'].includes(u))).toBe(true);
  });
});
