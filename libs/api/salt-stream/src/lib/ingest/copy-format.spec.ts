import {
  COPY_BINARY_HEADER, COPY_BINARY_TRAILER, copyBinaryTuple, copyBool, copyFloat, copyInt, copyRow, copyText, copyTextArray,
} from './copy-format';

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

describe('COPY binary format', () => {
  it('should length-prefix text as UTF-8 and mark NULL with -1 when encoding a tuple', () => {
    const t = copyBinaryTuple([{ int8: '258' }, { text: 'é\\' }, { text: null }, { int4: -1 }, { bool: true }]);
    expect(t.readInt16BE(0)).toBe(5);
    expect(t.readInt32BE(2)).toBe(8);
    expect(t.readBigInt64BE(6)).toBe(258n);
    expect(t.readInt32BE(14)).toBe(3);
    expect(t.subarray(18, 21).toString('utf8')).toBe('é\\');
    expect(t.readInt32BE(21)).toBe(-1);
    expect(t.readInt32BE(25)).toBe(4);
    expect(t.readInt32BE(29)).toBe(-1);
    expect(t.readInt32BE(33)).toBe(1);
    expect(t.readUInt8(37)).toBe(1);
    expect(t.length).toBe(38);
  });

  it('should count microseconds since 2000-01-01 when encoding a timestamptz', () => {
    const t = copyBinaryTuple([{ timestamptz: new Date('2000-01-01T00:00:01.5Z') }]);
    expect(t.readBigInt64BE(6)).toBe(1_500_000n);
  });

  it('should start with the PGCOPY signature and end with a -1 field count', () => {
    expect(COPY_BINARY_HEADER.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
    expect(COPY_BINARY_HEADER.length).toBe(19);
    expect(COPY_BINARY_TRAILER.readInt16BE(0)).toBe(-1);
  });
});
