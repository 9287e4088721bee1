import { decide } from '@sylvite/contracts';
import { assignProject, membershipGrants, roleRank } from './project-rules';

const alpha = { slug: 'alpha', patterns: ['web*', 'db01'], archived: false };

describe('membershipGrants', () => {
  it('should grant view job, key and minion over every project pattern when the role is viewer', () => {
    const g = membershipGrants({ ...alpha, role: 'viewer' });
    expect(g.sort()).toEqual(
      ['view:job:web*', 'view:job:db01', 'view:key:web*', 'view:key:db01', 'view:minion:web*', 'view:minion:db01'].sort(),
    );
  });

  it('should add run:job and manage:key but nothing administrative when the role is operator', () => {
    const g = membershipGrants({ ...alpha, role: 'operator' });
    expect(g).toEqual(expect.arrayContaining(['run:job:web*', 'run:job:db01', 'manage:key:web*', 'manage:key:db01']));
    expect(g.some((p) => p.startsWith('view:audit') || p.startsWith('manage:project') || p.startsWith('kill:'))).toBe(false);
  });

  it('should add the project-scoped audit and management grants when the role is admin', () => {
    const g = membershipGrants({ ...alpha, role: 'admin' });
    expect(g).toEqual(expect.arrayContaining(['view:audit:alpha', 'manage:project:alpha', 'run:job:web*']));
  });

  it('should keep only the audit grant when the project is archived', () => {
    expect(membershipGrants({ ...alpha, archived: true, role: 'admin' })).toEqual(['view:audit:alpha']);
    expect(membershipGrants({ ...alpha, archived: true, role: 'operator' })).toEqual([]);
  });

  it('should scope minion decisions to the project patterns when decide() evaluates them', () => {
    const principal = { permissions: membershipGrants({ ...alpha, role: 'operator' }) };
    expect(decide(principal, 'run:job', 'web07').allowed).toBe(true);
    expect(decide(principal, 'run:job', 'db01').allowed).toBe(true);
    expect(decide(principal, 'run:job', 'db02').allowed).toBe(false);
    expect(decide(principal, 'view:minion', 'mail01').allowed).toBe(false);
  });

  it('should never satisfy the global audit or project routes when the grant is project-scoped', () => {
    const principal = { permissions: membershipGrants({ ...alpha, role: 'admin' }) };
    expect(decide(principal, 'view:audit', '*').allowed).toBe(false);
    expect(decide(principal, 'manage:project', '*').allowed).toBe(false);
    expect(decide(principal, 'manage:project', 'beta').allowed).toBe(false);
    expect(decide(principal, 'manage:project', 'alpha').allowed).toBe(true);
    expect(decide(principal, 'view:audit', 'alpha').allowed).toBe(true);
  });

  it('should order roles viewer < operator < admin when ranked', () => {
    expect(roleRank('viewer')).toBeLessThan(roleRank('operator'));
    expect(roleRank('operator')).toBeLessThan(roleRank('admin'));
  });
});

describe('assignProject', () => {
  const projects = [
    { id: 'p-web', patterns: ['web*'] },
    { id: 'p-db', patterns: ['db01', 'db02'] },
    { id: 'p-eu', patterns: ['*-eu'] },
  ];

  it('should give the one project whose patterns match every minion when exactly one does', () => {
    expect(assignProject(projects, ['web01', 'web02'])).toEqual(['p-web']);
    expect(assignProject(projects, ['db02'])).toEqual(['p-db']);
  });

  it('should be fleet-wide when the minions span several projects', () => {
    expect(assignProject(projects, ['web01', 'db01'])).toEqual([]);
  });

  it('should be fleet-wide when several projects match every minion', () => {
    expect(assignProject(projects, ['web01-eu'])).toEqual([]);
  });

  it('should be fleet-wide when no project matches or no minion was touched', () => {
    expect(assignProject(projects, ['mail01'])).toEqual([]);
    expect(assignProject(projects, [])).toEqual([]);
    expect(assignProject(projects, undefined)).toEqual([]);
  });
});
