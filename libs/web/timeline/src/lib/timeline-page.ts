import { DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, DestroyRef, effect, inject, input, signal, untracked } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { Router } from '@angular/router';
import type { TimelineItem } from '@sylvite/contracts';
import { AuthService, liveResource, patchQuery, toApiError, valueOf, type ApiError } from '@sylvite/web-data-access';
import { Badge, EmptyState, ErrorState, Loading, PageHeader, RelativeTime } from '@sylvite/web-ui';
import { debounceTime, firstValueFrom, map, of, Subject, type Subscription } from 'rxjs';
import { type ProjectRef, TimelineApi } from './timeline-api';

export const TIMELINE_POLL_MS = 5000;
export const TIMELINE_PAGE_SIZE = 50;

function newestFirst(a: TimelineItem, b: TimelineItem): number {
  const at = Date.parse(b.occurred_at) - Date.parse(a.occurred_at);
  return at !== 0 ? at : b.id.localeCompare(a.id);
}

/** The cross-project feed of audit rows (seeds/002): polled every 5 s, older pages on request. */
@Component({
  selector: 'syl-timeline-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatFormFieldModule, MatInputModule, MatSelectModule, PageHeader, EmptyState, ErrorState, Loading, Badge, RelativeTime],
  templateUrl: './timeline-page.html',
  styles: `
    .item {
      display: grid;
      grid-template-columns: 90px 140px minmax(0, 1fr) auto auto;
      align-items: center;
      gap: 12px;
      padding: 10px 12px;
      border-bottom: 1px solid var(--mat-sys-outline-variant);
    }
    .list {
      list-style: none;
      margin: 0;
      padding: 0;
      border-top: 1px solid var(--mat-sys-outline-variant);
    }
    .what {
      display: flex;
      flex-direction: column;
      min-width: 0;
    }
    .what span {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .end {
      display: flex;
      justify-content: center;
      padding: 16px 0 32px;
    }
    .notice {
      margin: 0 0 12px;
    }
  `,
})
export class TimelinePage {
  readonly project = input<string | undefined>();
  readonly action = input<string | undefined>();

  private readonly api = inject(TimelineApi);
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly document = inject(DOCUMENT);

  protected readonly items = signal<TimelineItem[]>([]);
  protected readonly status = signal<'loading' | 'ready' | 'error'>('loading');
  protected readonly failure = signal<ApiError | null>(null);
  /** A failed poll after a good start: the list stays, a line says so. */
  protected readonly pollProblem = signal<string | null>(null);
  protected readonly olderCursor = signal<string | null>(null);
  protected readonly loadingOlder = signal(false);
  private readonly retryAt = signal(0);

  protected readonly filter = computed(() => ({ project: this.project()?.trim() || null, action: this.action()?.trim() || null }));
  protected readonly filtered = computed(() => !!(this.filter().project || this.filter().action));

  protected readonly projects = liveResource<ProjectRef[], boolean>({
    params: () => this.auth.can('manage:project'),
    stream: (admin) =>
      admin
        ? this.api.projects()
        : of((this.auth.me()?.memberships ?? []).map((m) => ({ slug: m.project_slug, name: m.project_name }))),
  });
  protected readonly projectList = valueOf(this.projects);
  private readonly usernames = liveResource<Map<string, string>, boolean>({
    params: () => this.auth.can('view:user'),
    stream: (allowed) => (allowed ? this.api.users().pipe(map((users) => new Map(users.map((u) => [u.id, u.username])))) : of(new Map())),
  });

  private readonly typing = new Subject<string>();
  private poll: Subscription | null = null;
  private generation = 0;

  constructor() {
    // A new filter starts the list over.
    effect(() => {
      this.filter();
      untracked(() => this.restart());
    });
    this.typing
      .pipe(debounceTime(400), takeUntilDestroyed())
      .subscribe((text) => void patchQuery(this.router, { action: text.trim() }, { replaceUrl: true }));
    const timer = setInterval(() => void this.refreshHead(), TIMELINE_POLL_MS);
    inject(DestroyRef).onDestroy(() => {
      clearInterval(timer);
      this.poll?.unsubscribe();
    });
  }

  protected setProject(slug: string | null): void {
    void patchQuery(this.router, { project: slug });
  }

  protected typeAction(text: string): void {
    this.typing.next(text);
  }

  protected who(item: TimelineItem): string {
    if (!item.user_id) return 'system';
    if (item.user_id === this.auth.me()?.user.id) return 'you';
    return (this.usernames.hasValue() ? this.usernames.value()?.get(item.user_id) : undefined) ?? `user ${item.user_id.slice(0, 8)}`;
  }

  protected target(item: TimelineItem): string {
    if (!item.target_type && !item.target_id) return '';
    return [item.target_type, item.target_id].filter(Boolean).join(':');
  }

  protected async loadOlder(): Promise<void> {
    const cursor = this.olderCursor();
    if (!cursor || this.loadingOlder()) return;
    const generation = this.generation;
    this.loadingOlder.set(true);
    try {
      const page = await firstValueFrom(this.api.page({ ...this.query(), before_cursor: cursor }));
      if (generation !== this.generation) return;
      this.merge(page.items);
      this.olderCursor.set(page.next_before_cursor);
    } catch (error) {
      this.pollProblem.set(toApiError(error).message);
    } finally {
      this.loadingOlder.set(false);
    }
  }

  protected retry(): void {
    this.restart();
  }

  private query() {
    const f = this.filter();
    return { limit: TIMELINE_PAGE_SIZE, project_slug: f.project, action_prefix: f.action };
  }

  private restart(): void {
    const generation = ++this.generation;
    this.poll?.unsubscribe();
    this.items.set([]);
    this.olderCursor.set(null);
    this.failure.set(null);
    this.pollProblem.set(null);
    this.status.set('loading');
    this.poll = this.api.page(this.query()).subscribe({
      next: (page) => {
        if (generation !== this.generation) return;
        this.items.set([...page.items].sort(newestFirst));
        this.olderCursor.set(page.next_before_cursor);
        this.status.set('ready');
      },
      error: (error: unknown) => {
        if (generation !== this.generation) return;
        this.failure.set(toApiError(error));
        this.status.set('error');
      },
    });
  }

  /** The head of the timeline again, merged in; skipped while the tab is hidden or rate-limited. */
  private async refreshHead(): Promise<void> {
    if (this.status() !== 'ready' || this.document.hidden || Date.now() < this.retryAt()) return;
    const generation = this.generation;
    try {
      const page = await firstValueFrom(this.api.page(this.query()));
      if (generation !== this.generation) return;
      this.merge(page.items);
      this.pollProblem.set(null);
    } catch (error) {
      const e = toApiError(error);
      if (e.status === 429) this.retryAt.set(Date.now() + (e.retryAfterSeconds ?? 60) * 1000);
      this.pollProblem.set(e.status === 429 ? `Too many requests; checking again in ${e.retryAfterSeconds ?? 60} s.` : e.message);
    }
  }

  private merge(incoming: TimelineItem[]): void {
    if (!incoming.length) return;
    const known = new Set(this.items().map((i) => i.id));
    const fresh = incoming.filter((i) => !known.has(i.id));
    if (fresh.length) this.items.update((items) => [...items, ...fresh].sort(newestFirst));
  }
}
