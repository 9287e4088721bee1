import type { Route } from '@angular/router';
import { authGuard, signedOutGuard } from '@sylvite/web-data-access';
import { Layout, NotFoundPage, PAGES, pageRoutes, PlaceholderPage } from '@sylvite/web-shell';

// Pages whose feature library does not exist yet render the shell's placeholder until it does;
// each becomes `() => import('@sylvite/web-<feature>').then((m) => m.<Page>)`.
const placeholder = () => Promise.resolve(PlaceholderPage);

export const appRoutes: Route[] = [
  {
    path: 'login',
    title: 'Sign in',
    canActivate: [signedOutGuard],
    loadComponent: () => import('@sylvite/web-auth').then((m) => m.LoginPage),
  },
  {
    path: 'setup',
    title: 'Set up',
    loadComponent: () => import('@sylvite/web-auth').then((m) => m.SetupPage),
  },
  {
    path: '',
    canActivate: [authGuard],
    // The frame is needed on the first paint of every signed-in page, so it ships in the initial bundle.
    component: Layout,
    children: [
      ...pageRoutes(PAGES.overview, placeholder),
      ...pageRoutes(PAGES.activity, placeholder),
      ...pageRoutes(PAGES.jobs, placeholder),
      ...pageRoutes(PAGES.run, placeholder),
      ...pageRoutes(PAGES.keys, placeholder),
      ...pageRoutes(PAGES.minions, placeholder),
      ...pageRoutes(PAGES.timeline, placeholder),
      ...pageRoutes(PAGES.audit, placeholder),
      ...pageRoutes(PAGES.settings, placeholder),
      ...pageRoutes(PAGES.users, placeholder),
      ...pageRoutes(PAGES.projects, placeholder),
      ...pageRoutes(PAGES.tokens, placeholder),
      ...pageRoutes(PAGES.changePassword, () => import('@sylvite/web-auth').then((m) => m.ChangePasswordPage)),
      {
        path: '**',
        title: 'Not found',
        component: NotFoundPage,
      },
    ],
  },
];
