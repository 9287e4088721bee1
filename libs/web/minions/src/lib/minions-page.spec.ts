import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, type TestRequest } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router, withComponentInputBinding } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import type { MinionDto, MinionsPageDto } from '@sylvite/contracts';
import { MINIONS_PAGE_SIZE, MinionsPage } from './minions-page';

function aMinion(id: string): MinionDto {
  return {
    id,
    key_state: 'accepted',
    status: 'online',
    last_seen: '2026-05-12T12:00:00.000Z',
    os: 'Debian',
    os_release: '12',
    ip: '10.0.0.1',
    last_job: null,
    last_highstate: { jid: '1', fun: 'state.highstate', started_at: '2026-05-12T11:00:00.000Z', outcome: 'failed' },
  };
}

describe('MinionsPage', () => {
  let backend: HttpTestingController;
  let harness: RouterTestingHarness;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([{ path: 'minions', component: MinionsPage }], withComponentInputBinding()),
        provideHttpClient(),
        provideHttpClientTesting(),
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
  });

  afterEach(() => backend.verify());

  const root = () => harness.routeNativeElement as HTMLElement;
  const settle = async (ms = 0) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    TestBed.tick();
  };
  function minionsRequest(): TestRequest {
    const [request] = backend.match((r) => r.url === '/api/minions');
    if (!request) throw new Error('no GET /api/minions');
    return request;
  }

  it('should search and page through the URL when the search is typed and Next is pressed', async () => {
    await harness.navigateByUrl('/minions?status=online');
    await settle();
    const first = minionsRequest();
    expect(first.request.params.get('status')).toBe('online');
    expect(first.request.params.get('offset')).toBe('0');
    const page: MinionsPageDto = { items: [aMinion('web01')], total: 150, limit: MINIONS_PAGE_SIZE, offset: 0 };
    first.flush(page);
    await settle();
    expect(root().querySelector('tr[data-minion=web01] [data-outcome=failed]')).not.toBeNull();

    root().querySelector<HTMLButtonElement>('.syl-pager button:last-child')?.click();
    await settle();
    expect(TestBed.inject(Router).url).toBe(`/minions?status=online&page=${MINIONS_PAGE_SIZE}`);
    const next = minionsRequest();
    expect(next.request.params.get('offset')).toBe(String(MINIONS_PAGE_SIZE));
    next.flush({ ...page, offset: MINIONS_PAGE_SIZE });
    await settle();

    const search = root().querySelector<HTMLInputElement>('[data-testid=minions-search]');
    if (!search) throw new Error('no search box');
    search.value = 'db';
    search.dispatchEvent(new Event('input'));
    await settle(350);
    expect(TestBed.inject(Router).url).toBe('/minions?status=online&q=db');
    const searched = minionsRequest();
    expect(searched.request.params.get('q')).toBe('db');
    expect(searched.request.params.get('offset')).toBe('0');
    searched.flush({ items: [], total: 0, limit: MINIONS_PAGE_SIZE, offset: 0 });
    await settle();
    expect(root().textContent).toContain('No minion matches these filters.');
  });
});
