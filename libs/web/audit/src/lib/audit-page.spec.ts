import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, type TestRequest } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router, withComponentInputBinding } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import type { AuditEntryDto, AuditPage as AuditPageDto } from '@sylvite/contracts';
import { AuthService } from '@sylvite/web-data-access';
import { AuditPage } from './audit-page';

const ALICE = '00000000-0000-4000-8000-00000000a11c';

function anEntry(overrides: Partial<AuditEntryDto> = {}): AuditEntryDto {
  return {
    id: '10',
    at: '2026-05-12T12:00:00.000Z',
    user_id: ALICE,
    username: 'alice',
    action: 'key.accept',
    resource: 'minion:web13',
    args_json: null,
    salt_jid: '20260512120000000001',
    decision: 'allow',
    result_code: 200,
    duration_ms: 12,
    request_id: 'req-1',
    project_ids: [],
    source_ip: null,
    user_agent: null,
    ...overrides,
  };
}

function aPage(entries: AuditEntryDto[], next: string | null = null): AuditPageDto {
  return { total: entries.length, total_is_estimate: false, entries, next_before_cursor: next, newest_cursor: null };
}

describe('AuditPage', () => {
  let backend: HttpTestingController;
  let harness: RouterTestingHarness;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([{ path: 'audit', component: AuditPage }], withComponentInputBinding()),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: AuthService, useValue: { can: () => false, me: signal(null) } },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
  });

  afterEach(() => backend.verify());

  const root = () => harness.routeNativeElement as HTMLElement;
  const url = () => TestBed.inject(Router).url;

  async function auditRequest(): Promise<TestRequest> {
    for (let i = 0; i < 20; i++) {
      const [found] = backend.match((r) => r.url === '/api/audit');
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 0));
      TestBed.tick();
    }
    throw new Error('no GET /api/audit');
  }

  async function open(link: string, page: AuditPageDto): Promise<TestRequest> {
    await harness.navigateByUrl(link);
    const request = await auditRequest();
    request.flush(page);
    await harness.fixture.whenStable();
    return request;
  }

  it('should query with the filters of the URL and export the same filters when opened filtered', async () => {
    const request = await open('/audit?decision=deny&action_prefix=key.&since=2026-05-01T00:00:00.000Z', aPage([anEntry()]));

    expect(request.request.params.get('decision')).toBe('deny');
    expect(request.request.params.get('action_prefix')).toBe('key.');
    expect(request.request.params.get('since')).toBe('2026-05-01T00:00:00.000Z');
    expect(request.request.params.get('limit')).toBe('50');
    expect(root().querySelector('[data-testid=export-csv]')?.getAttribute('href')).toBe(
      '/api/audit/export?format=csv&action_prefix=key.&decision=deny&since=2026-05-01T00:00:00.000Z',
    );
    expect(root().querySelector('tr[data-action="key.accept"] a')?.getAttribute('href')).toBe('/jobs/20260512120000000001');
  });

  it('should filter to a user when their name is clicked', async () => {
    await open('/audit?decision=allow', aPage([anEntry()]));

    root().querySelector<HTMLButtonElement>('.user-link')?.click();
    const request = await auditRequest();

    expect(url()).toBe(`/audit?decision=allow&user_id=${ALICE}`);
    expect(request.request.params.get('user_id')).toBe(ALICE);
    request.flush(aPage([anEntry()]));
  });

  it('should page older by cursor and come back newer when the pager is used', async () => {
    await open('/audit', aPage([anEntry()], '2026-05-12T11:00:00.000Z|9'));

    root().querySelector<HTMLButtonElement>('[data-testid=audit-older]')?.click();
    const older = await auditRequest();
    expect(older.request.params.get('before_cursor')).toBe('2026-05-12T11:00:00.000Z|9');
    older.flush(aPage([anEntry({ id: '9' })]));
    await harness.fixture.whenStable();

    root().querySelector<HTMLButtonElement>('[data-testid=audit-newer]')?.click();
    const newer = await auditRequest();
    expect(newer.request.params.has('before_cursor')).toBe(false);
    expect(url()).toBe('/audit');
    newer.flush(aPage([anEntry()]));
  });

  it('should drop a malformed user id from the query when the URL was edited by hand', async () => {
    const request = await open('/audit?user_id=alice', aPage([]));
    expect(request.request.params.has('user_id')).toBe(false);
    expect(root().textContent).toContain('No audit entries');
  });
});
