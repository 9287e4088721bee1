import { HttpErrorResponse, type HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { catchError, throwError } from 'rxjs';
import { API_PREFIX } from './api-client';
import { AuthService } from './auth.service';

/**
 * Calls whose 401 the caller handles itself: `me` and `setup` (being signed out is an answer there),
 * `login` (wrong password), and `change-password` (a wrong current password; the page re-checks the
 * session to tell the two apart).
 */
const HANDLED_BY_CALLER = ['/auth/me', '/auth/login', '/auth/setup', '/auth/change-password'].map(
  (path) => `${API_PREFIX}${path}`,
);

function pathOf(url: string): string {
  return url.split(/[?#]/, 1)[0];
}

/** Any other API call answered 401 means the session is over: send the user to sign in again. */
export const unauthorizedInterceptor: HttpInterceptorFn = (req, next) => {
  const auth = inject(AuthService);
  return next(req).pipe(
    catchError((error: unknown) => {
      const path = pathOf(req.url);
      if (
        error instanceof HttpErrorResponse &&
        error.status === 401 &&
        path.startsWith(`${API_PREFIX}/`) &&
        !HANDLED_BY_CALLER.includes(path)
      ) {
        auth.sessionEnded();
      }
      return throwError(() => error);
    }),
  );
};
