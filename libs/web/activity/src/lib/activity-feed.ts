import { computed, DestroyRef, effect, inject, Injectable, signal, untracked } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { ActivityEventDto, ActivityPage } from '@sylvite/contracts';
import {
  type ApiError,
  InvalidationHub,
  type LiveState,
  LiveStreamService,
  toApiError,
} from '@sylvite/web-data-access';
import { firstValueFrom, type Subscription } from 'rxjs';
import { ActivityApi } from './activity-api';
import { type ActivityFilter, cursorOf, filterToApi, matchesFilter, NO_FILTER, newestFirst } from './activity-filter';

export const PAGE_SIZE = 50;
/** Rows kept on screen; past this the oldest are dropped and "load older" fetches them again. */
export const MAX_ROWS = 1000;
const GAP_PAGE = 500;
const GAP_PAGES_MAX = 10;

export type FeedStatus = 'loading' | 'ready' | 'error';

/**
 * The Activity page's list: history from GET /api/activity, new rows from the tab's live stream
 * (filtered here the way the server filters), older rows on demand, and the gap a dropped
 * connection leaves filled from `since_cursor`. Paused, it holds arrivals aside and counts them.
 */
@Injectable()
export class ActivityFeed {
  private readonly api = inject(ActivityApi);
  private readonly live = inject(LiveStreamService);

  private readonly rows = signal<ActivityEventDto[]>([]);
  private readonly held = signal<ActivityEventDto[]>([]);
  private readonly state = signal<FeedStatus>('loading');
  private readonly failure = signal<ApiError | null>(null);
  private readonly older = signal<string | null>(null);
  private readonly olderBusy = signal(false);
  private readonly olderFailure = signal<ApiError | null>(null);
  private readonly count = signal<{ total: number; estimate: boolean } | null>(null);
  private readonly isPaused = signal(false);

  readonly events = this.rows.asReadonly();
  readonly status = this.state.asReadonly();
  readonly error = this.failure.asReadonly();
  readonly hasOlder = computed(() => this.older() !== null);
  readonly loadingOlder = this.olderBusy.asReadonly();
  readonly olderError = this.olderFailure.asReadonly();
  readonly total = this.count.asReadonly();
  readonly paused = this.isPaused.asReadonly();
  /** Events that arrived while paused: shown as a count, added on resume. */
  readonly missed = computed(() => this.held().length);

  private filter: ActivityFilter = NO_FILTER;
  private seen = new Set<string>();
  private newest: string | null = null;
  private generation = 0;
  private started = false;
  private filling: Promise<void> | null = null;
  private loadSub: Subscription | null = null;

  constructor() {
    this.live.activity.pipe(takeUntilDestroyed()).subscribe((event) => this.receive(event));
    // Stream down (or off): the hub's 30 s fallback ticks; catch up from the database each time.
    inject(InvalidationHub)
      .changes('activity')
      .pipe(takeUntilDestroyed())
      .subscribe(() => {
        if (this.live.state() !== 'open') void this.fillGap();
      });
    // Back from a drop: whatever happened meanwhile is in the database.
    let previous: LiveState | null = null;
    effect(() => {
      const state = this.live.state();
      const before = previous;
      previous = state;
      if (before !== null && before !== 'open' && state === 'open') untracked(() => void this.fillGap());
    });
    inject(DestroyRef).onDestroy(() => this.loadSub?.unsubscribe());
  }

  /** Shows the newest page for this filter; events already on screen are forgotten. */
  load(filter: ActivityFilter): void {
    this.filter = filter;
    this.started = true;
    const generation = ++this.generation;
    this.loadSub?.unsubscribe();
    this.seen = new Set();
    this.newest = null;
    this.rows.set([]);
    this.held.set([]);
    this.older.set(null);
    this.olderFailure.set(null);
    this.failure.set(null);
    this.count.set(null);
    this.state.set('loading');
    this.loadSub = this.api.list({ ...filterToApi(filter), limit: PAGE_SIZE }).subscribe({
      next: (page) => {
        if (generation !== this.generation) return;
        // Live events may have landed while the page was on its way; they stay, deduplicated.
        const early = this.rows();
        this.seen = new Set();
        const merged = [...early, ...page.events].filter((e) => this.remember(e));
        this.rows.set([]);
        this.insert(merged, false);
        this.older.set(page.next_before_cursor);
        this.newest = newestCursor(page.newest_cursor, this.newest);
        this.count.set({ total: page.total, estimate: page.total_is_estimate });
        this.state.set('ready');
      },
      error: (error: unknown) => {
        if (generation !== this.generation) return;
        this.failure.set(toApiError(error));
        this.state.set('error');
      },
    });
  }

  reload(): void {
    this.load(this.filter);
  }

  async loadOlder(): Promise<void> {
    const cursor = this.older();
    if (!cursor || this.olderBusy() || this.state() !== 'ready') return;
    const generation = this.generation;
    this.olderBusy.set(true);
    this.olderFailure.set(null);
    try {
      const page = await firstValueFrom(this.api.list({ ...filterToApi(this.filter), limit: PAGE_SIZE, before_cursor: cursor }));
      if (generation !== this.generation) return;
      const fresh = page.events.filter((e) => this.remember(e));
      this.rows.update((rows) => [...rows, ...fresh].sort(newestFirst));
      this.older.set(page.next_before_cursor);
    } catch (error) {
      if (generation === this.generation) this.olderFailure.set(toApiError(error));
    } finally {
      if (generation === this.generation) this.olderBusy.set(false);
    }
  }

  pause(): void {
    this.isPaused.set(true);
  }

  resume(): void {
    const held = this.held();
    this.held.set([]);
    this.isPaused.set(false);
    this.show(held);
  }

  /**
   * Everything newer than the newest row seen, oldest page first, so nothing between the drop and
   * the reconnect is skipped. Runs one at a time; a call while one runs waits for it.
   */
  fillGap(): Promise<void> {
    if (!this.started || this.state() !== 'ready' || !this.newest) return this.filling ?? Promise.resolve();
    this.filling ??= this.walkGap().finally(() => (this.filling = null));
    return this.filling;
  }

  private async walkGap(): Promise<void> {
    const generation = this.generation;
    for (let i = 0; i < GAP_PAGES_MAX && this.newest; i++) {
      let page: ActivityPage;
      try {
        page = await firstValueFrom(this.api.list({ ...filterToApi(this.filter), limit: GAP_PAGE, since_cursor: this.newest }));
      } catch {
        // The next reconnect or fallback tick tries again from the same cursor.
        return;
      }
      if (generation !== this.generation) return;
      this.newest = newestCursor(page.newest_cursor, this.newest);
      this.show(page.events.filter((e) => this.remember(e)));
      if (page.events.length < GAP_PAGE) return;
    }
  }

  private receive(event: ActivityEventDto): void {
    if (!this.started || !matchesFilter(event, this.filter) || !this.remember(event)) return;
    this.newest = newestCursor(cursorOf(event), this.newest);
    if (this.state() === 'loading') {
      // Kept until the first page answers, then merged with it.
      this.rows.update((rows) => [event, ...rows]);
      return;
    }
    this.show([event]);
  }

  private show(events: ActivityEventDto[]): void {
    if (!events.length) return;
    if (this.isPaused()) this.held.update((held) => [...held, ...events]);
    else this.insert(events, true);
  }

  private insert(events: ActivityEventDto[], counted: boolean): void {
    if (!events.length) return;
    let rows = [...this.rows(), ...events].sort(newestFirst);
    if (rows.length > MAX_ROWS) {
      rows = rows.slice(0, MAX_ROWS);
      this.older.set(cursorOf(rows[rows.length - 1]));
    }
    this.rows.set(rows);
    if (counted) this.count.update((c) => (c ? { ...c, total: c.total + events.length } : c));
  }

  /** True the first time an id is seen. */
  private remember(event: ActivityEventDto): boolean {
    if (this.seen.has(event.id)) return false;
    this.seen.add(event.id);
    return true;
  }
}

/** The later of two cursors (both `<iso>|<id>`), by time then id. */
function newestCursor(candidate: string | null, current: string | null): string | null {
  if (!candidate) return current;
  if (!current) return candidate;
  const [at, id] = split(candidate);
  const [curAt, curId] = split(current);
  const order = newestFirst(
    { occurred_at: at, id } as ActivityEventDto,
    { occurred_at: curAt, id: curId } as ActivityEventDto,
  );
  return order < 0 ? candidate : current;
}

function split(cursor: string): [string, string] {
  const i = cursor.lastIndexOf('|');
  return [cursor.slice(0, i), cursor.slice(i + 1)];
}
