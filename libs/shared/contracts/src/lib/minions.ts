/** Minions on the wire (issue 5): GET /api/minions and GET /api/minions/:id. */

import type { JobOutcome } from './jobs';
import type { KeyState } from './keys';

export interface MinionJobRefDto {
  jid: string;
  fun: string | null;
  started_at: string;
  outcome: JobOutcome | null;
}

export interface MinionDto {
  id: string;
  key_state: KeyState;
  status: 'online' | 'offline';
  /** The last time the minion was seen: connected per the master, a return, a start or a grains answer. */
  last_seen: string | null;
  os: string | null;
  os_release: string | null;
  ip: string | null;
  last_job: MinionJobRefDto | null;
  last_highstate: MinionJobRefDto | null;
}

export interface MinionsPageDto {
  items: MinionDto[];
  total: number;
  limit: number;
  offset: number;
}

export interface MinionDetailDto extends MinionDto {
  grains: Record<string, unknown> | null;
  recent_jobs: MinionJobRefDto[];
}
