import { BadRequestException } from '@nestjs/common';
import { WIDGET_DEFAULTS } from '@sylvite/api-settings';
import { filterOf, widgetConfigFrom } from './activity.service';

describe('widgetConfigFrom', () => {
  it('should give the defaults when nothing is stored', () => {
    expect(widgetConfigFrom(null)).toEqual({
      widget_hide_dispatch: true, widget_hide_routine: false, widget_show_jobs: true, widget_show_keys: true,
      widget_show_minions: true, widget_event_count: 6, widget_heartbeat_minutes: 60,
    });
  });

  it('should take stored values over the defaults when they are valid', () => {
    expect(widgetConfigFrom({ widget_hide_dispatch: false, widget_event_count: 50, widget_heartbeat_minutes: 5 })).toEqual({
      ...WIDGET_DEFAULTS, widget_hide_dispatch: false, widget_event_count: 50, widget_heartbeat_minutes: 5,
    });
  });

  it('should fall back per field when a stored value has the wrong type or is out of bounds', () => {
    expect(widgetConfigFrom({ widget_show_keys: 'no', widget_event_count: 51, widget_heartbeat_minutes: 4.5 })).toEqual(WIDGET_DEFAULTS);
  });
});

describe('filterOf', () => {
  it('should read q as search when only q is given', () => {
    expect(filterOf({ q: 'web' }).search).toBe('web');
  });

  it('should refuse naming the parameter when search and q disagree', () => {
    expect(() => filterOf({ q: 'web', search: 'db' })).toThrow(new BadRequestException('q: is another name for search; send one of them'));
  });
});
