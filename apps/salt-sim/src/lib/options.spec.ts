import { DEFAULT_OPTIONS, OptionsError, parseArgs } from './options';

describe('parseArgs', () => {
  it('should return the defaults when no flag is given', () => {
    expect(parseArgs([])).toEqual(DEFAULT_OPTIONS);
  });

  it('should read every documented flag in both spellings', () => {
    const o = parseArgs(['--port', '0', '--host=0.0.0.0', '--seed', 'x', '--minions', '40', '--token-expire', '60', '--rate=500', '--user', 'u', '--password', 'p', '--quiet', '--no-life', '--presence', '--speed', '20']);
    expect(o).toMatchObject({ port: 0, host: '0.0.0.0', seed: 'x', minions: 40, tokenExpire: 60, rate: 500, user: 'u', password: 'p', quiet: true, life: false, presence: true, speed: 20 });
  });

  it('should take the password from SALT_SIM_PASSWORD when the flag is absent', () => {
    expect(parseArgs([], { SALT_SIM_PASSWORD: 'env-pw' })?.password).toBe('env-pw');
    expect(parseArgs(['--password', 'flag-pw'], { SALT_SIM_PASSWORD: 'env-pw' })?.password).toBe('flag-pw');
  });

  it('should return null when --help is asked for', () => {
    expect(parseArgs(['--help'])).toBeNull();
  });

  it.each([[['--port', 'abc']], [['--bogus']], [['--minions', '0']], [['--speed', '0']], [['--port']], [['stray']]])('should throw OptionsError when given %j', (argv) => {
    expect(() => parseArgs(argv)).toThrow(OptionsError);
  });
});
