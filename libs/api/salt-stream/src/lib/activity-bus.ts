import { Injectable } from '@nestjs/common';
import { BehaviorSubject, Subject } from 'rxjs';
import type { ActivityEventDto } from '@sylvite/contracts';

/** The Salt stream's state as the console's heartbeat shows it. */
export interface StreamStatus {
  state: 'connected' | 'reconnecting' | 'disabled' | 'standby';
  last_event_at: string | null;
  last_byte_at: string | null;
  reconnects: number;
  events_per_second: number;
  lag_ms: number | null;
}

/**
 * The live bridge: committed activity rows (with their ids, in id order, already in the wire
 * shape so each frame is serialized once) and the stream status. The writer publishes after
 * commit; on other replicas the NOTIFY listener publishes what it fetched.
 */
@Injectable()
export class ActivityBus {
  readonly rows = new Subject<ActivityEventDto[]>();
  readonly status = new BehaviorSubject<StreamStatus>({
    state: 'disabled', last_event_at: null, last_byte_at: null, reconnects: 0, events_per_second: 0, lag_ms: null,
  });

  publish(rows: ActivityEventDto[]): void {
    if (rows.length) this.rows.next(rows);
  }
}
