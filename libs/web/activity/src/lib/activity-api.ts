import { inject, Injectable } from '@angular/core';
import type { ActivityEventDetailDto, ActivityPage, ActivityWidgetConfig } from '@sylvite/contracts';
import { ApiClient, type QueryParams } from '@sylvite/web-data-access';
import type { Observable } from 'rxjs';

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
