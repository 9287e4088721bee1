import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, type TestRequest } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router, withComponentInputBinding } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import type { TimelineItem, TimelinePage as TimelinePageDto } from '@sylvite/contracts';
import { aMe, AuthService } from '@sylvite/web-data-access';
import { TIMELINE_POLL_MS, TimelinePage } from './timeline-page';

function anItem(id: string, occurred_at: string, overrides: Partial<TimelineItem> = {}): TimelineItem {
  return {
    id,
    project_id: 'p1',
    project_slug: 'alpha',
    user_id: null,
    action: 'salt.run',
    target_type: 'minion',
    target_id: 'web01',
    result: 'success',
    outcome: 'allow',
    metadata: null,
    source_ip: null,
    occurred_at,
    ...overrides,
  };
}

function aPage(items: TimelineItem[], next: string | null = null): TimelinePageDto {
  return { items, next_before_cursor: next, newest_cursor: null };
}

describe('TimelinePage', () => {
  let backend: HttpTestingController;
  let harness: RouterTestingHarness;

  beforeEach(async () => {
    jest.useFakeTimers({ now: Date.parse('2026-05-12T12:00:00Z') });
    const me = aMe({
      permissions: [],
      memberships: [{ project_id: 'p1', project_slug: 'alpha', project_name: 'Alpha', role: 'operator' }],
    });
    TestBed.configureTestingModule({
      providers: [
        provideRouter([{ path: 'timeline', component: TimelinePage }], withComponentInputBinding()),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: AuthService, useValue: { me: signal(me), can: () => false } },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
  });

  afterEach(() => {
    backend.verify();
    jest.useRealTimers();
  });

  const root = () => harness.routeNativeElement as HTMLElement;
  const ids = () => Array.from(root().querySelectorAll('[data-testid=timeline-list] li'), (li) => li.getAttribute('data-action'));
  async function settle(ms = 0): Promise<void> {
    await jest.advanceTimersByTimeAsync(ms);
    TestBed.tick();
  }
  function timelineRequest(): TestRequest {
    const [request] = backend.match((r) => r.url === '/api/v1/activity');
    if (!request) throw new Error('no GET /api/v1/activity');
    return request;
  }

  async function open(url: string, page: TimelinePageDto): Promise<TestRequest> {
    const navigation = harness.navigateByUrl(url);
    await settle();
    await navigation;
    const request = timelineRequest();
    request.flush(page);
    await settle();
    return request;
  }

  it('should ask for the filtered head of the feed when opened with filters', async () => {
    const request = await open('/timeline?project=alpha&action=key.', aPage([anItem('1', '2026-05-12T11:59:00Z', { action: 'key.accept' })]));

    expect(request.request.params.get('project_slug')).toBe('alpha');
    expect(request.request.params.get('action_prefix')).toBe('key.');
    expect(request.request.params.get('limit')).toBe('50');
    expect(ids()).toEqual(['key.accept']);
  });

  it('should merge new rows on top every 5 seconds without losing the loaded ones', async () => {
    await open('/timeline', aPage([anItem('1', '2026-05-12T11:59:00Z')]));

    await settle(TIMELINE_POLL_MS);
    timelineRequest().flush(
      aPage([anItem('2', '2026-05-12T12:00:03Z', { action: 'key.accept' }), anItem('1', '2026-05-12T11:59:00Z')]),
    );
    await settle();

    expect(ids()).toEqual(['key.accept', 'salt.run']);
  });

  it('should wait out Retry-After instead of polling when the feed answers 429', async () => {
    await open('/timeline', aPage([anItem('1', '2026-05-12T11:59:00Z')]));

    await settle(TIMELINE_POLL_MS);
    timelineRequest().flush(
      { detail: 'activity feed rate limit exceeded (60/min per user)' },
      { status: 429, statusText: 'Too Many Requests', headers: { 'Retry-After': '60' } },
    );
    await settle();
    expect(root().textContent).toContain('checking again in 60 s');

    await settle(TIMELINE_POLL_MS * 5);
    expect(backend.match((r) => r.url === '/api/v1/activity')).toHaveLength(0);
    expect(ids()).toEqual(['salt.run']);

    await settle(TIMELINE_POLL_MS * 8);
    timelineRequest().flush(aPage([anItem('1', '2026-05-12T11:59:00Z')]));
  });

  it('should load the next page by cursor when Load older is pressed', async () => {
    await open('/timeline', aPage([anItem('2', '2026-05-12T11:59:00Z')], '2026-05-12T11:59:00Z|2'));

    root().querySelector<HTMLButtonElement>('[data-testid=timeline-older]')?.click();
    await settle();
    const older = timelineRequest();
    expect(older.request.params.get('before_cursor')).toBe('2026-05-12T11:59:00Z|2');
    older.flush(aPage([anItem('1', '2026-05-12T10:00:00Z', { action: 'auth.login', project_slug: null })]));
    await settle();

    expect(ids()).toEqual(['salt.run', 'auth.login']);
    expect(root().textContent).toContain('No older entries.');
  });

  it('should start over with the new filter when the action filter is typed', async () => {
    await open('/timeline', aPage([anItem('1', '2026-05-12T11:59:00Z')]));
    const input = root().querySelector<HTMLInputElement>('[data-testid=timeline-action]');
    if (!input) throw new Error('no action filter');
    input.value = 'user.';
    input.dispatchEvent(new Event('input'));
    await settle(500);

    expect(TestBed.inject(Router).url).toBe('/timeline?action=user.');
    const request = timelineRequest();
    expect(request.request.params.get('action_prefix')).toBe('user.');
    request.flush(aPage([]));
    await settle();
    expect(root().textContent).toContain('No entry matches these filters.');
  });
});
