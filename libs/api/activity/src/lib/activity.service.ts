import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import {
  ACTIVITY_LIMIT_DEFAULT, decodeCursor, encodeCursor, type ActivityEventDetailDto, type ActivityPage, type ActivityWidgetConfig, type Principal,
  type WidgetSettings,
} from '@sylvite/contracts';
import { AppSettings, WIDGET_DEFAULTS } from '@sylvite/api-settings';
import { activityScopeFor, scopeCategories } from './activity-scope';
import { effectiveScope, type ActivityFilter } from './activity-filter';
import { ActivityRepository, type ActivityCriteria, type PageRequest } from './activity.repository';
import type { ActivityFilterDto, ActivityQueryDto, ActivityRangeDto } from './dto/activity-query.dto';

const WIDGET_BOUNDS: Partial<Record<keyof WidgetSettings, [number, number]>> = {
  widget_event_count: [1, 50],
  widget_heartbeat_minutes: [5, 1440],
};

/**
 * Stored values over the defaults. The settings API validates what it saves; this also keeps a
 * value written some other way (by hand, by an older version) from reaching the console unchecked.
 */
export function widgetConfigFrom(stored: unknown): ActivityWidgetConfig {
  const out: ActivityWidgetConfig = { ...WIDGET_DEFAULTS };
  if (!stored || typeof stored !== 'object') return out;
  const s = stored as Record<string, unknown>;
  for (const key of Object.keys(WIDGET_DEFAULTS) as (keyof WidgetSettings)[]) {
    const v = s[key];
    const bounds = WIDGET_BOUNDS[key];
    if (bounds) {
      if (typeof v === 'number' && Number.isInteger(v) && v >= bounds[0] && v <= bounds[1]) (out[key] as number) = v;
    } else if (typeof v === 'boolean') (out[key] as boolean) = v;
  }
  return out;
}

/** The parsed filter of any of the three endpoints (`q` is `search` under its DESIGN.md name). */
export function filterOf(dto: ActivityFilterDto): ActivityFilter {
  if (dto.search !== undefined && dto.q !== undefined && dto.search !== dto.q) {
    throw new BadRequestException('q: is another name for search; send one of them');
  }
  return {
    category: dto.category,
    categories: dto.categories,
    minion_id: dto.minion_id,
    event_type: dto.event_type,
    jid: dto.jid,
    search: dto.search ?? dto.q,
    hide_routine: dto.hide_routine,
    hide_dispatch: dto.hide_dispatch,
  };
}

/** Decisions of the feed: who sees which rows, what a page is, what the stream setting says. */
@Injectable()
export class ActivityService {
  constructor(private readonly repo: ActivityRepository, private readonly settings: AppSettings) {}

  /** The rows the principal may see, narrowed by the request's filters and time bounds. */
  criteriaFor(principal: Principal, dto: ActivityRangeDto | ActivityFilterDto): ActivityCriteria {
    const filter = filterOf(dto);
    const range = dto as ActivityRangeDto;
    return {
      ...filter,
      scope: effectiveScope(activityScopeFor(principal), filter),
      since: range.since,
      until: range.until,
      since_minutes: range.since_minutes,
    };
  }

  async list(principal: Principal, q: ActivityQueryDto): Promise<ActivityPage> {
    const criteria = this.criteriaFor(principal, q);
    const before = q.before_cursor ? decodeCursor(q.before_cursor) ?? undefined : undefined;
    const after = q.since_cursor ? decodeCursor(q.since_cursor) ?? undefined : undefined;
    // Oldest first, so a poller that fell behind walks forward and skips nothing (as the audit API does).
    const req: PageRequest = { limit: q.limit ?? ACTIVITY_LIMIT_DEFAULT, offset: q.offset ?? 0, before, after, ascending: !!after && !before };
    // Asking for a category the caller cannot see is an empty page, not a 403: probes learn nothing.
    if (scopeCategories(criteria.scope).length === 0) {
      return { total: 0, total_is_estimate: false, events: [], next_before_cursor: null, newest_cursor: q.since_cursor ?? null };
    }
    const { rows, count } = await this.repo.page(criteria, req);
    const more = rows.length > req.limit;
    const events = rows.slice(0, req.limit);
    const newest = req.ascending ? events[events.length - 1] : events[0];
    const oldest = req.ascending ? events[0] : events[events.length - 1];
    const total = count ?? { total: events.length, estimate: false };
    return {
      total: total.total,
      total_is_estimate: total.estimate,
      events,
      next_before_cursor: !req.ascending && more && oldest ? encodeCursor(oldest.occurred_at, oldest.id, total) : null,
      newest_cursor: newest ? encodeCursor(newest.occurred_at, newest.id) : q.since_cursor ?? null,
    };
  }

  /** 404 both when the row does not exist and when it lies outside the caller's scope. */
  async detail(principal: Principal, id: string): Promise<ActivityEventDetailDto> {
    if (!/^\d{1,19}$/.test(id)) throw new BadRequestException('id: must be a row id');
    const scope = activityScopeFor(principal);
    const row = scopeCategories(scope).length ? await this.repo.detail(scope, id.replace(/^0+(?=\d)/, '')) : null;
    if (!row) throw new NotFoundException(`activity event ${id} not found`);
    return row;
  }

  /** Settings first (`stream.enabled`), then `SYLVITE_EVENT_STREAM`; off by default. */
  streamEnabled(): Promise<boolean> {
    return this.settings.streamEnabled();
  }

  async widgetConfig(): Promise<ActivityWidgetConfig> {
    return widgetConfigFrom(await this.settings.widget());
  }
}
