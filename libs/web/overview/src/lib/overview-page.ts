import { ChangeDetectionStrategy, Component, computed, effect, inject, signal, untracked } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { ActivityEventDto, PermissionKey } from '@sylvite/contracts';
import { ActivityApi } from '@sylvite/web-activity';
import { AuthService, InvalidationHub, liveResource, LiveStreamService, resourceError, valueOf } from '@sylvite/web-data-access';
import { Clock, ErrorState, Loading, PageHeader } from '@sylvite/web-ui';
import { EMPTY, expand, filter, reduce, throttleTime } from 'rxjs';
import { bucketByHour } from './activity-buckets';
import { ActivityChart } from './activity-chart';
import { KpiTiles } from './kpi-tiles';
import { RecentActivityWidget } from './recent-activity-widget';

/** Returns read for the chart: enough for a busy day's shape without paging through a flood. */
export const CHART_PAGE = 500;
export const CHART_PAGES_MAX = 6;
const CHART_REFRESH_MS = 60_000;
const MAX_HEARD = 5000;
const FLEET_VIEW: readonly PermissionKey[] = ['view:job', 'view:key', 'view:minion'];

@Component({
  selector: 'syl-overview-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [PageHeader, KpiTiles, RecentActivityWidget, ActivityChart, ErrorState, Loading],
  template: `
    <syl-page-header heading="Overview" [subtitle]="greeting()" />
    <syl-kpi-tiles class="kpis" />
    @if (seesActivity()) {
      <div class="grid">
        <section class="syl-card" aria-label="Recent activity" data-testid="recent-activity">
          <syl-recent-activity-widget />
        </section>
        <section class="syl-card" aria-labelledby="chart-heading" data-testid="activity-chart">
          <h2 id="chart-heading">Job returns, last 24 hours</h2>
          @if (buckets(); as b) {
            <syl-activity-chart [buckets]="b" />
            @if (chart.value()!.partial) {
              <p class="syl-muted note">Busy day: the chart counts the latest {{ chart.value()!.events.length.toLocaleString() }} returns.</p>
            }
          } @else if (chartError(); as e) {
            <syl-error-state heading="Could not load the chart" [message]="e.message" (retry)="chart.reload()" />
          } @else {
            <syl-loading label="Counting job returns…" />
          }
        </section>
      </div>
    }
  `,
  styles: `
    .kpis {
      margin-bottom: 16px;
    }
    .grid {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(420px, 1fr));
      gap: 16px;
      align-items: start;
    }
    .grid .syl-card {
      margin: 0;
    }
    .note {
      margin: 8px 0 0;
    }
  `,
})
export class OverviewPage {
  private readonly auth = inject(AuthService);
  private readonly activity = inject(ActivityApi);
  private readonly clock = inject(Clock);

  protected readonly greeting = computed(() => {
    const user = this.auth.user();
    return user ? `Signed in as ${user.display_name || user.username}.` : null;
  });
  protected readonly seesActivity = computed(() => FLEET_VIEW.some((p) => this.auth.can(p)));

  /**
   * No endpoint aggregates by hour: the last day's job returns are read page by page (newest
   * first, capped) and counted here.
   */
  protected readonly chart = liveResource({
    params: () => this.auth.can('view:job') || undefined,
    stream: () => {
      const query = { category: 'job', event_type: 'job.ret', since_minutes: 1440, limit: CHART_PAGE };
      let pages = 0;
      return this.activity.list(query).pipe(
        expand((page) =>
          page.next_before_cursor && ++pages < CHART_PAGES_MAX ? this.activity.list({ ...query, before_cursor: page.next_before_cursor }) : EMPTY,
        ),
        reduce(
          (acc, page) => ({ events: [...acc.events, ...page.events], partial: !!page.next_before_cursor }),
          { events: [] as ActivityEventDto[], partial: false },
        ),
      );
    },
  });
  protected readonly chartError = resourceError(this.chart);
  private readonly loaded = valueOf(this.chart);
  /** Returns heard live since the last load: the chart moves with them instead of waiting for a refetch. */
  private readonly heard = signal<ActivityEventDto[]>([]);
  protected readonly buckets = computed(() => {
    const loaded = this.loaded();
    if (!loaded) return null;
    const ids = new Set(loaded.events.map((e) => e.id));
    return bucketByHour([...loaded.events, ...this.heard().filter((e) => !ids.has(e.id))], this.clock.now());
  });

  constructor() {
    inject(LiveStreamService)
      .activity.pipe(
        filter((e) => e.event_type === 'job.ret'),
        takeUntilDestroyed(),
      )
      .subscribe((e) => this.heard.update((heard) => [...heard.slice(-(MAX_HEARD - 1)), e]));
    // What a reload brought back no longer needs to be kept aside.
    effect(() => {
      const loaded = this.loaded();
      if (!loaded) return;
      const ids = new Set(loaded.events.map((e) => e.id));
      untracked(() => this.heard.update((heard) => heard.filter((e) => !ids.has(e.id))));
    });
    inject(InvalidationHub)
      .changes('activity')
      .pipe(throttleTime(CHART_REFRESH_MS, undefined, { leading: false, trailing: true }), takeUntilDestroyed())
      .subscribe(() => this.chart.reload());
  }
}
