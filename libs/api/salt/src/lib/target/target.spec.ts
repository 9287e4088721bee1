import {
  expressionWithinGrant, grainTargetMatches, inMinionScope, listIds, outsideGrant, pcreRegExp, resolveAgainstKeys,
} from './target';

const KEYS = ['web01', 'web02', 'db01', 'webapp', 'cache01'];

describe('resolveAgainstKeys', () => {
  it('should match a glob against the accepted keys when the target is a glob', () => {
    expect(resolveAgainstKeys('web*', 'glob', KEYS)).toEqual({ minions: ['web01', 'web02', 'webapp'], missing: [] });
    expect(resolveAgainstKeys('web0[12]', 'glob', KEYS)?.minions).toEqual(['web01', 'web02']);
    expect(resolveAgainstKeys('*', 'glob', KEYS)?.minions).toHaveLength(5);
  });

  it('should anchor a pcre at the start only when the target is a pcre, as re.match does', () => {
    expect(resolveAgainstKeys('web0\\d', 'pcre', KEYS)?.minions).toEqual(['web01', 'web02']);
    expect(resolveAgainstKeys('eb', 'pcre', KEYS)?.minions).toEqual([]);
    expect(resolveAgainstKeys('db|cache', 'pcre', KEYS)?.minions).toEqual(['cache01', 'db01']);
  });

  it('should split accepted and missing ids when the target is a list string or array', () => {
    expect(resolveAgainstKeys('web01, db01,nope', 'list', KEYS)).toEqual({ minions: ['db01', 'web01'], missing: ['nope'] });
    expect(resolveAgainstKeys(['web02', 'web02'], 'list', KEYS)).toEqual({ minions: ['web02'], missing: [] });
  });

  it('should leave grain, nodegroup and compound targets to the master when asked to resolve them', () => {
    expect(resolveAgainstKeys('os:Debian', 'grain', KEYS)).toBeNull();
    expect(resolveAgainstKeys('webservers', 'nodegroup', KEYS)).toBeNull();
    expect(resolveAgainstKeys('G@os:Debian and web*', 'compound', KEYS)).toBeNull();
  });

  it('should refuse to resolve when a pcre does not compile', () => {
    expect(pcreRegExp('web(')).toBeNull();
    expect(resolveAgainstKeys('web(', 'pcre', KEYS)).toBeNull();
  });
});

describe('listIds', () => {
  it('should drop blanks and duplicates when the list has them', () => {
    expect(listIds(' a, b,,a ')).toEqual(['a', 'b']);
  });
});

describe('grainTargetMatches', () => {
  const grains = { os: 'Debian', roles: ['web', 'edge'], ip4_interfaces: { eth0: ['10.0.1.10'] }, virtual: true };

  it('should glob-match a grain value or any element of a list grain when the grain exists', () => {
    expect(grainTargetMatches(grains, 'os:Deb*')).toBe(true);
    expect(grainTargetMatches(grains, 'roles:edge')).toBe(true);
    expect(grainTargetMatches(grains, 'ip4_interfaces:eth0:10.0.1.*')).toBe(true);
    expect(grainTargetMatches(grains, 'virtual:True')).toBe(true);
  });

  it('should not match when the grain is absent, differs or the expression has no value', () => {
    expect(grainTargetMatches(grains, 'os:Rocky')).toBe(false);
    expect(grainTargetMatches(grains, 'kernel:Linux')).toBe(false);
    expect(grainTargetMatches(grains, 'os')).toBe(false);
    expect(grainTargetMatches(grains, 'ip4_interfaces:10.0.1.10')).toBe(false);
  });
});

describe('outsideGrant (target-in-grant)', () => {
  const web = { permissions: ['run:job:web*', 'view:job:*'] };

  it('should allow every minion when each matches a run:job grant', () => {
    expect(outsideGrant(web, 'run:job', ['web01', 'webapp'])).toEqual([]);
  });

  it('should name the minions outside the grant when a target reaches beyond it', () => {
    expect(outsideGrant(web, 'run:job', ['web01', 'db01', 'cache01'])).toEqual(['db01', 'cache01']);
  });

  it('should refuse everything when the caller only views jobs', () => {
    expect(outsideGrant({ permissions: ['view:job:*'] }, 'run:job', ['web01'])).toEqual(['web01']);
  });

  it('should allow any minion when the grant is a wildcard of verb or type', () => {
    expect(outsideGrant({ permissions: ['*:*:*'] }, 'run:job', ['db01'])).toEqual([]);
    expect(outsideGrant({ permissions: ['run:*:db*'] }, 'run:job', ['db01', 'web01'])).toEqual(['web01']);
  });

  it('should union several grants when the caller holds more than one pattern', () => {
    expect(outsideGrant({ permissions: ['run:job:web*', 'run:job:db0[1]'] }, 'run:job', ['web02', 'db01', 'db02'])).toEqual(['db02']);
  });
});

describe('expressionWithinGrant', () => {
  it('should trust any expression when the grant is unrestricted', () => {
    expect(expressionWithinGrant('G@os:Debian', 'compound', ['*'])).toBe(true);
  });

  it('should keep a glob whose literal start lies inside a prefix grant', () => {
    expect(expressionWithinGrant('web*', 'glob', ['web*'])).toBe(true);
    expect(expressionWithinGrant('web0[1-3]', 'glob', ['web*'])).toBe(true);
    expect(expressionWithinGrant('web01', 'glob', ['web*'])).toBe(true);
  });

  it('should not trust a glob that could reach beyond the grant', () => {
    expect(expressionWithinGrant('we*', 'glob', ['web*'])).toBe(false);
    expect(expressionWithinGrant('*', 'glob', ['web*'])).toBe(false);
    expect(expressionWithinGrant('web*', 'glob', ['web0?'])).toBe(false);
    expect(expressionWithinGrant('web*', 'glob', ['w[e]b*'])).toBe(false);
  });

  it('should keep a list only when every id is literal and inside the grant', () => {
    expect(expressionWithinGrant('web01,web02', 'list', ['web*'])).toBe(true);
    expect(expressionWithinGrant(['web01', 'db01'], 'list', ['web*'])).toBe(false);
    expect(expressionWithinGrant('', 'list', ['web*'])).toBe(false);
  });

  it('should never trust pcre, grain, nodegroup or compound expressions under a narrow grant', () => {
    for (const type of ['pcre', 'grain', 'nodegroup', 'compound'] as const) expect(expressionWithinGrant('web.*', type, ['web*'])).toBe(false);
  });
});

describe('inMinionScope', () => {
  it('should see every minion with an unrestricted scope and only matching ones otherwise', () => {
    expect(inMinionScope('*', 'db01')).toBe(true);
    expect(inMinionScope(['web*'], 'web01')).toBe(true);
    expect(inMinionScope(['web*'], 'db01')).toBe(false);
  });
});
