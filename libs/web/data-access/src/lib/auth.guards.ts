import { inject } from '@angular/core';
import { type CanActivateFn, type CanMatchFn, Router } from '@angular/router';
import type { AccessRule } from './access';
import { AuthService } from './auth.service';

/** Signed-out visitors go to the sign-in page, which brings them back here afterwards. */
export const authGuard: CanActivateFn = async (_route, state) => {
  const auth = inject(AuthService);
  const router = inject(Router);
  if (await auth.ensureLoaded()) return true;
  return router.createUrlTree(['/login'], state.url && state.url !== '/' ? { queryParams: { returnUrl: state.url } } : {});
};

/** The sign-in page is pointless when already signed in. */
export const signedOutGuard: CanActivateFn = async () => {
  const auth = inject(AuthService);
  const router = inject(Router);
  return (await auth.ensureLoaded()) ? router.createUrlTree(['/']) : true;
};

/** Route data key holding the page's {@link AccessRule}. */
export const ACCESS_DATA_KEY = 'access';

/**
 * Matches a page's route only when the user may see it. Pages pair it with a twin route at the
 * same path that renders the "you don't have permission" state, so the URL stays put and says why.
 */
export const accessGuard: CanMatchFn = async (route) => {
  const rule = route.data?.[ACCESS_DATA_KEY] as AccessRule | undefined;
  if (!rule) return true;
  const auth = inject(AuthService);
  await auth.ensureLoaded();
  return auth.canAccess(rule);
};
