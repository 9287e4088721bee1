import { Minion } from '../fleet/fleet';
import { Rng } from '../util/rng';

/** What a simulated execution module call produces on a minion. */
export interface ExecResult {
  ret: unknown;
  /** `__context__["retcode"]`; an object for multi-function jobs. */
  retcode: number | null | Record<string, number | null>;
  /** Defaults to `retcode === 0`; an object for multi-function jobs. */
  success?: boolean | Record<string, boolean>;
  /** Outputter declared by the module (`highstate`, `nested`), if any. */
  out?: string;
  /** Error paths set `out` before the job fields, which moves the key in the event. */
  outEarly?: boolean;
  /** How long the call runs on the minion, in (unscaled) milliseconds. */
  runMs: number;
  /** State runs compile pillar first, which fires `minion/refresh/<id>`. */
  compilesPillar?: boolean;
}

export interface ExecContext {
  minion: Minion;
  rng: Rng;
  jid: string;
  /** When the minion started executing, µs since the epoch. */
  startUs: number;
  /** Cancels a running job on this minion (saltutil.kill_job); returns its pid or null. */
  kill(jid: string): number | null;
}
