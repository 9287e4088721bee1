import { Injectable } from '@nestjs/common';
import { BehaviorSubject, Subject } from 'rxjs';
import type { ActivityEventDto, ActivityStreamStatus } from '@sylvite/contracts';

/** The Salt stream's state as the console's heartbeat shows it (the SSE `event: status` payload). */
export type StreamStatus = ActivityStreamStatus;

/** One committed batch: the rows and, index for index, the minions each row concerns (for scoping). */
export interface ActivityBatch {
  rows: ActivityEventDto[];
  /**
   * `job.new`: the expected minions (a grant narrower than `*` sees the dispatch if it may see one
   * of them); null for rows whose `minion_id` says it all.
   */
  minions: (readonly string[] | null)[];
  /**
   * `job.new`: the publish `arg` the normalizer read, index for index; only on the replica whose
   * writer committed the batch (absent on relayed batches, null where unknown).
   */
  args?: (readonly unknown[] | null)[];
}

/**
 * The live bridge: committed activity rows (with their ids, in id order, already in the wire
 * shape so each frame is serialized once) and the stream status. The writer publishes after
 * commit; on other replicas the NOTIFY listener publishes what it fetched.
 */
@Injectable()
export class ActivityBus {
  readonly rows = new Subject<ActivityEventDto[]>();
  /** The same batches as `rows`, with the scoping minions; emitted just before `rows`. */
  readonly batches = new Subject<ActivityBatch>();
  readonly status = new BehaviorSubject<StreamStatus>({
    state: 'disabled', last_event_at: null, last_byte_at: null, reconnects: 0, events_per_second: 0, lag_ms: null,
  });
  private maxId = 0n;

  /** The highest row id published on this replica ('0' before the first). */
  get lastPublishedId(): string {
    return this.maxId.toString();
  }

  publish(rows: ActivityEventDto[], minions?: (readonly string[] | null)[], args?: (readonly unknown[] | null)[]): void {
    if (!rows.length) return;
    const last = BigInt(rows[rows.length - 1].id);
    if (last > this.maxId) this.maxId = last;
    this.batches.next({ rows, minions: minions ?? rows.map(() => null), ...(args ? { args } : {}) });
    this.rows.next(rows);
  }
}
