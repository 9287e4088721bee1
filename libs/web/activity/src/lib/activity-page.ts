import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  effect,
  type ElementRef,
  inject,
  input,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { Router } from '@angular/router';
import type { ActivityCategory, ActivityEventDto } from '@sylvite/contracts';
import { AuthService, LiveStreamService, patchQuery } from '@sylvite/web-data-access';
import { EmptyState, ErrorState, Icon, Loading, PageHeader } from '@sylvite/web-ui';
import { debounceTime, Subject } from 'rxjs';
import { openActivityDetail } from './activity-detail';
import { ActivityFeed } from './activity-feed';
import { filterFromQuery, filterToQuery, NO_FILTER, sameFilter, type ActivityFilter } from './activity-filter';
import { ActivityRow } from './activity-row';
import { LIVE_STATE_TEXT } from './live-state-text';

const CATEGORY_CHOICES: readonly { value: ActivityCategory; label: string; permission: `view:${ActivityCategory}` }[] = [
  { value: 'job', label: 'Jobs', permission: 'view:job' },
  { value: 'key', label: 'Keys', permission: 'view:key' },
  { value: 'minion', label: 'Minions', permission: 'view:minion' },
];

export const SEARCH_DEBOUNCE_MS = 300;

@Component({
  selector: 'syl-activity-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    MatSlideToggleModule,
    MatProgressBarModule,
    PageHeader,
    EmptyState,
    ErrorState,
    Loading,
    Icon,
    ActivityRow,
  ],
  providers: [ActivityFeed],
  templateUrl: './activity-page.html',
  styleUrl: './activity-page.scss',
})
export class ActivityPage {
  // The filters live in the URL; the router binds its query parameters to these inputs.
  readonly category = input<string | undefined>();
  readonly q = input<string | undefined>();
  readonly hide_routine = input<string | undefined>();
  readonly hide_dispatch = input<string | undefined>();

  private readonly router = inject(Router);
  private readonly dialog = inject(MatDialog);
  private readonly live = inject(LiveStreamService);
  private readonly auth = inject(AuthService);
  protected readonly feed = inject(ActivityFeed);
  private readonly sentinel = viewChild<ElementRef<HTMLElement>>('sentinel');

  protected readonly filter = computed<ActivityFilter>(
    () =>
      filterFromQuery({
        category: this.category(),
        q: this.q(),
        hide_routine: this.hide_routine(),
        hide_dispatch: this.hide_dispatch(),
      }),
    { equal: sameFilter },
  );
  protected readonly filtered = computed(() => !sameFilter(this.filter(), NO_FILTER));
  protected readonly categories = computed(() => CATEGORY_CHOICES.filter((c) => this.auth.can(c.permission)));
  protected readonly searchText = signal('');
  protected readonly liveState = this.live.state;
  protected readonly liveText = computed(() => LIVE_STATE_TEXT[this.liveState()]);
  protected readonly totalText = computed(() => {
    const total = this.feed.total();
    if (!total) return null;
    const n = total.total.toLocaleString();
    return `${total.estimate ? `${n}+` : n} ${total.total === 1 ? 'event' : 'events'}`;
  });

  private readonly searches = new Subject<string>();

  constructor() {
    effect(() => {
      const filter = this.filter();
      untracked(() => {
        this.feed.load(filter);
        // The box follows the URL (Back, a shared link) unless it already says the same.
        if (this.searchText().trim() !== filter.search) this.searchText.set(filter.search);
      });
    });
    this.searches
      .pipe(debounceTime(SEARCH_DEBOUNCE_MS), takeUntilDestroyed())
      .subscribe((text) => void patchQuery(this.router, { q: text.trim() }, { replaceUrl: true }));
    this.observeSentinel();
  }

  protected setCategory(category: ActivityCategory | null): void {
    void patchQuery(this.router, { category });
  }

  protected typeSearch(text: string): void {
    this.searchText.set(text);
    this.searches.next(text);
  }

  protected setHideRoutine(on: boolean): void {
    void patchQuery(this.router, { hide_routine: on });
  }

  protected setHideDispatch(on: boolean): void {
    void patchQuery(this.router, { hide_dispatch: on });
  }

  protected clearFilters(): void {
    this.searchText.set('');
    void patchQuery(this.router, filterToQuery(NO_FILTER));
  }

  protected togglePause(): void {
    if (this.feed.paused()) this.feed.resume();
    else this.feed.pause();
  }

  protected open(event: ActivityEventDto): void {
    openActivityDetail(this.dialog, event);
  }

  /** Older history loads when the end of the list scrolls into view (the button does it by keyboard). */
  private observeSentinel(): void {
    const observer = signal<IntersectionObserver | null>(null);
    afterNextRender(() => {
      if (typeof IntersectionObserver === 'undefined') return;
      observer.set(
        new IntersectionObserver((entries) => {
          if (entries.some((e) => e.isIntersecting)) void this.feed.loadOlder();
        }, { rootMargin: '400px 0px' }),
      );
    });
    effect((onCleanup) => {
      const io = observer();
      const el = this.sentinel()?.nativeElement;
      // Observing again after the list changes delivers a fresh entry: a short page keeps filling.
      this.feed.events();
      if (!io || !el) return;
      io.observe(el);
      onCleanup(() => io.unobserve(el));
    });
    inject(DestroyRef).onDestroy(() => observer()?.disconnect());
  }
}
