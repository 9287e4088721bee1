import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { firstValueFrom } from 'rxjs';
import { AuthService } from './auth.service';
import { unauthorizedInterceptor } from './unauthorized.interceptor';

describe('unauthorizedInterceptor', () => {
  let http: HttpClient;
  let backend: HttpTestingController;
  const sessionEnded = jest.fn();

  beforeEach(() => {
    sessionEnded.mockReset();
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([unauthorizedInterceptor])),
        provideHttpClientTesting(),
        { provide: AuthService, useValue: { sessionEnded } },
      ],
    });
    http = TestBed.inject(HttpClient);
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => backend.verify());

  async function answer401(url: string): Promise<void> {
    const call = firstValueFrom(http.get(url));
    backend
      .expectOne(url)
      .flush({ statusCode: 401, error: 'Unauthorized', message: 'sign in required' }, { status: 401, statusText: 'Unauthorized' });
    await expect(call).rejects.toMatchObject({ status: 401 });
  }

  it('should end the session when an API call answers 401', async () => {
    await answer401('/api/jobs?limit=5');
    expect(sessionEnded).toHaveBeenCalledTimes(1);
  });

  it.each(['/api/auth/me', '/api/auth/login', '/api/auth/change-password'])(
    'should leave the 401 to the caller when calling %s',
    async (url) => {
      await answer401(url);
      expect(sessionEnded).not.toHaveBeenCalled();
    },
  );

  it('should not end the session when the call is refused with 403', async () => {
    const call = firstValueFrom(http.get('/api/audit'));
    backend.expectOne('/api/audit').flush({ statusCode: 403, error: 'Forbidden', message: 'no' }, { status: 403, statusText: 'Forbidden' });
    await expect(call).rejects.toMatchObject({ status: 403 });
    expect(sessionEnded).not.toHaveBeenCalled();
  });
});
