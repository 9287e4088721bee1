import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { BehaviorSubject } from 'rxjs';

/** The advisory lock key of the Salt stream (727100 is the partition creators' lock). */
export const STREAM_LEADER_LOCK = 727101;

export interface LeaderElectionOptions {
  databaseUrl: string;
  lockKey?: number;
  /** How often a follower tries to take the lock, ms. */
  retryMs?: number;
  /** How often the leader checks its lock connection is alive, ms. */
  checkMs?: number;
}

/**
 * Exactly one replica holds the salt-api stream (issue 4, "Beyond one process"): the one holding a
 * session-level `pg_try_advisory_lock` on its own connection. PostgreSQL releases the lock when
 * that connection ends, so a dead leader is replaced within `retryMs`; a leader whose lock
 * connection fails stops leading at once (it can no longer prove it holds the lock).
 */
export class LeaderElection {
  private readonly logger = new Logger('LeaderElection');
  readonly leader = new BehaviorSubject<boolean>(false);
  private client: Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private busy = false;
  private readonly lockKey: number;
  private readonly retryMs: number;
  private readonly checkMs: number;

  constructor(private readonly opts: LeaderElectionOptions) {
    this.lockKey = opts.lockKey ?? STREAM_LEADER_LOCK;
    this.retryMs = opts.retryMs ?? 3000;
    this.checkMs = opts.checkMs ?? 5000;
  }

  get isLeader(): boolean {
    return this.leader.value;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.attempt();
  }

  /** Gives the lock up (the connection ends) so another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const c = this.client;
    this.client = null;
    this.setLeader(false);
    await c?.end().catch(() => undefined);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.attempt(), ms);
  }

  private async attempt(): Promise<void> {
    if (this.stopped || this.busy) return;
    this.busy = true;
    try {
      const c = await this.connection();
      if (this.isLeader) {
        await c.query('SELECT 1');
      } else {
        const r = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [this.lockKey]);
        if (r.rows[0]?.ok && !this.stopped) {
          this.logger.log('this replica now holds the Salt stream');
          this.setLeader(true);
        }
      }
    } catch (err) {
      this.logger.warn(`leader lock connection failed: ${(err as Error).message}`);
      this.lost();
    } finally {
      this.busy = false;
      this.schedule(this.isLeader ? this.checkMs : this.retryMs);
    }
  }

  private async connection(): Promise<Client> {
    if (this.client) return this.client;
    const c = new Client({ connectionString: this.opts.databaseUrl, application_name: 'sylvite-leader' });
    c.on('error', (err) => {
      this.logger.warn(`leader lock connection error: ${err.message}`);
      if (this.client === c) this.lost();
    });
    c.on('end', () => {
      if (this.client === c) this.lost();
    });
    await c.connect();
    this.client = c;
    return c;
  }

  private lost(): void {
    const c = this.client;
    this.client = null;
    if (this.isLeader) this.logger.warn('lost the Salt stream lock: stopping the stream');
    this.setLeader(false);
    void c?.end().catch(() => undefined);
    if (!this.busy) this.schedule(this.retryMs);
  }

  private setLeader(v: boolean): void {
    if (this.leader.value !== v) this.leader.next(v);
  }
}
