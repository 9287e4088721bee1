import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatDialog } from '@angular/material/dialog';
import { RouterLink } from '@angular/router';
import type { ActivityCategory, ActivityPage, ActivityWidgetConfig } from '@sylvite/contracts';
import { ActivityApi, ActivityRow, LIVE_STATE_TEXT, openActivityDetail } from '@sylvite/web-activity';
import { AuthService, InvalidationHub, liveResource, LiveStreamService, resourceError, valueOf } from '@sylvite/web-data-access';
import { Clock, ErrorState, formatRelative, Loading } from '@sylvite/web-ui';
import { of, throttleTime } from 'rxjs';

/** The Overview refetches at most this often however busy the fleet is; the Activity page is the live view. */
export const WIDGET_REFRESH_MS = 5000;

type Heartbeat = 'live' | 'quiet' | 'down';

const EMPTY_PAGE: ActivityPage = { total: 0, total_is_estimate: false, events: [], next_before_cursor: null, newest_cursor: null };

/** The latest few events as the widget settings ask, how busy the last hour was, and the stream's heartbeat. */
@Component({
  selector: 'syl-recent-activity-widget',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, ActivityRow, ErrorState, Loading],
  template: `
    <header class="head">
      <h2>Recent activity</h2>
      <span class="beat" [attr.data-beat]="heartbeat()" role="status" data-testid="heartbeat" [attr.title]="beatDetail()">
        <span class="beat__dot" aria-hidden="true"></span>{{ beatText() }}
      </span>
    </header>
    <p class="count syl-muted" data-testid="last-hour">{{ lastHourText() }}</p>
    @if (events.hasValue()) {
      @if (events.value()!.events.length === 0) {
        <p class="syl-muted empty">No recent activity to show.</p>
      } @else {
        <ul class="rows">
          @for (e of events.value()!.events; track e.id) {
            <li><syl-activity-row [event]="e" [compact]="true" (opened)="open($event)" /></li>
          }
        </ul>
      }
    } @else if (error(); as e) {
      <syl-error-state heading="Could not load recent activity" [message]="e.message" (retry)="events.reload()" />
    } @else {
      <syl-loading label="Loading recent activity…" />
    }
    <a class="all" routerLink="/activity">View all →</a>
  `,
  styles: `
    :host {
      display: flex;
      flex-direction: column;
    }
    .head {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: 8px;
    }
    h2 {
      margin: 0;
      font: var(--mat-sys-title-medium);
    }
    .count {
      margin: 4px 0 8px;
    }
    .rows {
      list-style: none;
      margin: 0;
      padding: 0;
    }
    .empty {
      padding: 16px 0;
    }
    .all {
      align-self: flex-end;
      margin-top: 8px;
    }
    .beat {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      font: var(--mat-sys-label-medium);
      color: var(--mat-sys-on-surface-variant);
    }
    .beat__dot {
      width: 10px;
      height: 10px;
      border-radius: 50%;
      background: var(--mat-sys-error);
    }
    .beat[data-beat='live'] .beat__dot {
      background: #2e9d4f;
      animation: pulse 2s ease-in-out infinite;
    }
    .beat[data-beat='quiet'] .beat__dot {
      background: #d68a00;
    }
    @keyframes pulse {
      50% {
        box-shadow: 0 0 0 4px color-mix(in srgb, #2e9d4f 30%, transparent);
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .beat[data-beat='live'] .beat__dot {
        animation: none;
      }
    }
  `,
})
export class RecentActivityWidget {
  private readonly api = inject(ActivityApi);
  private readonly auth = inject(AuthService);
  private readonly live = inject(LiveStreamService);
  private readonly clock = inject(Clock);
  private readonly dialog = inject(MatDialog);

  protected readonly config = liveResource({ params: () => true, stream: () => this.api.widgetConfig() });
  private readonly configValue = valueOf(this.config);
  private readonly categories = computed<ActivityCategory[] | null>(() => {
    const c = this.configValue();
    if (!c) return null;
    const wanted: [ActivityCategory, boolean][] = [
      ['job', c.widget_show_jobs],
      ['key', c.widget_show_keys],
      ['minion', c.widget_show_minions],
    ];
    return wanted.filter(([category, shown]) => shown && this.auth.can(`view:${category}`)).map(([category]) => category);
  });
  protected readonly events = liveResource({
    params: () => {
      const c = this.configValue();
      const categories = this.categories();
      if (!c || !categories) return undefined;
      return { config: c, categories };
    },
    stream: ({ config, categories }: { config: ActivityWidgetConfig; categories: ActivityCategory[] }) =>
      categories.length === 0
        ? of(EMPTY_PAGE)
        : this.api.list({
            limit: config.widget_event_count,
            categories: categories.join(','),
            hide_dispatch: config.widget_hide_dispatch || null,
            hide_routine: config.widget_hide_routine || null,
          }),
  });
  protected readonly lastHour = liveResource({ params: () => true, stream: () => this.api.list({ since_minutes: 60, limit: 1 }) });
  protected readonly error = resourceError(this.events);
  private readonly lastHourPage = valueOf(this.lastHour);

  protected readonly lastHourText = computed(() => {
    const page = this.lastHourPage();
    if (!page) return '';
    const n = `${page.total.toLocaleString()}${page.total_is_estimate ? '+' : ''}`;
    return `${n} ${page.total === 1 ? 'event' : 'events'} · last hour`;
  });

  private readonly lastHeard = computed(() => this.live.saltStatus()?.last_event_at ?? this.live.lastEvent()?.received_at ?? null);
  protected readonly heartbeat = computed<Heartbeat>(() => {
    if (this.live.state() !== 'open') return 'down';
    const last = this.lastHeard();
    const quietAfter = (this.configValue()?.widget_heartbeat_minutes ?? 60) * 60_000;
    if (!last || this.clock.now() - Date.parse(last) > quietAfter) return 'quiet';
    return 'live';
  });
  protected readonly beatText = computed(() => {
    const state = this.live.state();
    if (state !== 'open') return LIVE_STATE_TEXT[state].label;
    const last = this.lastHeard();
    this.clock.now();
    return last ? `Live · last event ${formatRelative(last, Date.now())}` : 'Live · no event heard yet';
  });
  protected readonly beatDetail = computed(() => LIVE_STATE_TEXT[this.live.state()].detail);

  constructor() {
    inject(InvalidationHub)
      .changes('activity')
      .pipe(throttleTime(WIDGET_REFRESH_MS, undefined, { leading: true, trailing: true }), takeUntilDestroyed())
      .subscribe(() => {
        this.events.reload();
        this.lastHour.reload();
      });
  }

  protected open(event: Parameters<typeof openActivityDetail>[1]): void {
    openActivityDetail(this.dialog, event);
  }
}
