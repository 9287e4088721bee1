import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { aMe } from '@sylvite/web-data-access';
import { SetupPage } from './setup-page';

describe('SetupPage', () => {
  let fixture: ComponentFixture<SetupPage>;
  let backend: HttpTestingController;
  let router: Router;

  const settle = () => jest.advanceTimersByTimeAsync(20);

  beforeEach(() => {
    jest.useFakeTimers();
    TestBed.configureTestingModule({
      imports: [SetupPage],
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()],
    });
    backend = TestBed.inject(HttpTestingController);
    router = TestBed.inject(Router);
    jest.spyOn(router, 'navigate').mockResolvedValue(true);
    jest.spyOn(router, 'navigateByUrl').mockResolvedValue(true);
    fixture = TestBed.createComponent(SetupPage);
  });

  afterEach(() => {
    backend.verify();
    jest.useRealTimers();
  });

  function type(name: string, value: string): void {
    const input = fixture.nativeElement.querySelector(`input[formcontrolname=${name}]`) as HTMLInputElement;
    input.value = value;
    input.dispatchEvent(new Event('input'));
  }

  it('should go to the sign-in page when setup is already done', async () => {
    fixture.componentRef.setInput('token', 'abc');
    backend.expectOne('/api/auth/setup').flush({ needs_setup: false });
    await settle();
    expect(router.navigate).toHaveBeenCalledWith(['/login'], { replaceUrl: true });
  });

  it('should explain the missing token when the link has none', async () => {
    backend.expectOne('/api/auth/setup').flush({ needs_setup: true });
    await settle();
    expect(fixture.nativeElement.querySelector('[data-testid=setup-no-token]')).not.toBeNull();
    expect(fixture.nativeElement.querySelector('form')).toBeNull();
  });

  it('should create the administrator with the token and sign in when the form is valid', async () => {
    fixture.componentRef.setInput('token', 'one-time-token');
    backend.expectOne('/api/auth/setup').flush({ needs_setup: true });
    await settle();

    type('username', 'root-admin');
    type('password', 'a long enough password');
    type('confirm', 'a long enough password');
    (fixture.nativeElement.querySelector('button[type=submit]') as HTMLButtonElement).click();
    await settle();

    const call = backend.expectOne((req) => req.method === 'POST' && req.url === '/api/auth/setup');
    expect(call.request.body).toEqual({ token: 'one-time-token', username: 'root-admin', password: 'a long enough password' });
    call.flush(aMe({ role: 'admin', username: 'root-admin' }));
    await settle();
    expect(router.navigateByUrl).toHaveBeenCalledWith('/');
  });

  it('should not submit when the password is shorter than the minimum', async () => {
    fixture.componentRef.setInput('token', 't');
    backend.expectOne('/api/auth/setup').flush({ needs_setup: true });
    await settle();
    type('username', 'admin');
    type('password', 'short');
    type('confirm', 'short');
    (fixture.nativeElement.querySelector('button[type=submit]') as HTMLButtonElement).click();
    await settle();
    backend.expectNone((req) => req.method === 'POST');
    expect(fixture.nativeElement.textContent).toContain('Use at least 12 characters.');
  });
});
