import { csvCell, csvLine, fileStamp } from './csv';

describe('CSV cells', () => {
  it.each(['=1+1', '+SUM(A1)', '-2+3', '@cmd', '\t=x', '\r=x', '＝1'])('should prefix %j with a quote so it stays text', (v) => {
    expect(csvCell(v)).toBe(`"'${v}"`);
  });

  it('should quote text, double inner quotes and keep newlines inside the cell', () => {
    expect(csvCell('say "hi",\nthen')).toBe('"say ""hi"",\nthen"');
  });

  it('should write numbers and booleans bare and null as an empty cell', () => {
    expect(csvLine([1, null, true, 'a'])).toBe('1,,true,"a"\r\n');
  });

  it('should write objects as their JSON', () => {
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
  });

  it('should turn a time into a file-name-safe stamp', () => {
    expect(fileStamp('2024-01-02T03:04:05.678Z')).toBe('2024-01-02T030405Z');
    expect(fileStamp('2024-01-02T03:04:05+02:00')).toBe('2024-01-02T010405Z');
    expect(fileStamp('garbage')).toBe('unknown');
  });
});
