/** salt-sim logs to stderr so stdout stays machine-readable (its first line is the URL). */
export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export function createLogger(quiet: boolean): Logger {
  const write = (level: string, msg: string): void => {
    if (quiet && level !== 'ERROR') return;
    process.stderr.write(`${new Date().toISOString()} salt-sim ${level} ${msg}\n`);
  };
  return {
    info: (m) => write('INFO', m),
    warn: (m) => write('WARN', m),
    error: (m) => write('ERROR', m),
  };
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
