import { copyBool, copyFloat, copyInt, copyRow, copyText, copyTextArray } from './copy-format';

describe('COPY text format', () => {
  it('should escape the separators and the backslash when a value contains them', () => {
    expect(copyText('a\tb\nc\\d\re')).toBe('a\\tb\\nc\\\\d\\re');
  });

  it('should write NULL as \\N when the value is null', () => {
    expect(copyText(null)).toBe('\\N');
    expect(copyInt(null)).toBe('\\N');
    expect(copyBool(null)).toBe('\\N');
  });

  it('should replace NUL characters when a string contains one', () => {
    expect(copyText('a\0b')).toBe('a\uFFFDb');
  });

  it('should write NULL when an integer does not fit int4', () => {
    expect(copyInt(2 ** 31)).toBe('\\N');
    expect(copyInt(1.5)).toBe('\\N');
    expect(copyInt(-2)).toBe('-2');
  });

  it('should write NULL when a float is not finite', () => {
    expect(copyFloat(Number.NaN)).toBe('\\N');
    expect(copyFloat(12.5)).toBe('12.5');
  });

  it('should quote array elements and escape quotes and backslashes when building a text[]', () => {
    expect(copyTextArray(['web01', 'we"b\\02'])).toBe('{"web01","we\\\\"b\\\\\\\\02"}');
    expect(copyTextArray([])).toBe('{}');
    expect(copyTextArray(null)).toBe('\\N');
  });

  it('should end a row with a newline and separate fields by tabs', () => {
    expect(copyRow(['1', '\\N', 'x'])).toBe('1\t\\N\tx\n');
  });
});
