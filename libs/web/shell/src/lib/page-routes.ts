import type { Route, Routes } from '@angular/router';
import { ACCESS_DATA_KEY, accessGuard } from '@sylvite/web-data-access';
import type { PageDef } from './pages';
import { PermissionDeniedPage } from './permission-denied-page';

/**
 * The routes of one page. A page some users may not see gets a twin at the same path: the first
 * matches only when `accessGuard` allows, the twin renders the permission-denied state, so a
 * forbidden URL explains itself instead of bouncing somewhere else.
 */
export function pageRoutes(page: PageDef, loadComponent: NonNullable<Route['loadComponent']>): Routes {
  const base: Route = {
    path: page.path,
    title: page.label,
    data: { [ACCESS_DATA_KEY]: page.access },
    ...(page.path === '' ? { pathMatch: 'full' as const } : {}),
  };
  if (page.access.anyOf.length === 0) return [{ ...base, loadComponent }];
  return [
    { ...base, canMatch: [accessGuard], loadComponent },
    { ...base, component: PermissionDeniedPage },
  ];
}
