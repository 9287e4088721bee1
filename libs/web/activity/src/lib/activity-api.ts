import { inject, Injectable } from '@angular/core';
import type { ActivityEventDetailDto, ActivityPage } from '@sylvite/contracts';
import { ApiClient, type QueryParams } from '@sylvite/web-data-access';
import type { Observable } from 'rxjs';

/**
 * GET /api/activity/widget-config.
 * TODO(contracts): the api declares it in libs/api/activity (ActivityWidgetConfig); move it beside ActivityPage.
 */
export interface ActivityWidgetConfig {
  widget_hide_dispatch: boolean;
  widget_hide_routine: boolean;
  widget_show_jobs: boolean;
  widget_show_keys: boolean;
  widget_show_minions: boolean;
  /** 1–50. */
  widget_event_count: number;
  /** 5–1440: after this long without an event the heartbeat says the stream is quiet. */
  widget_heartbeat_minutes: number;
}

@Injectable({ providedIn: 'root' })
export class ActivityApi {
  private readonly api = inject(ApiClient);

  list(query: QueryParams): Observable<ActivityPage> {
    return this.api.get<ActivityPage>('/activity', query);
  }

  detail(id: string): Observable<ActivityEventDetailDto> {
    return this.api.get<ActivityEventDetailDto>(`/activity/${encodeURIComponent(id)}`);
  }

  widgetConfig(): Observable<ActivityWidgetConfig> {
    return this.api.get<ActivityWidgetConfig>('/activity/widget-config');
  }
}
