import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { aMe } from '@sylvite/web-data-access';
import { LoginPage } from './login-page';

describe('LoginPage', () => {
  let fixture: ComponentFixture<LoginPage>;
  let backend: HttpTestingController;
  let navigateByUrl: jest.SpyInstance;

  const el = <T extends Element>(selector: string) => fixture.nativeElement.querySelector(selector) as T | null;
  const submitButton = () => el<HTMLButtonElement>('button[type=submit]');

  /**
   * The clock is fake throughout: the lockout countdown needs it, and advancing it also runs the
   * zoneless change-detection scheduler (a timer) and every pending promise continuation.
   */
  async function settle(ms = 20): Promise<void> {
    await jest.advanceTimersByTimeAsync(ms);
  }

  beforeEach(() => jest.useFakeTimers({ now: Date.parse('2026-05-12T12:00:00Z') }));

  async function render(needsSetup = false): Promise<void> {
    TestBed.configureTestingModule({
      imports: [LoginPage],
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()],
    });
    backend = TestBed.inject(HttpTestingController);
    navigateByUrl = jest.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
    fixture = TestBed.createComponent(LoginPage);
    backend.expectOne('/api/auth/setup').flush({ needs_setup: needsSetup });
    await settle();
  }

  async function typeAndSubmit(username: string, password: string): Promise<void> {
    for (const [name, value] of [
      ['username', username],
      ['password', password],
    ]) {
      const input = el<HTMLInputElement>(`input[formcontrolname=${name}]`);
      if (!input) throw new Error(`no ${name} input`);
      input.value = value;
      input.dispatchEvent(new Event('input'));
    }
    submitButton()?.click();
    await settle();
  }

  afterEach(() => {
    backend.verify();
    jest.useRealTimers();
  });

  it('should post the credentials and go to the return url when sign-in succeeds', async () => {
    await render();
    fixture.componentRef.setInput('returnUrl', '/audit?decision=deny');

    await typeAndSubmit('alice', 'correct horse battery');
    const call = backend.expectOne('/api/auth/login');
    expect(call.request.method).toBe('POST');
    expect(call.request.body).toEqual({ username: 'alice', password: 'correct horse battery' });
    call.flush(aMe({ username: 'alice' }));
    await settle();

    expect(navigateByUrl).toHaveBeenCalledWith('/audit?decision=deny');
  });

  it('should ignore a return url that leaves the console when sign-in succeeds', async () => {
    await render();
    fixture.componentRef.setInput('returnUrl', '//evil.example/phish');
    await typeAndSubmit('alice', 'pw');
    backend.expectOne('/api/auth/login').flush(aMe());
    await settle();
    expect(navigateByUrl).toHaveBeenCalledWith('/');
  });

  it('should show the message from the error envelope when the credentials are wrong', async () => {
    await render();
    await typeAndSubmit('alice', 'wrong');
    backend
      .expectOne('/api/auth/login')
      .flush(
        { statusCode: 401, error: 'Unauthorized', message: 'Invalid username or password' },
        { status: 401, statusText: 'Unauthorized' },
      );
    await settle();

    expect(el('[data-testid=login-error]')?.textContent).toContain('Invalid username or password');
    expect(el('[data-testid=login-lockout]')).toBeNull();
    expect(navigateByUrl).not.toHaveBeenCalled();
    expect(el<HTMLInputElement>('input[formcontrolname=password]')?.value).toBe('');
  });

  it('should show the lockout with its retry time and block submitting when the server answers 429', async () => {
    await render();
    await typeAndSubmit('alice', 'wrong');
    backend
      .expectOne('/api/auth/login')
      .flush(
        { statusCode: 429, error: 'Too Many Requests', message: 'Too many failed sign-ins; account locked' },
        { status: 429, statusText: 'Too Many Requests', headers: { 'Retry-After': '300' } },
      );
    await settle();

    expect(el('[data-testid=login-error]')?.textContent).toContain('Too many failed sign-ins; account locked');
    expect(el('[data-testid=login-lockout]')?.textContent).toContain('try again in 5 min');
    expect(submitButton()?.disabled).toBe(true);

    await settle(61_000);
    expect(el('[data-testid=login-lockout]')?.textContent).toContain('try again in 3 min 59 s');

    await settle(240_000);
    expect(el('[data-testid=login-lockout]')).toBeNull();
    expect(submitButton()?.disabled).toBe(false);
  });

  it('should point to the setup link when no administrator exists yet', async () => {
    await render(true);
    expect(fixture.nativeElement.textContent).toContain('No administrator exists yet');
  });
});
