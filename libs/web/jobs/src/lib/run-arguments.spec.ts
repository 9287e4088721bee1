import { ArgumentsError, parseArguments } from './run-arguments';

describe('parseArguments', () => {
  it.each<[string, unknown[], Record<string, unknown>]>([
    ['', [], {}],
    ['   ', [], {}],
    ['webserver', ['webserver'], {}],
    ["'ls -l /tmp' timeout=30", ['ls -l /tmp'], { timeout: 30 }],
    ['test=true pillar={"role": "web"}', [], { test: true, pillar: { role: 'web' } }],
    ['"42" 42 -1.5 None', ['42', 42, -1.5, null], {}],
    ["name='two words' 'a=b'", ['a=b'], { name: 'two words' }],
    ['[1, 2, 3] {broken', [[1, 2, 3], '{broken'], {}],
  ])('should split %j into positional and keyword arguments when parsed', (text, args, kwargs) => {
    expect(parseArguments(text)).toEqual({ args, kwargs });
  });

  it('should refuse an unclosed quote when the text has one', () => {
    expect(() => parseArguments("cmd 'oops")).toThrow(ArgumentsError);
  });
});
