import { corpus, shapeOf } from '../../testing/corpus';
import { Fleet } from '../fleet/fleet';
import { Rng } from '../util/rng';
import { runStates } from './states';

const C = corpus();
const db21 = C[21].data['return'] as Record<string, Record<string, unknown>>;

describe('runStates', () => {
  const fleet = new Fleet(new Rng('s'), 12);
  const db = fleet.minions.get('db01.example.com');
  if (!db) throw new Error('fixture: db01 missing');

  it('should return only successful, unchanged states when the run is routine', () => {
    const r = runStates(db, new Rng(1), { fun: 'state.apply', mods: null, test: false, startUs: Date.now() * 1000, mode: 'ok' });
    const entries = Object.values(r.ret as Record<string, Record<string, unknown>>);
    expect(r.retcode).toBe(0);
    expect(entries.every((e) => e['result'] === true && Object.keys(e['changes'] as object).length === 0)).toBe(true);
    expect(Object.keys(r.ret as object)[0]).toMatch(/^pkg_\|-base-packages_\|-base-packages_\|-installed$/);
    expect(entries.map((e) => e['__run_num__'])).toEqual(entries.map((_e, i) => i));
    expect(entries.every((e) => typeof e['duration'] === 'number' && /^\d\d:\d\d:\d\d\.\d{6}$/.test(String(e['start_time'])))).toBe(true);
  });

  it('should fail with retcode 2 and requisite failures shaped like line 21 when a required state fails', () => {
    const rng = new Rng(2);
    let requisite: Record<string, unknown> | undefined;
    let failed: Record<string, unknown> | undefined;
    for (let i = 0; i < 50 && !requisite; i++) {
      const r = runStates(db, rng, { fun: 'state.sls', mods: ['postgres'], test: false, startUs: Date.now() * 1000, mode: 'fail' });
      expect(r.retcode).toBe(2);
      const entries = Object.values(r.ret as Record<string, Record<string, unknown>>);
      requisite = entries.find((e) => String(e['comment']).startsWith('One or more requisite failed'));
      failed = entries.find((e) => e['result'] === false && e !== requisite);
    }
    expect(shapeOf(requisite)).toEqual(shapeOf(db21['service_|-postgresql-service_|-postgresql_|-running']));
    expect(shapeOf(failed)).toEqual(shapeOf(db21['pkg_|-postgresql_|-postgresql-15_|-installed']));
  });

  it('should answer the list-form errors with their retcodes when pillar or sls lookup fails', () => {
    const pillar = runStates(db, new Rng(3), { fun: 'state.apply', mods: null, test: false, startUs: 0, mode: 'pillar' });
    expect(pillar.retcode).toBe(5);
    expect(pillar.ret).toEqual(expect.arrayContaining(['Pillar failed to render with the following messages:']));
    const missing = runStates(db, new Rng(3), { fun: 'state.sls', mods: ['nginx'], test: false, startUs: 0 });
    expect(missing).toMatchObject({ retcode: 1, ret: ["No matching sls found for 'nginx' in env 'base'"] });
  });
});
