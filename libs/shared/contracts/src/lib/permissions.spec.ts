import { decide, decideAll, globMatches, isValidPermission, scopePatterns } from './permissions';

const p = (...permissions: string[]) => ({ permissions });

describe('decide', () => {
  it.each([
    [['*:*:*'], 'view:audit', '*', true],
    [['view:job:*'], 'view:job', 'web01', true],
    [['view:job:web*'], 'view:job', 'web01', true],
    [['view:job:web*'], 'view:job', 'db01', false],
    [['view:job:web*'], 'view:key', 'web01', false],
    [['view:job:web*'], 'run:job', 'web01', false],
    [['run:job:web0?'], 'run:job', 'web01', true],
    [['run:job:web0?'], 'run:job', 'web010', false],
    [['manage:key:[ab]*'], 'manage:key', 'alpha', true],
    [['manage:key:[ab]*'], 'manage:key', 'cache', false],
    [['view:*:*'], 'view:minion', 'x', true],
    [['*:job:*'], 'kill:job', '*', true],
    [[], 'view:job', 'web01', false],
    [['garbage'], 'view:job', 'web01', false],
  ])('grants %j on %s:%s → %s', (grants, perm, resource, allowed) => {
    expect(decide(p(...grants), perm, resource).allowed).toBe(allowed);
  });

  it('should allow a kind-level check when any grant of that kind exists, however narrow', () => {
    expect(decide(p('view:job:web*'), 'view:job').allowed).toBe(true);
    expect(decide(p('view:key:web*'), 'view:job').allowed).toBe(false);
  });

  it('should say what is missing when it denies', () => {
    const d = decide(p('view:job:web*'), 'run:job', 'db01');
    expect(d).toEqual({ allowed: false, reason: 'missing run:job:db01' });
  });

  it('should require every resource to be allowed in decideAll', () => {
    expect(decideAll(p('run:job:web*'), 'run:job', ['web01', 'web02']).allowed).toBe(true);
    expect(decideAll(p('run:job:web*'), 'run:job', ['web01', 'db01']).allowed).toBe(false);
    expect(decideAll(p('run:job:*'), 'run:job', []).allowed).toBe(false);
  });
});

describe('globMatches', () => {
  it('should treat regex metacharacters literally', () => {
    expect(globMatches('web.example.com', 'web.example.com')).toBe(true);
    expect(globMatches('web.example.com', 'webXexampleXcom')).toBe(false);
    expect(globMatches('a+b', 'a+b')).toBe(true);
  });
});

describe('scopePatterns', () => {
  it('should collapse to * when any grant is unrestricted', () => {
    expect(scopePatterns(p('view:job:web*', 'view:*:*'), 'view:job')).toEqual(['*']);
    expect(scopePatterns(p('view:job:web*', 'view:job:db*', 'view:key:x'), 'view:job')).toEqual(['web*', 'db*']);
    expect(scopePatterns(p('view:key:x'), 'view:job')).toEqual([]);
  });
});

describe('isValidPermission', () => {
  it.each([
    ['view:job:*', true],
    ['*:*:*', true],
    ['view:audit:*', true],
    ['fly:job:*', false],
    ['view:jobs:*', false],
    ['run:audit:*', false],
    ['view:job', false],
    ['view:job:a b', false],
  ])('%s → %s', (perm, ok) => {
    expect(isValidPermission(perm)).toBe(ok);
  });
});
