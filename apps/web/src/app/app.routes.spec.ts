import { HttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, type TestRequest } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Title } from '@angular/platform-browser';
import { provideRouter, Router, TitleStrategy, withComponentInputBinding } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import type { MeResponse } from '@sylvite/contracts';
import { aMe, EVENT_SOURCE_FACTORY, provideApi } from '@sylvite/web-data-access';
import { SylviteTitleStrategy } from '@sylvite/web-shell';
import { appRoutes } from './app.routes';

/** The real routes, guards, interceptor and auth service; only the network and EventSource are fake. */
describe('app routes', () => {
  let backend: HttpTestingController;
  let harness: RouterTestingHarness;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        provideRouter(appRoutes, withComponentInputBinding()),
        { provide: TitleStrategy, useClass: SylviteTitleStrategy },
        provideApi(),
        provideHttpClientTesting(),
        {
          provide: EVENT_SOURCE_FACTORY,
          useValue: () => ({ readyState: 0, addEventListener: () => undefined, close: () => undefined }),
        },
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create();
  });

  // The pages load their own data as they open; this spec is about routes and guards, so those
  // requests are dropped before checking that nothing else was left unanswered.
  afterEach(() => {
    backend.match((r) => r.url.startsWith('/api/') && !r.url.startsWith('/api/auth/'));
    backend.verify();
  });

  /** Requests start inside async guards; wait until the one we expect is on the wire. */
  async function request(url: string): Promise<TestRequest> {
    for (let i = 0; i < 50; i++) {
      const [found] = backend.match(url);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    return backend.expectOne(url);
  }

  /** Not `whenStable()`: the opened page's own data requests stay pending on purpose. */
  async function settle(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 0));
    TestBed.tick();
  }

  async function signedInAs(me: MeResponse, url: string): Promise<HTMLElement> {
    const navigation = harness.navigateByUrl(url);
    (await request('/api/auth/me')).flush(me);
    await navigation;
    await settle();
    return harness.routeNativeElement as HTMLElement;
  }

  const text = () => (harness.fixture.nativeElement as HTMLElement).textContent ?? '';

  it('should send a signed-out visitor to sign in and keep the return url when opening a page', async () => {
    const navigation = harness.navigateByUrl('/audit?decision=deny');
    (await request('/api/auth/me')).flush(
      { statusCode: 401, error: 'Unauthorized', message: 'sign in required' },
      { status: 401, statusText: 'Unauthorized' },
    );
    (await request('/api/auth/setup')).flush({ needs_setup: false });
    await navigation;

    expect(TestBed.inject(Router).url).toBe('/login?returnUrl=%2Faudit%3Fdecision%3Ddeny');
    expect(text()).toContain('Sign in to Sylvite');
  });

  it('should say which permission is missing and stay on the url when a viewer opens Audit', async () => {
    await signedInAs(aMe({ role: 'viewer' }), '/audit');

    expect(TestBed.inject(Router).url).toBe('/audit');
    expect(text()).toContain("You don't have permission to see this page (needs view:audit:*).");
    expect(harness.fixture.nativeElement.querySelector('a[data-nav=audit]')).toBeNull();
    expect(TestBed.inject(Title).getTitle()).toBe('Audit · Sylvite');
  });

  it('should list every category permission when a user without any opens Activity', async () => {
    await signedInAs(aMe({ permissions: ['view:audit:*'] }), '/activity');
    expect(text()).toContain('needs one of view:job:*, view:key:*, view:minion:*');
  });

  it('should open the page when an auditor opens Audit', async () => {
    await signedInAs(aMe({ role: 'auditor' }), '/audit');

    expect(text()).not.toContain("You don't have permission");
    expect(harness.fixture.nativeElement.querySelector('h1')?.textContent).toBe('Audit');
    expect(harness.fixture.nativeElement.querySelector('a[data-nav=audit]')).not.toBeNull();
    expect(backend.match((r) => r.url === '/api/audit')).toHaveLength(1);
  });

  it('should show a not-found state inside the layout when the path is unknown', async () => {
    await signedInAs(aMe(), '/no/such/page');
    expect(text()).toContain('Page not found');
  });

  it('should go to sign in when a later API call answers 401', async () => {
    await signedInAs(aMe(), '/jobs');
    TestBed.inject(HttpClient)
      .get('/api/jobs')
      .subscribe({ error: () => undefined });
    (await request('/api/jobs')).flush(
      { statusCode: 401, error: 'Unauthorized', message: 'session expired' },
      { status: 401, statusText: 'Unauthorized' },
    );
    (await request('/api/auth/setup')).flush({ needs_setup: false });
    await settle();

    expect(TestBed.inject(Router).url).toBe('/login?returnUrl=%2Fjobs');
  });
});
