import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { ActivityEventDto, ActivityPage } from '@sylvite/contracts';
import { type LiveState, LiveStreamService } from '@sylvite/web-data-access';
import { type Observable, of, Subject, throwError } from 'rxjs';
import { ActivityApi } from './activity-api';
import { ActivityFeed } from './activity-feed';
import { NO_FILTER } from './activity-filter';
import { anEvent, aPage } from './testing';

function setUp(pages: ((query: Record<string, unknown>) => Observable<ActivityPage>)[] = []) {
  const live = { activity: new Subject<ActivityEventDto>(), state: signal<LiveState>('open') };
  const calls: Record<string, unknown>[] = [];
  const list = jest.fn((query: Record<string, unknown>) => {
    calls.push(query);
    const next = pages.shift();
    return next ? next(query) : of(aPage([]));
  });
  TestBed.configureTestingModule({
    providers: [ActivityFeed, { provide: ActivityApi, useValue: { list } }, { provide: LiveStreamService, useValue: live }],
  });
  const feed = TestBed.inject(ActivityFeed);
  TestBed.tick();
  const ids = () => feed.events().map((e) => e.id);
  return { feed, live, calls, ids };
}

describe('ActivityFeed', () => {
  it('should show the first page and put a matching live event on top when one arrives', async () => {
    const { feed, live, ids } = setUp([() => of(aPage([anEvent({ id: '2' }), anEvent({ id: '1' })]))]);
    feed.load(NO_FILTER);
    expect(ids()).toEqual(['2', '1']);

    live.activity.next(anEvent({ id: '3', occurred_at: '2026-05-12T12:05:00.000Z' }));
    expect(ids()).toEqual(['3', '2', '1']);
    expect(feed.total()?.total).toBe(3);
  });

  it('should keep out live events the filter hides when a filter is set', async () => {
    const { feed, live, ids } = setUp();
    feed.load({ category: 'job', search: 'web', hideRoutine: true, hideDispatch: true });

    live.activity.next(anEvent({ id: '10', category: 'key', event_type: 'key.accept', outcome: 'accepted', minion_id: 'web01' }));
    live.activity.next(anEvent({ id: '11', event_type: 'job.ret', outcome: 'ok', minion_id: 'web01' }));
    live.activity.next(anEvent({ id: '12', event_type: 'job.new', outcome: 'dispatched', minion_id: null, target: 'web*' }));
    live.activity.next(anEvent({ id: '13', event_type: 'job.ret', outcome: 'failed', minion_id: 'db01', target: 'db*', summary: 'db01 failed' }));
    live.activity.next(anEvent({ id: '14', event_type: 'job.ret', outcome: 'changes', minion_id: 'WEB02' }));

    expect(ids()).toEqual(['14']);
  });

  it('should freeze the list and count arrivals when paused, then show them on resume', async () => {
    const { feed, live, ids } = setUp([() => of(aPage([anEvent({ id: '1' })]))]);
    feed.load(NO_FILTER);
    feed.pause();

    live.activity.next(anEvent({ id: '2', occurred_at: '2026-05-12T12:01:00.000Z' }));
    live.activity.next(anEvent({ id: '3', occurred_at: '2026-05-12T12:02:00.000Z' }));
    live.activity.next(anEvent({ id: '3', occurred_at: '2026-05-12T12:02:00.000Z' }));

    expect(ids()).toEqual(['1']);
    expect(feed.missed()).toBe(2);

    feed.resume();
    expect(ids()).toEqual(['3', '2', '1']);
    expect(feed.missed()).toBe(0);
  });

  it('should fill the gap from the newest cursor when the stream comes back', async () => {
    const first = aPage([anEvent({ id: '5', occurred_at: '2026-05-12T12:00:00.123456Z' })], {
      newest_cursor: '2026-05-12T12:00:00.123456Z|5',
    });
    const gap = aPage(
      [
        anEvent({ id: '6', occurred_at: '2026-05-12T12:01:00.000Z' }),
        anEvent({ id: '7', occurred_at: '2026-05-12T12:02:00.000Z' }),
      ],
      { newest_cursor: '2026-05-12T12:02:00.000Z|7' },
    );
    const { feed, live, calls, ids } = setUp([() => of(first), () => of(gap)]);
    feed.load(NO_FILTER);

    live.state.set('reconnecting');
    TestBed.tick();
    live.state.set('open');
    TestBed.tick();
    expect(calls).toHaveLength(2);
    await feed.fillGap();

    expect(calls[1]).toMatchObject({ since_cursor: '2026-05-12T12:00:00.123456Z|5', limit: 500 });
    expect(ids()).toEqual(['7', '6', '5']);
  });

  it('should not show an event twice when the gap fill returns one already received live', async () => {
    const { feed, live, ids } = setUp([
      () => of(aPage([anEvent({ id: '1' })], { newest_cursor: '2026-05-12T12:00:00.000Z|1' })),
      () => of(aPage([anEvent({ id: '2', occurred_at: '2026-05-12T12:01:00.000Z' })])),
    ]);
    feed.load(NO_FILTER);
    live.activity.next(anEvent({ id: '2', occurred_at: '2026-05-12T12:01:00.000Z' }));

    await feed.fillGap();

    expect(ids()).toEqual(['2', '1']);
  });

  it('should keep live events that arrive while the first page loads', async () => {
    const page = new Subject<ActivityPage>();
    const { feed, live, ids } = setUp([() => page]);
    feed.load(NO_FILTER);
    live.activity.next(anEvent({ id: '9', occurred_at: '2026-05-12T12:09:00.000Z' }));

    page.next(aPage([anEvent({ id: '9', occurred_at: '2026-05-12T12:09:00.000Z' }), anEvent({ id: '8' })]));

    expect(ids()).toEqual(['9', '8']);
    expect(feed.status()).toBe('ready');
  });

  it('should append older rows with the next cursor when asked for older history', async () => {
    const { feed, calls, ids } = setUp([
      () => of(aPage([anEvent({ id: '9' })], { next_before_cursor: '2026-05-12T12:00:00.000Z|9' })),
      () => of(aPage([anEvent({ id: '8', occurred_at: '2026-05-12T11:00:00.000Z' })])),
    ]);
    feed.load({ ...NO_FILTER, category: 'key' });

    await feed.loadOlder();

    expect(calls[1]).toMatchObject({ before_cursor: '2026-05-12T12:00:00.000Z|9', category: 'key' });
    expect(ids()).toEqual(['9', '8']);
    expect(feed.hasOlder()).toBe(false);
  });

  it('should report the failure when the first page cannot be loaded', async () => {
    const { feed } = setUp([() => throwError(() => new Error('offline'))]);
    feed.load(NO_FILTER);
    expect(feed.status()).toBe('error');
    expect(feed.error()?.message).toBe('offline');
  });
});
