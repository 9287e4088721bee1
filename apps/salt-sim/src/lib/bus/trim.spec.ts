import { trimEvent, TRIMMED } from './trim';

describe('trimEvent', () => {
  it('should leave small events untouched', () => {
    const data = { a: 'x'.repeat(100) };
    expect(trimEvent(data, 1024)).toBe(data);
  });

  it('should replace big values (also nested in dicts) and keep the original intact', () => {
    const data = { return: 'y'.repeat(5000), fun: 'cmd.run', nested: { diff: 'z'.repeat(5000), ok: 1 } };
    const out = trimEvent(data, 4096);
    expect(out).toEqual({ return: TRIMMED, fun: 'cmd.run', nested: { diff: TRIMMED, ok: 1 } });
    expect(data.return).toHaveLength(5000);
  });

  it('should not trim a short list of big strings, as sys.getsizeof does not see inside it', () => {
    const data = { lines: Array.from({ length: 5 }, () => 'x'.repeat(1000)) };
    expect(trimEvent(data, 1024)).toEqual(data);
  });

  it('should trim a long list, whose pointer array alone is big', () => {
    expect(trimEvent({ lines: Array.from({ length: 500 }, () => 'abcdefghij') }, 1024)).toEqual({ lines: TRIMMED });
  });
});
