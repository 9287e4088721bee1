import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import type { SettingsView } from '@sylvite/contracts';
import { SettingsPage } from './settings-page';

const VIEW: SettingsView = {
  salt: { url: 'http://salt:8000', username: 'saltapi', eauth: 'pam', password_set: true, configured: true, from_environment: [] },
  stream: { enabled: false, from_environment: false },
  retention: { days: 30 },
  audit: { audit_reads: false },
  widget: {
    widget_hide_dispatch: true,
    widget_hide_routine: false,
    widget_show_jobs: true,
    widget_show_keys: true,
    widget_show_minions: true,
    widget_event_count: 6,
    widget_heartbeat_minutes: 60,
  },
};

describe('SettingsPage', () => {
  let fixture: ComponentFixture<SettingsPage>;
  let backend: HttpTestingController;

  const root = () => fixture.nativeElement as HTMLElement;
  const settle = async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    TestBed.tick();
  };

  beforeEach(async () => {
    TestBed.configureTestingModule({ imports: [SettingsPage], providers: [provideHttpClient(), provideHttpClientTesting()] });
    backend = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(SettingsPage);
    await settle();
    backend.expectOne('/api/admin/settings').flush(VIEW);
    backend.expectOne('/api/admin/settings/audit-retention').flush({ days: 365, default: 365, minimum: 30 });
    await fixture.whenStable();
  });

  afterEach(() => backend.verify());

  it('should switch the event stream on and say so when the toggle is turned', async () => {
    root().querySelector<HTMLButtonElement>('[data-testid=settings-stream] button[role=switch]')?.click();
    await settle();

    const patch = backend.expectOne({ method: 'PATCH', url: '/api/admin/settings/stream' });
    expect(patch.request.body).toEqual({ enabled: true });
    patch.flush({ enabled: true, from_environment: false });
    await settle();
    backend.expectOne('/api/admin/settings').flush({ ...VIEW, stream: { enabled: true, from_environment: false } });
    await fixture.whenStable();

    expect(root().querySelector('[data-testid=settings-stream]')?.textContent).toContain('Sylvite connects to salt-api now');
  });

  it('should test the connection with the form values and save nothing when Test is pressed', async () => {
    root().querySelector<HTMLButtonElement>('[data-testid=salt-test]')?.click();
    await settle();

    const test = backend.expectOne({ method: 'POST', url: '/api/admin/settings/salt/test' });
    // The saved password is not sent back: empty means "keep the saved one".
    expect(test.request.body).toEqual({ url: 'http://salt:8000', username: 'saltapi', eauth: 'pam' });
    test.flush({
      ok: false,
      url: 'http://salt:8000',
      eauth: 'pam',
      user: null,
      error: 'salt-api refused the credentials (401)',
      status: 401,
      salt_version: null,
      server: null,
      clients: [],
      missing_clients: [],
      minion_count: null,
      minion_count_source: null,
      pending_keys: null,
      perms: null,
      token_lifetime_s: null,
      latency_ms: 12,
    });
    await settle();
    await fixture.whenStable();

    expect(root().querySelector('[data-testid=salt-test-result]')?.textContent).toContain('refused the credentials');
    backend.expectNone({ method: 'PATCH', url: '/api/admin/settings/salt' });
  });
});
