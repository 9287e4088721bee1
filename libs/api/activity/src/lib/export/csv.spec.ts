import { csvCell, csvHeader, csvLine, exportFileName } from './csv';

describe('csvCell', () => {
  it.each([
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['+1', "'+1"],
    ['-rf', "'-rf"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', `"'\rx"`],
  ])('should neutralise a formula when the text starts like %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it('should quote commas, quotes and line breaks when the text has them', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('plain')).toBe('plain');
  });

  it('should write numbers as they are and null as empty when the value is not text', () => {
    expect(csvCell(-1)).toBe('-1');
    expect(csvCell(12.5)).toBe('12.5');
    expect(csvCell(null)).toBe('');
  });
});

describe('csvLine', () => {
  it('should write every column in header order when given an event', () => {
    const header = csvHeader().trimEnd().split(',');
    const line = csvLine({
      id: '7', occurred_at: 'T1', received_at: 'T2', category: 'job', event_type: 'job.ret', outcome: 'failed',
      minion_id: 'web01', jid: 'J', fun: 'cmd.run', initiator: 'root', target: 'web01', target_type: 'glob',
      retcode: 1, duration_ms: null, summary: '=cmd',
    });
    expect(header[0]).toBe('id');
    expect(line).toBe("7,T1,T2,job,job.ret,failed,web01,J,cmd.run,root,web01,glob,1,,'=cmd\r\n");
  });
});

describe('exportFileName', () => {
  it('should name the time range when both ends are known', () => {
    expect(exportFileName(new Date('2025-11-21T00:00:00Z'), new Date('2025-11-22T02:11:00.500Z'), 'csv')).toBe(
      'sylvite-activity_20251121T000000Z_20251122T021100Z.csv',
    );
    expect(exportFileName(null, new Date('2025-11-22T00:00:00Z'), 'ndjson')).toBe('sylvite-activity_start_20251122T000000Z.ndjson');
  });
});
