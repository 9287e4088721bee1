import { ACTIVITY_EVENT_CATEGORY, type ActivityEventType, type ActivityOutcome } from '@sylvite/contracts';
import { loadCorpus, type CorpusLine } from './__fixtures__/corpus';
import { normalize } from './normalize';
import { NormalizerState } from './state';
import type { IgnoreReason, NormalizeResult, NormalizedActivity } from './types';

/**
 * Every line of the project's Salt corpus (`@sylvite/salt-fixtures`), replayed in order through one
 * state, against what docs/PROTOCOL.md Appendix A says each line is. Columns: kind, outcome, minion, initiator, target,
 * retcode, duration (ms), needs backfill.
 */
type Row = [ActivityEventType, ActivityOutcome, string | null, string | null, string | null, number | null, number | null, boolean];
type Expected = Row | IgnoreReason;

const W1 = 'web01.example.com';
const W2 = 'web02.example.com';
const DB = 'db01.example.com';
const C1 = 'cache01.example.com';

const EXPECTED: Record<number, Expected> = {
  1: ['job.new', 'dispatched', null, 'shouse', 'jerry', null, null, false], // 2014 shape, `_` stamp
  2: 'bare-jid', // legacy return carried on the bare jid
  3: ['job.new', 'dispatched', null, 'root', '*', null, null, false], // CLI as root, no `missing`
  4: 'find_job', // find_job poll return
  5: ['key.delete', 'deleted', 'compute.home', null, null, null, null, false],
  6: ['minion.start', 'online', 'poc-minion', null, null, null, null, false],
  7: 'hook',
  8: 'runner-detail',
  9: 'runner-detail',
  10: 'side-event', // sub/…/error without _stamp
  11: 'bare-jid',
  12: ['job.new', 'dispatched', null, 'saltapi', 'web*', null, null, false],
  13: ['job.ret', 'ok', W1, 'saltapi', 'web*', 0, null, false],
  14: ['job.ret', 'ok', W2, 'saltapi', 'web*', 0, null, false],
  15: 'bare-jid',
  16: ['job.new', 'dispatched', null, 'sudo_alice', 'G@os:Debian and web*', null, null, false],
  17: ['job.ret', 'changes', W1, 'sudo_alice', 'G@os:Debian and web*', 0, 8481.368, false],
  18: ['job.ret', 'ok', W2, 'sudo_alice', 'G@os:Debian and web*', 0, 1284.147, false],
  19: 'bare-jid',
  20: ['job.new', 'dispatched', null, 'saltapi', `${DB},ghost01`, null, null, false],
  21: ['job.ret', 'failed', DB, 'saltapi', `${DB},ghost01`, 2, 2421.028, false],
  22: 'side-event', // pkg.installed dup
  23: 'side-event',
  24: 'side-event',
  25: 'side-event',
  26: 'bare-jid',
  27: ['job.new', 'dispatched', null, 'saltapi', 'web02*', null, null, false],
  28: ['job.ret', 'failed', W2, 'saltapi', 'web02*', 1, null, false],
  29: 'bare-jid',
  30: ['job.new', 'dispatched', null, 'saltapi', '*', null, null, false],
  31: ['job.ret', 'would_change', W1, 'saltapi', '*', 0, 54.477, false], // test=True
  32: ['job.ret', 'ok', W2, 'saltapi', '*', 0, 49.392, false],
  33: 'bare-jid',
  34: 'find_job', // the poll's job.new
  35: 'own-runner', // our own GET /jobs/<jid>
  36: 'own-runner',
  37: ['job.new', 'dispatched', null, 'saltapi', null, null, null, false], // orchestration
  38: 'runner-detail',
  39: ['job.ret', 'changes', null, 'saltapi', null, 0, 2917.404, false], // "2917.404 ms" string
  40: ['key.pend', 'pending', C1, null, null, null, null, false],
  41: 'wheel',
  42: 'wheel',
  43: ['key.accept', 'accepted', C1, null, null, null, null, false],
  44: 'wheel',
  45: 'wheel',
  46: 'reauth', // salt/auth accept is not a key acceptance
  47: ['minion.start', 'online', C1, null, null, null, null, false], // legacy minion_start
  48: 'duplicate-start', // its namespaced twin
  49: ['key.reject', 'rejected', 'rogue-laptop', null, null, null, null, false],
  50: ['key.auth_rejected', 'rejected', 'rogue-laptop', null, null, null, null, false], // no act
  51: ['key.delete', 'deleted', 'old-web03.example.com', null, null, null, null, false],
  52: ['key.denied', 'denied', 'web05.example.com', null, null, null, null, false],
  53: 'presence',
  54: 'presence',
  55: ['job.new', 'dispatched', null, 'saltapi', 'web01*', null, null, false],
  56: ['job.ret', 'ok', W1, 'saltapi', 'web01*', 0, null, false], // unicode
  57: ['job.new', 'dispatched', null, 'saltapi', 'web02*', null, null, false],
  58: ['job.ret', 'ok', W2, 'saltapi', 'web02*', 0, null, false], // VALUE_TRIMMED
  59: ['job.ret', 'failed', W2, 'schedule:nightly-highstate', W2, 2, 1533.09, false], // success true, retcode 2
  60: ['job.ret', 'ok', DB, null, null, 0, null, true], // 3006.1 minion, job.new missed
  61: ['job.new', 'dispatched', null, 'root', '*', null, null, false],
  62: ['job.ret', 'ok', 'legacy01', 'root', '*', 0, null, false], // user from job.new
  63: ['job.new', 'dispatched', null, 'sudo_bob', 'web01*', null, null, false], // multi-function
  64: ['job.ret', 'ok', W1, 'sudo_bob', 'web01*', 0, null, false], // retcode object
  65: ['job.ret', 'failed', W1, 'saltapi', null, 1, null, true], // state conflict, list return
  66: ['job.ret', 'failed', DB, 'saltapi', null, 5, null, true], // pillar failure
  67: ['job.ret', 'failed', C1, 'saltapi', null, 2, null, true], // entry without duration
  68: ['job.ret', 'failed', W2, 'saltapi', null, 1, null, true], // unknown function
  69: ['job.ret', 'failed', W1, 'saltapi', null, 127, null, true],
  70: 'aes-rotation',
  71: 'refresh',
};

const RECEIVED_AT = new Date('2024-05-16T00:00:00.000Z');

interface Replay {
  lines: CorpusLine[];
  results: Map<number, NormalizeResult>;
  rows: Map<number, NormalizedActivity>;
  state: NormalizerState;
  backfills: string[];
}

function replay(withRawText: boolean): Replay {
  const lines = loadCorpus();
  const backfills: string[] = [];
  const state = new NormalizerState({ apiUser: 'saltapi', onBackfillNeeded: (jid) => backfills.push(jid) });
  const results = new Map<number, NormalizeResult>();
  const rows = new Map<number, NormalizedActivity>();
  for (const l of lines) {
    const r = normalize(l.event, state, { receivedAt: RECEIVED_AT, rawJson: withRawText ? l.text : undefined });
    results.set(l.line, r);
    if (r.type === 'activity') rows.set(l.line, r.row);
  }
  return { lines, results, rows, state, backfills };
}

describe('normalize over the corpus (@sylvite/salt-fixtures events.jsonl)', () => {
  const run = replay(true);

  it('should have an expectation for every corpus line when the corpus is loaded', () => {
    expect(run.lines).toHaveLength(71);
    expect(Object.keys(EXPECTED).map(Number)).toEqual(run.lines.map((l) => l.line));
  });

  it.each(Object.entries(EXPECTED).filter(([, e]) => typeof e === 'string'))(
    'should ignore line %s as %s when it is not activity',
    (line, reason) => {
      expect(run.results.get(Number(line))).toEqual({ type: 'ignored', reason });
    },
  );

  it.each(Object.entries(EXPECTED).filter(([, e]) => typeof e !== 'string') as [string, Row][])(
    'should normalize line %s to %j when it is activity',
    (line, [kind, outcome, minionId, initiator, target, retcode, durationMs, needsBackfill]) => {
      const row = run.rows.get(Number(line));
      expect(row).toBeDefined();
      expect({
        kind: row?.kind,
        outcome: row?.outcome,
        minionId: row?.minionId,
        initiator: row?.initiator,
        target: row?.target,
        retcode: row?.retcode,
        durationMs: row?.durationMs,
        needsBackfill: row?.needsBackfill,
      }).toEqual({ kind, outcome, minionId, initiator, target, retcode, durationMs, needsBackfill });
    },
  );

  it('should take occurred_at from _stamp when the stamp is in any of Salt’s forms', () => {
    expect(run.rows.get(1)?.occurredAt.toISOString()).toBe('2014-01-12T01:01:49.809Z');
    expect(run.rows.get(17)?.occurredAt.toISOString()).toBe('2024-05-14T10:21:12.055Z');
    // 2019.2: the jid is the master's local time (14:30), the stamp UTC (12:30).
    expect(run.rows.get(61)?.occurredAt.toISOString()).toBe('2020-06-15T12:30:12.349Z');
    expect(run.rows.get(61)?.receivedAt).toBe(RECEIVED_AT);
  });

  it('should carry job fields when the row is a dispatch or a return', () => {
    expect(run.rows.get(20)).toMatchObject({
      jid: '20240514103001884210',
      fun: 'state.sls',
      targetType: 'list',
      minions: [DB],
      category: 'job',
    });
    expect(run.rows.get(20)?.summary).toBe(
      'saltapi dispatched state.sls to db01.example.com,ghost01 (list): 1 minion, 1 missing (ghost01)',
    );
    expect(run.rows.get(17)).toMatchObject({ changesCount: 3, stateCount: 3, failedCount: 0, success: true });
    expect(run.rows.get(21)).toMatchObject({ changesCount: 0, stateCount: 3, failedCount: 2, success: false });
    expect(run.rows.get(59)).toMatchObject({ success: true, targetType: 'glob', jid: '20240514112000045871' });
    expect(run.rows.get(63)?.fun).toBe('test.ping,cmd.run');
    expect(run.rows.get(64)).toMatchObject({ fun: 'test.ping,cmd.run', retcode: 0, success: true });
    expect(run.rows.get(39)).toMatchObject({ runner: true, fun: 'runner.state.orchestrate', changesCount: 1 });
    expect(run.rows.get(37)).toMatchObject({ runner: true, minions: null, fun: 'runner.state.orchestrate' });
  });

  it('should write one-line summaries that say what happened when rows are built', () => {
    expect(run.rows.get(17)?.summary).toBe('state.apply changed web01.example.com (3 of 3 states changed, 8.5 s)');
    expect(run.rows.get(18)?.summary).toBe('state.apply succeeded on web02.example.com (3 states, no changes, 1.3 s)');
    expect(run.rows.get(21)?.summary).toBe('state.sls failed on db01.example.com (retcode 2, 2 of 3 states failed, 2.4 s)');
    expect(run.rows.get(31)?.summary).toBe('state.apply would change web01.example.com (test mode, 1 of 2 states, 54 ms)');
    expect(run.rows.get(68)?.summary).toBe("nginx.reload failed on web02.example.com (retcode 1): 'nginx.reload' is not available.");
    expect(run.rows.get(66)?.summary).toBe(
      "state.apply failed on db01.example.com (retcode 5): Pillar failed to render with the following messages: Rendering SLS 'secrets.db' failed. Please see master log for details.",
    );
    expect(run.rows.get(40)?.summary).toBe('Key pending: cache01.example.com is waiting for acceptance');
    expect(run.rows.get(47)?.summary).toBe('Minion cache01.example.com started');
    for (const row of run.rows.values()) {
      expect(row.summary).not.toMatch(/\n/);
      expect(row.summary.length).toBeGreaterThan(10);
      expect(row.summary.length).toBeLessThanOrEqual(300);
    }
  });

  it('should build lower-cased search text from summary, minion, function, initiator and target', () => {
    expect(run.rows.get(16)?.searchText).toBe(
      'sudo_alice dispatched state.apply to g@os:debian and web* (compound): 2 minions state.apply sudo_alice g@os:debian and web*',
    );
    for (const row of run.rows.values()) {
      expect(row.searchText).toBe(row.searchText.toLowerCase());
      for (const part of [row.minionId, row.fun, row.initiator, row.target]) {
        if (part) expect(row.searchText).toContain(part.toLowerCase());
      }
      expect(row.category).toBe(ACTIVITY_EVENT_CATEGORY[row.kind]);
    }
  });

  it('should give every stored row a distinct dedupe key when the corpus is replayed', () => {
    const keys = [...run.rows.values()].map((r) => r.dedupeKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(run.rows.get(13)?.dedupeKey).toBe('20240514101500123456|web01.example.com|job.ret');
    expect(run.rows.get(12)?.dedupeKey).toBe('20240514101500123456||job.new');
  });

  it('should keep the raw text as received and flag VALUE_TRIMMED when the line is stored', () => {
    for (const [line, row] of run.rows) {
      const text = run.lines[line - 1].text;
      expect(row.raw).toEqual({
        text,
        size: Buffer.byteLength(text, 'utf8'),
        truncated: false,
        valueTrimmed: line === 58,
      });
    }
    expect(run.rows.get(56)?.raw.text).toContain('🚧');
    expect(run.rows.get(58)?.summary).toContain('trimmed by Salt');
  });

  it('should ask for backfill once per jid when returns lack initiator or target', () => {
    expect(run.backfills).toEqual([
      '20240514112205330121',
      '20240514113502230045',
      '20240514113610901277',
      '20240514113722004566',
      '20240514113815660071',
      '20240514113901551802',
    ]);
  });

  it('should report exactly the minions that never returned when the deadline has passed', () => {
    const rows = run.state.sweepNoReturns(new Date('2024-05-16T00:00:00Z'), 15 * 60_000);
    expect(rows.map((r) => [r.jid, r.minionId]).sort()).toEqual([
      ['20140112010149808995', 'jerry'], // its return came on the legacy bare-jid tag
      ['20150213001905721678', 'jerry'],
      ['20240514104000551093', DB], // scenario E: db01 is down
    ]);
    const db = rows.find((r) => r.minionId === DB);
    expect(db).toMatchObject({
      kind: 'job.noreturn',
      outcome: 'noreturn',
      fun: 'state.apply',
      initiator: 'saltapi',
      target: '*',
      dedupeKey: `20240514104000551093|${DB}|job.noreturn`,
    });
    expect(db?.occurredAt.toISOString()).toBe('2024-05-14T10:55:00.554Z');
    expect(run.state.sweepNoReturns(new Date('2024-05-16T00:00:00Z'), 15 * 60_000)).toEqual([]);
  });

  it('should produce the same rows with a serialized raw when the caller passes no raw text', () => {
    const bare = replay(false);
    expect([...bare.rows.keys()]).toEqual([...run.rows.keys()]);
    for (const [line, row] of bare.rows) {
      expect(JSON.parse(row.raw.text)).toEqual(run.lines[line - 1].event);
      expect({ ...row, raw: null }).toEqual({ ...run.rows.get(line), raw: null });
    }
  });
});
