import { computed, effect, inject, type ResourceRef, type Signal, untracked } from '@angular/core';
import { rxResource, takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { merge, type Observable } from 'rxjs';
import { type ApiError, toApiError } from './api-error';
import { type DataTopic, InvalidationHub } from './invalidation-hub';

export interface LiveResourceOptions<T, P> {
  /** `undefined` leaves the resource idle (nothing to load yet, or not allowed). */
  params: () => P | undefined;
  stream: (params: P) => Observable<T>;
  /** The data sets whose live events make this answer stale. */
  topics?: readonly DataTopic[];
}

/**
 * A page's data that stays current: an `rxResource` that loads again when its params change and
 * reloads in place (keeping the shown value, no spinner) when the InvalidationHub marks one of its
 * topics stale — a live event, or the 30 s fallback while the stream is down.
 * Call in an injection context (a component field).
 */
export function liveResource<T, P>(options: LiveResourceOptions<T, P>): ResourceRef<T | undefined> {
  const ref = rxResource<T, P>({
    params: options.params as () => P,
    stream: ({ params }) => options.stream(params),
  });
  if (options.topics?.length) {
    const hub = inject(InvalidationHub);
    // A reload asked for while a load is in flight is dropped by the resource; that load may have
    // read the data before the change, so one more follows it.
    let stale = false;
    merge(...options.topics.map((topic) => hub.changes(topic)))
      .pipe(takeUntilDestroyed())
      .subscribe(() => {
        if (!ref.reload()) stale = true;
      });
    effect(() => {
      const status = ref.status();
      if (stale && status !== 'loading' && status !== 'reloading' && status !== 'idle') {
        stale = false;
        untracked(() => ref.reload());
      }
    });
  }
  return ref;
}

/** The resource's failure as the console words it; null while it has none. */
export function resourceError(ref: ResourceRef<unknown>): Signal<ApiError | null> {
  return computed(() => {
    const error = ref.error();
    return error ? toApiError(error) : null;
  });
}

/**
 * The resource's value, or undefined while it has none — `ResourceRef.value()` throws in the
 * error state, which a computed or a template must not trip over.
 */
export function valueOf<T>(ref: ResourceRef<T | undefined>): Signal<T | undefined> {
  return computed(() => (ref.hasValue() ? ref.value() : undefined));
}
