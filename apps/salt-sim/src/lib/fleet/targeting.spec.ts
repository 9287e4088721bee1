import { Rng } from '../util/rng';
import { Fleet } from './fleet';
import { nodegroupWords, resolveTarget, TargetError } from './targeting';

describe('resolveTarget', () => {
  const fleet = new Fleet(new Rng('t'), 12);
  const short = (ids: string[]): string[] => ids.map((id) => id.split('.')[0]);

  it('should match ids with fnmatch when the target is a glob', () => {
    expect(short(resolveTarget(fleet, 'web0[1-2]*').minions)).toEqual(['web01', 'web02']);
    expect(short(resolveTarget(fleet, 'db0?.example.com').minions)).toEqual(['db01', 'db02']);
  });

  it('should report ids without an accepted key as missing when the target is a list', () => {
    const r = resolveTarget(fleet, ['db01.example.com', 'ghost01'], 'list');
    expect(r.minions).toEqual(['db01.example.com']);
    expect(r.missing).toEqual(['ghost01']);
    expect(r.tgt).toEqual(['db01.example.com', 'ghost01']);
    expect(resolveTarget(fleet, 'lb01.example.com,mon01.example.com', 'list').minions).toHaveLength(2);
  });

  it('should anchor pcre at the start only, like re.match', () => {
    expect(short(resolveTarget(fleet, 'app0[13]', 'pcre').minions)).toEqual(['app01', 'app03']);
    expect(resolveTarget(fleet, 'example', 'pcre').minions).toEqual([]);
  });

  it('should match grains, including list grains, when the target is a grain', () => {
    expect(short(resolveTarget(fleet, 'roles:db', 'grain').minions)).toEqual(['db01', 'db02']);
    expect(resolveTarget(fleet, 'os_family:Debian', 'grain').minions.length).toBeGreaterThan(0);
  });

  it('should honour and/or/not precedence when the target is compound', () => {
    expect(short(resolveTarget(fleet, 'web* or db* and G@roles:db', 'compound').minions)).toEqual(['db01', 'db02', 'web01', 'web02', 'web03', 'web04']);
    expect(short(resolveTarget(fleet, '( web* or db* ) and not G@roles:web', 'compound').minions)).toEqual(['db01', 'db02']);
    expect(short(resolveTarget(fleet, 'L@lb01.example.com,nope or E@^mon', 'compound').minions)).toEqual(['lb01', 'mon01']);
    expect(short(resolveTarget(fleet, 'S@10.0.3.0/24', 'compound').minions)).toEqual(['db01', 'db02']);
  });

  it('should expand a nodegroup into compound words when publishing', () => {
    const r = resolveTarget(fleet, 'prod_web', 'nodegroup');
    expect(r.tgtType).toBe('compound');
    expect(r.tgt).toEqual(['(', 'G@roles:web', ')', 'and', 'G@env:prod']);
    expect(r.minions.every((id) => id.startsWith('web'))).toBe(true);
    expect(nodegroupWords('frontend', fleet.nodegroups)).toEqual(['web*', 'or', 'lb*']);
  });

  it('should throw a TargetError when the nodegroup or target type is unknown', () => {
    expect(() => resolveTarget(fleet, 'nope', 'nodegroup')).toThrow(TargetError);
    expect(() => resolveTarget(fleet, 'x', 'range')).toThrow(TargetError);
  });
});
