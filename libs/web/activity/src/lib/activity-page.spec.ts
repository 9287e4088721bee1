import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, type TestRequest } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router, withComponentInputBinding } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import type { ActivityEventDto } from '@sylvite/contracts';
import { AuthService, type LiveState, LiveStreamService } from '@sylvite/web-data-access';
import { Subject } from 'rxjs';
import { ActivityPage, SEARCH_DEBOUNCE_MS } from './activity-page';
import { anEvent, aPage } from './testing';

describe('ActivityPage', () => {
  let harness: RouterTestingHarness;
  let backend: HttpTestingController;
  let live: { activity: Subject<ActivityEventDto>; state: ReturnType<typeof signal<LiveState>> };

  beforeEach(async () => {
    live = { activity: new Subject(), state: signal<LiveState>('open') };
    TestBed.configureTestingModule({
      providers: [
        provideRouter([{ path: 'activity', component: ActivityPage }], withComponentInputBinding()),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: LiveStreamService, useValue: live },
        { provide: AuthService, useValue: { can: () => true } },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
  });

  afterEach(() => backend.verify());

  const root = () => harness.routeNativeElement as HTMLElement;
  const el = <T extends HTMLElement>(selector: string) => root().querySelector<T>(selector);

  function activityRequest(): TestRequest {
    const [request] = backend.match((r) => r.url === '/api/activity');
    if (!request) throw new Error('no GET /api/activity');
    return request;
  }

  async function open(url: string, events: ActivityEventDto[] = []): Promise<TestRequest> {
    await harness.navigateByUrl(url);
    const request = activityRequest();
    request.flush(aPage(events));
    await harness.fixture.whenStable();
    return request;
  }

  it('should ask the API with the filters from the URL when opened with a filtered link', async () => {
    const request = await open('/activity?category=job&q=web&hide_routine=1', [anEvent()]);

    expect(request.request.params.get('category')).toBe('job');
    expect(request.request.params.get('search')).toBe('web');
    expect(request.request.params.get('hide_routine')).toBe('true');
    expect(request.request.params.has('hide_dispatch')).toBe(false);
    expect(el<HTMLInputElement>('[data-testid=filter-search]')?.value).toBe('web');
    expect(el('[data-testid=filter-hide-routine] button')?.getAttribute('aria-checked')).toBe('true');
    expect(el('[data-testid=filter-category]')?.textContent).toContain('Jobs');
  });

  it('should put the toggle in the URL and reload the feed when a hide toggle is switched on', async () => {
    await open('/activity?category=key');

    el<HTMLButtonElement>('[data-testid=filter-hide-dispatch] button')?.click();
    await harness.fixture.whenStable();

    expect(TestBed.inject(Router).url).toBe('/activity?category=key&hide_dispatch=1');
    const reload = activityRequest();
    expect(reload.request.params.get('hide_dispatch')).toBe('true');
    expect(reload.request.params.get('category')).toBe('key');
    reload.flush(aPage([]));
  });

  it('should write the search into the URL once typing pauses', async () => {
    const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    await open('/activity');
    const input = el<HTMLInputElement>('[data-testid=filter-search]');
    if (!input) throw new Error('no search box');
    for (const text of ['d', 'db', 'db0']) {
      input.value = text;
      input.dispatchEvent(new Event('input'));
      await wait(SEARCH_DEBOUNCE_MS / 3);
    }
    expect(backend.match((r) => r.url === '/api/activity')).toHaveLength(0);

    await wait(SEARCH_DEBOUNCE_MS + 50);
    await harness.fixture.whenStable();

    expect(TestBed.inject(Router).url).toBe('/activity?q=db0');
    const request = activityRequest();
    expect(request.request.params.get('search')).toBe('db0');
    request.flush(aPage([]));
  });

  it('should show new events on top and count them instead while paused', async () => {
    await open('/activity', [anEvent({ id: '1', summary: 'first' })]);
    live.activity.next(anEvent({ id: '2', occurred_at: '2026-05-12T12:01:00.000Z', summary: 'second' }));
    await harness.fixture.whenStable();
    const summaries = () => Array.from(root().querySelectorAll('.row__summary'), (s) => s.textContent);
    expect(summaries()).toEqual(['second', 'first']);

    el<HTMLButtonElement>('[data-testid=pause]')?.click();
    await harness.fixture.whenStable();
    live.activity.next(anEvent({ id: '3', occurred_at: '2026-05-12T12:02:00.000Z', summary: 'third' }));
    live.activity.next(anEvent({ id: '4', occurred_at: '2026-05-12T12:03:00.000Z', summary: 'fourth' }));
    await harness.fixture.whenStable();

    expect(summaries()).toEqual(['second', 'first']);
    expect(el('[data-testid=missed-count]')?.textContent).toBe('2');

    el<HTMLButtonElement>('[data-testid=pause]')?.click();
    await harness.fixture.whenStable();
    expect(summaries()).toEqual(['fourth', 'third', 'second', 'first']);
    expect(el('[data-testid=paused-banner]')).toBeNull();
  });

  it('should say the stream dropped when the connection is reconnecting', async () => {
    await open('/activity');
    live.state.set('reconnecting');
    await harness.fixture.whenStable();

    expect(el('[data-testid=activity-connection]')?.textContent).toContain('The live stream dropped');
    expect(el('[data-testid=activity-live-state]')?.textContent).toContain('Reconnecting');
  });
});
