/** Where and as whom Sylvite talks to salt-api. */
export interface SaltConnection {
  /** Base URL (`https://salt-master:8000`); null when not configured. */
  url: string | null;
  username: string | null;
  password: string | null;
  /** `pam`, `auto`, `ldap`, … */
  eauth: string;
}

/** `POST /login` `return[0]` (PROTOCOL.md §2.2). `start`/`expire` are epoch seconds (floats). */
export interface SaltLogin {
  token: string;
  start: number;
  expire: number;
  user: string;
  eauth: string;
  /** A list of strings and `{glob: [funs]}` objects; `{}` when there are none. */
  perms: unknown;
}

/** One job in `GET /jobs` (runner `jobs.list_jobs`). */
export interface SaltJobSummary {
  Function?: string | string[];
  Arguments?: unknown[];
  Target?: string | string[];
  'Target-type'?: string;
  User?: string;
  StartTime?: string;
  Metadata?: Record<string, unknown>;
  [key: string]: unknown;
}

/** `GET /jobs`: job summaries by jid. */
export type SaltJobsIndex = Record<string, SaltJobSummary>;

/** `Result[minion]` in `GET /jobs/<jid>`: only these keys (PROTOCOL.md §6). */
export interface SaltJobResult {
  return?: unknown;
  retcode?: unknown;
  success?: unknown;
  out?: string;
  [key: string]: unknown;
}

/** `GET /jobs/<jid>` `info[0]`. `Error` is set (and `Result` empty) for an unknown or expired jid. */
export interface SaltJobInfo extends SaltJobSummary {
  jid?: string;
  Minions?: string[];
  Result?: Record<string, SaltJobResult>;
  EndTime?: string;
  Error?: string;
}

export interface SaltJobDetail {
  /** The whole answer, as `applyJobsIndex` takes it. */
  raw: unknown;
  info: SaltJobInfo | null;
  /** Return values per minion (`return[0]`). */
  returns: Record<string, unknown>;
}

/** `GET /keys` (an object, not a list, unlike every other endpoint). */
export interface SaltKeys {
  local: string[];
  minions: string[];
  minions_pre: string[];
  minions_rejected: string[];
  minions_denied: string[];
}

/** One lowstate chunk for `POST /` (PROTOCOL.md §2.3). */
export interface SaltLowstate {
  client: 'local' | 'local_async' | 'local_batch' | 'local_subset' | 'runner' | 'runner_async' | 'wheel' | 'wheel_async' | 'ssh';
  fun: string;
  tgt?: string | string[];
  tgt_type?: string;
  arg?: unknown[];
  kwarg?: Record<string, unknown>;
  /** wheel key functions: the key glob. */
  match?: string;
  timeout?: number;
  /** Reaches the minion returns and the job cache (not `job.new`): correlation ids. */
  metadata?: Record<string, unknown>;
  [key: string]: unknown;
}

/** `local_async` answer: `{}` when no minion matched. */
export interface SaltAsyncJob {
  jid?: string;
  minions?: string[];
}

/** `GET /` (no auth needed). */
export interface SaltRootInfo {
  clients: string[];
  /** The `Server` header (`CherryPy/18.8.0`), when sent. */
  server: string | null;
  /** A salt version when the server says one (a header some proxies or simulators add); else null. */
  saltVersion: string | null;
}
