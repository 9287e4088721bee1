import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import {
  type ActivatedRouteSnapshot,
  provideRouter,
  type Route,
  Router,
  type RouterStateSnapshot,
  type UrlTree,
} from '@angular/router';
import type { MeResponse } from '@sylvite/contracts';
import { canAccess } from './access';
import { ACCESS_DATA_KEY, accessGuard, authGuard, signedOutGuard } from './auth.guards';
import { AuthService } from './auth.service';
import { aMe } from './testing/me.factory';

function setUp(me: MeResponse | null) {
  const current = signal(me);
  const auth = {
    ensureLoaded: jest.fn(async () => current()),
    canAccess: (rule: Parameters<typeof canAccess>[1]) => canAccess(current(), rule),
  };
  TestBed.configureTestingModule({ providers: [provideRouter([]), { provide: AuthService, useValue: auth }] });
  return { auth, router: TestBed.inject(Router) };
}

const state = (url: string) => ({ url }) as RouterStateSnapshot;
const route = {} as ActivatedRouteSnapshot;

describe('authGuard', () => {
  it('should redirect to /login with the return url when signed out', async () => {
    const { router } = setUp(null);
    const result = (await TestBed.runInInjectionContext(() => authGuard(route, state('/audit?decision=deny')))) as UrlTree;
    expect(router.serializeUrl(result)).toBe('/login?returnUrl=%2Faudit%3Fdecision%3Ddeny');
  });

  it('should redirect to a bare /login when signed out at the root', async () => {
    const { router } = setUp(null);
    const result = (await TestBed.runInInjectionContext(() => authGuard(route, state('/')))) as UrlTree;
    expect(router.serializeUrl(result)).toBe('/login');
  });

  it('should let the navigation through when signed in', async () => {
    const { auth } = setUp(aMe());
    await expect(TestBed.runInInjectionContext(() => authGuard(route, state('/jobs')))).resolves.toBe(true);
    expect(auth.ensureLoaded).toHaveBeenCalledTimes(1);
  });
});

describe('signedOutGuard', () => {
  it('should send a signed-in user from the sign-in page to the overview when already signed in', async () => {
    const { router } = setUp(aMe());
    const result = (await TestBed.runInInjectionContext(() => signedOutGuard(route, state('/login')))) as UrlTree;
    expect(router.serializeUrl(result)).toBe('/');
  });

  it('should show the sign-in page when signed out', async () => {
    setUp(null);
    await expect(TestBed.runInInjectionContext(() => signedOutGuard(route, state('/login')))).resolves.toBe(true);
  });
});

describe('accessGuard', () => {
  const audit: Route = { path: 'audit', data: { [ACCESS_DATA_KEY]: { anyOf: ['view:audit'] } } };
  const projects: Route = {
    path: 'admin/projects',
    data: { [ACCESS_DATA_KEY]: { anyOf: ['manage:project'], orProjectAdmin: true } },
  };

  it.each([
    ['viewer', audit, aMe({ role: 'viewer' }), false],
    ['auditor', audit, aMe({ role: 'auditor' }), true],
    ['admin', audit, aMe({ role: 'admin' }), true],
    ['operator', projects, aMe({ role: 'operator' }), false],
    [
      'project admin',
      projects,
      aMe({ memberships: [{ project_id: 'p1', project_slug: 'web', project_name: 'Web', role: 'admin' }] }),
      true,
    ],
  ])('should answer for a %s on %s when matching', async (_who, target, me, allowed) => {
    setUp(me);
    await expect(TestBed.runInInjectionContext(() => accessGuard(target, []))).resolves.toBe(allowed);
  });

  it('should match a route without an access rule when signed in', async () => {
    setUp(aMe());
    await expect(TestBed.runInInjectionContext(() => accessGuard({ path: 'timeline' }, []))).resolves.toBe(true);
  });
});
