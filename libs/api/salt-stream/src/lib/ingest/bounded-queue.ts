/** What was refused while the queue was full: recorded as a gap, never silent. */
export interface Overflow {
  dropped: number;
  /** When the first refused item arrived. */
  from: Date;
  /** When the last refused item arrived. */
  to: Date;
}

/** An optional second bound: the items' summed `sizeOf` (their bytes, say). */
export interface ByteBudget<T> {
  maxBytes: number;
  sizeOf(item: T): number;
}

/**
 * A fixed-capacity FIFO (ring buffer) between the stream reader and the database writer. The
 * reader never waits: `push` refuses when full — `capacity` items, or the byte budget — and counts
 * the loss, so salt-api never sees a stalled subscriber (Salt drops one that stops reading for 15 s).
 * An item over the whole budget is still taken when the queue is empty.
 */
export class BoundedQueue<T> {
  private readonly buf: (T | undefined)[];
  private head = 0;
  private count = 0;
  private overflow: Overflow | null = null;
  private waiters: (() => void)[] = [];
  private droppedTotal = 0;
  private bytesHeld = 0;

  constructor(readonly capacity: number, private readonly budget: ByteBudget<T> | null = null) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.buf = new Array<T | undefined>(capacity);
  }

  /** The queued items' summed size under the byte budget (0 without one). */
  get bytes(): number {
    return this.bytesHeld;
  }

  get size(): number {
    return this.count;
  }

  /** Items refused since the queue was created. */
  get dropped(): number {
    return this.droppedTotal;
  }

  /** Adds at the tail; false (and counted as dropped) when full. */
  push(item: T, now: Date = new Date()): boolean {
    const size = this.budget ? this.budget.sizeOf(item) : 0;
    if (this.count === this.capacity || (this.budget && this.count > 0 && this.bytesHeld + size > this.budget.maxBytes)) {
      this.droppedTotal++;
      if (this.overflow) {
        this.overflow.dropped++;
        this.overflow.to = now;
      } else this.overflow = { dropped: 1, from: now, to: now };
      return false;
    }
    this.buf[(this.head + this.count) % this.capacity] = item;
    this.count++;
    this.bytesHeld += size;
    if (this.waiters.length) {
      const ws = this.waiters;
      this.waiters = [];
      for (const w of ws) w();
    }
    return true;
  }

  /** Removes and returns up to `max` items from the head, oldest first. */
  take(max: number): T[] {
    const n = Math.min(max, this.count);
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) {
      const at = (this.head + i) % this.capacity;
      out[i] = this.buf[at] as T;
      this.buf[at] = undefined;
      if (this.budget) this.bytesHeld -= this.budget.sizeOf(out[i]);
    }
    this.head = (this.head + n) % this.capacity;
    this.count -= n;
    return out;
  }

  /** The overflow since the last call (null when nothing was refused), and starts counting anew. */
  takeOverflow(): Overflow | null {
    const o = this.overflow;
    this.overflow = null;
    return o;
  }

  /** The overflow in progress without resetting it. */
  peekOverflow(): Readonly<Overflow> | null {
    return this.overflow;
  }

  /** Resolves when at least one item is queued (at once if there already is one). */
  whenNotEmpty(): Promise<void> {
    if (this.count > 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Wakes every waiter (shutdown). */
  wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  clear(): void {
    this.take(this.count);
  }
}
