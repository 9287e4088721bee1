import { provideHttpClient, withInterceptors, withXsrfConfiguration } from '@angular/common/http';
import { type EnvironmentProviders, inject, makeEnvironmentProviders, provideAppInitializer } from '@angular/core';
import { XSRF_COOKIE, XSRF_HEADER } from '@sylvite/contracts';
import { LiveStreamService } from './live-stream.service';
import { unauthorizedInterceptor } from './unauthorized.interceptor';

/**
 * HttpClient as the API expects it: the double-submit CSRF pair under the server's names (Angular
 * copies the cookie into the header on mutating requests to relative URLs), and the 401 handling.
 */
export function provideApi(): EnvironmentProviders {
  return makeEnvironmentProviders([
    provideHttpClient(
      withXsrfConfiguration({ cookieName: XSRF_COOKIE, headerName: XSRF_HEADER }),
      withInterceptors([unauthorizedInterceptor]),
    ),
  ]);
}

/** Starts the one live connection per tab; it opens itself on sign-in and closes on sign-out. */
export function provideLiveUpdates(): EnvironmentProviders {
  return makeEnvironmentProviders([provideAppInitializer(() => void inject(LiveStreamService))]);
}
