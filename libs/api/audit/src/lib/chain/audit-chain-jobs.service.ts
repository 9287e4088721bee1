import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { AuditChain } from './audit-chain.service';

/** A request running longer than this is taken for abandoned (its process ended) and sealed as incomplete. */
export const ABANDONED_AFTER_MS = 15 * 60 * 1000;
export const CHECKPOINT_EVERY_MS = 15 * 60 * 1000;

/** The chain's housekeeping: sealing rows a crash left pending, and the periodic signed checkpoint. */
@Injectable()
export class AuditChainJobs {
  private readonly logger = new Logger(AuditChainJobs.name);

  constructor(private readonly chain: AuditChain) {}

  @Interval('audit-seal-abandoned', 60 * 1000)
  async sealAbandoned(): Promise<void> {
    try {
      let n = 0;
      for (let sealed = -1; sealed !== 0 && n < 50_000; n += sealed) sealed = await this.chain.sealAbandoned(ABANDONED_AFTER_MS);
      if (n) this.logger.warn({ rows: n }, 'sealed audit rows left pending (requests that never completed, rows their process stopped before sealing, or rows from before the chain)');
    } catch (err) {
      this.logger.error({ err }, 'sealing abandoned audit rows failed');
    }
  }

  @Interval('audit-checkpoint', CHECKPOINT_EVERY_MS)
  async checkpoint(): Promise<void> {
    try {
      // Half the period: with several replicas on their own timers, about one checkpoint per period.
      await this.chain.checkpoint(CHECKPOINT_EVERY_MS / 2);
    } catch (err) {
      this.logger.error({ err }, 'audit checkpoint failed');
    }
  }
}
