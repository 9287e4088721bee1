import { activityScopeFor, inScope, narrowScope, scopeCategories, scopeKey, scopePrefixes, scopeRegexes, type ScopedRow } from './activity-scope';

const row = (over: Partial<ScopedRow>): ScopedRow => ({ category: 'job', minion_id: 'web01', target: null, ...over });

describe('activityScopeFor', () => {
  it('should grant every minion of every category when the caller is an admin', () => {
    expect(activityScopeFor({ permissions: ['*:*:*'] })).toEqual({ job: '*', key: '*', minion: '*' });
  });

  it('should keep only the categories granted when the caller holds some view grants', () => {
    expect(activityScopeFor({ permissions: ['view:job:*', 'run:job:*'] })).toEqual({ job: '*' });
  });

  it('should keep the globs sorted when a grant is narrower than *', () => {
    expect(activityScopeFor({ permissions: ['view:job:web*', 'view:job:db?', 'view:key:*'] })).toEqual({ job: ['db?', 'web*'], key: '*' });
  });

  it('should let * win over narrower globs when both are granted', () => {
    expect(activityScopeFor({ permissions: ['view:minion:web*', 'view:minion:*'] })).toEqual({ minion: '*' });
  });

  it('should grant nothing when the caller holds no view grant', () => {
    expect(scopeCategories(activityScopeFor({ permissions: ['view:audit:*', 'manage:key:*'] }))).toEqual([]);
  });
});

describe('narrowScope', () => {
  it('should intersect the scope with every category filter when several are given', () => {
    const scope = activityScopeFor({ permissions: ['view:job:*', 'view:key:*'] });
    expect(narrowScope(scope, ['job', 'minion'])).toEqual({ job: '*' });
    expect(narrowScope(scope, ['job'], ['key'])).toEqual({});
    expect(narrowScope(scope, undefined, undefined)).toEqual(scope);
  });
});

describe('scopeKey', () => {
  it('should be equal for equal scopes and differ when a glob differs', () => {
    const a = activityScopeFor({ permissions: ['view:job:web*', 'view:job:db*'] });
    const b = activityScopeFor({ permissions: ['view:job:db*', 'view:job:web*'] });
    const c = activityScopeFor({ permissions: ['view:job:web*'] });
    expect(scopeKey(a)).toBe(scopeKey(b));
    expect(scopeKey(a)).not.toBe(scopeKey(c));
  });
});

describe('inScope', () => {
  const web = activityScopeFor({ permissions: ['view:job:web*', 'view:key:*'] });

  it('should match the row minion against the globs when the row names a minion', () => {
    expect(inScope(web, row({ minion_id: 'web01' }))).toBe(true);
    expect(inScope(web, row({ minion_id: 'db01' }))).toBe(false);
  });

  it('should hide a category the caller may not view when the minion would match', () => {
    expect(inScope(web, row({ category: 'minion', minion_id: 'web01' }))).toBe(false);
  });

  it('should show a dispatch when any expected minion is in scope', () => {
    expect(inScope(web, row({ minion_id: null, target: '*', minions: ['db01', 'web02'] }))).toBe(true);
    expect(inScope(web, row({ minion_id: null, target: '*', minions: ['db01'] }))).toBe(false);
  });

  it('should match the target or a list entry when a dispatch has no expected minions', () => {
    expect(inScope(web, row({ minion_id: null, target: 'db01,web03' }))).toBe(true);
    expect(inScope(web, row({ minion_id: null, target: 'web*' }))).toBe(true);
    expect(inScope(web, row({ minion_id: null, target: '*' }))).toBe(false);
  });

  it('should hide a row tied to no minion when the grant is narrower than *', () => {
    expect(inScope(web, row({ minion_id: null, target: null, minions: null }))).toBe(false);
    expect(inScope({ job: '*' }, row({ minion_id: null, target: null }))).toBe(true);
  });
});

describe('scopeRegexes', () => {
  it('should anchor globs the way decide() matches them when translated for SQL', () => {
    const [re] = scopeRegexes(['web[0-9].prod*']);
    expect(new RegExp(re).test('web1.prod-eu')).toBe(true);
    expect(new RegExp(re).test('web1xprod')).toBe(false);
    expect(new RegExp(re).test('xweb1.prod')).toBe(false);
  });
});

describe('scopePrefixes', () => {
  it('should give the literal text before the first wildcard of each glob', () => {
    expect(scopePrefixes(['web-04242*', 'db?1', 'app[12]', 'lb01.example.com'])).toEqual(['web-04242', 'db', 'app', 'lb01.example.com']);
  });

  it('should give no prefixes when any glob starts with a wildcard', () => {
    expect(scopePrefixes(['web*', '*.prod'])).toBeNull();
    expect(scopePrefixes(['?eb'])).toBeNull();
    expect(scopePrefixes(['[wx]eb'])).toBeNull();
  });
});
