import { compareIds, effectiveScope, filterKey, rowMatcher, searchTextOf, type ActivityFilter, type ActivityRow } from './activity-filter';
import { anEvent } from './testing/factories';

const all = { job: '*', key: '*', minion: '*' } as const;
const matches = (filter: ActivityFilter, row: ActivityRow) => rowMatcher(effectiveScope(all, filter), filter)(row);

describe('rowMatcher', () => {
  it('should pass every row when no filter is set', () => {
    expect(matches({}, anEvent())).toBe(true);
  });

  it.each<[string, ActivityFilter, Partial<ActivityRow>, boolean]>([
    ['category', { category: 'key' }, {}, false],
    ['category', { category: 'job' }, {}, true],
    ['categories', { categories: ['key', 'minion'] }, {}, false],
    ['categories', { categories: ['key', 'job'] }, {}, true],
    ['minion_id', { minion_id: 'web02' }, {}, false],
    ['minion_id', { minion_id: 'web01' }, {}, true],
    ['event_type', { event_type: 'job.new' }, {}, false],
    ['jid', { jid: '1' }, {}, false],
    ['hide_dispatch', { hide_dispatch: true }, { event_type: 'job.new', outcome: 'dispatched', minion_id: null }, false],
    ['hide_dispatch', { hide_dispatch: true }, {}, true],
    ['hide_routine', { hide_routine: true }, {}, false],
    ['hide_routine', { hide_routine: true }, { outcome: 'changes' }, true],
    ['hide_routine', { hide_routine: true }, { outcome: 'failed', retcode: 2 }, true],
    ['search', { search: 'ALICE' }, {}, true],
    ['search', { search: 'web01 sudo' }, {}, false],
    ['search', { search: 'ok web01' }, {}, true],
    ['search', { search: 'bob' }, {}, false],
  ])('should apply %s when the filter is %j', (_name, filter, over, expected) => {
    expect(matches(filter, anEvent(over))).toBe(expected);
  });

  it('should apply the scope when the grant is narrower than *', () => {
    const filter: ActivityFilter = {};
    const m = rowMatcher({ job: ['db*'] }, filter);
    expect(m(anEvent())).toBe(false);
    expect(m(anEvent({ minion_id: 'db01' }))).toBe(true);
    expect(m(anEvent({ minion_id: null, event_type: 'job.new', minions: ['db01'] }))).toBe(true);
  });
});

describe('searchTextOf', () => {
  it('should join summary, minion, function, initiator and target in lower case when they are set', () => {
    expect(searchTextOf(anEvent({ initiator: null, summary: 'Hello' }))).toBe('hello web01 state.apply web*');
  });
});

describe('filterKey', () => {
  it('should not depend on the case of the search when two streams search alike', () => {
    expect(filterKey({ search: 'Web' })).toBe(filterKey({ search: 'wEB' }));
    expect(filterKey({ search: 'web' })).not.toBe(filterKey({ search: 'web', hide_routine: true }));
  });
});

describe('compareIds', () => {
  it('should order ids numerically when they are bigints as text', () => {
    expect(compareIds('9', '10')).toBe(-1);
    expect(compareIds('9223372036854775807', '9223372036854775806')).toBe(1);
    expect(compareIds('42', '42')).toBe(0);
  });
});
