import { DestroyRef, inject, Injectable, type Signal, signal, type WritableSignal } from '@angular/core';
import { filter, map, type Observable, Subject } from 'rxjs';

/** The cached data sets live events make stale. */
export const DATA_TOPICS = ['activity', 'jobs', 'keys', 'minions'] as const;
export type DataTopic = (typeof DATA_TOPICS)[number];

/**
 * A burst of events (a state run returning from a thousand minions) must not become a thousand
 * refetches: each topic fires at once, then at most once more per window with whatever arrived.
 */
export const INVALIDATION_WINDOW_MS = 1000;

/**
 * Tells pages their data is stale. Pages either read `version(topic)` inside a `resource()`'s params
 * (the resource reloads when it changes) or subscribe to `changes(topic)`.
 */
@Injectable({ providedIn: 'root' })
export class InvalidationHub {
  private readonly versions = Object.fromEntries(DATA_TOPICS.map((t) => [t, signal(0)])) as Record<
    DataTopic,
    WritableSignal<number>
  >;
  private readonly fired = new Subject<DataTopic>();
  private readonly windows = new Map<DataTopic, ReturnType<typeof setTimeout>>();
  private readonly pending = new Set<DataTopic>();

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      for (const timer of this.windows.values()) clearTimeout(timer);
      this.fired.complete();
    });
  }

  version(topic: DataTopic): Signal<number> {
    return this.versions[topic].asReadonly();
  }

  changes(topic: DataTopic): Observable<void> {
    return this.fired.pipe(
      filter((t) => t === topic),
      map(() => undefined),
    );
  }

  invalidate(...topics: DataTopic[]): void {
    for (const topic of topics) {
      if (this.windows.has(topic)) this.pending.add(topic);
      else this.fire(topic);
    }
  }

  invalidateAll(): void {
    this.invalidate(...DATA_TOPICS);
  }

  private fire(topic: DataTopic): void {
    this.versions[topic].update((v) => v + 1);
    this.fired.next(topic);
    this.windows.set(
      topic,
      setTimeout(() => {
        this.windows.delete(topic);
        if (this.pending.delete(topic)) this.fire(topic);
      }, INVALIDATION_WINDOW_MS),
    );
  }
}
