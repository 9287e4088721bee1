import type { Route } from '@angular/router';
import { authGuard, signedOutGuard } from '@sylvite/web-data-access';
import { Layout, NotFoundPage, PAGES, pageRoutes } from '@sylvite/web-shell';

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
      ...pageRoutes(PAGES.overview, () => import('@sylvite/web-overview').then((m) => m.OverviewPage)),
      ...pageRoutes(PAGES.activity, () => import('@sylvite/web-activity').then((m) => m.ActivityPage)),
      ...pageRoutes(PAGES.jobs, () => import('@sylvite/web-jobs').then((m) => m.JobsPage)),
      ...pageRoutes({ ...PAGES.jobs, path: 'jobs/:jid' }, () => import('@sylvite/web-jobs').then((m) => m.JobDetailPage)),
      ...pageRoutes(PAGES.run, () => import('@sylvite/web-jobs').then((m) => m.RunPage)),
      ...pageRoutes(PAGES.keys, () => import('@sylvite/web-keys').then((m) => m.KeysPage)),
      ...pageRoutes(PAGES.minions, () => import('@sylvite/web-minions').then((m) => m.MinionsPage)),
      ...pageRoutes({ ...PAGES.minions, path: 'minions/:id' }, () => import('@sylvite/web-minions').then((m) => m.MinionDetailPage)),
      ...pageRoutes(PAGES.timeline, () => import('@sylvite/web-timeline').then((m) => m.TimelinePage)),
      ...pageRoutes(PAGES.audit, () => import('@sylvite/web-audit').then((m) => m.AuditPage)),
      ...pageRoutes(PAGES.settings, () => import('@sylvite/web-settings').then((m) => m.SettingsPage)),
      ...pageRoutes(PAGES.users, () => import('@sylvite/web-admin').then((m) => m.UsersPage)),
      ...pageRoutes(PAGES.projects, () => import('@sylvite/web-admin').then((m) => m.ProjectsPage)),
      ...pageRoutes(PAGES.tokens, () => import('@sylvite/web-tokens').then((m) => m.TokensPage)),
      ...pageRoutes(PAGES.changePassword, () => import('@sylvite/web-auth').then((m) => m.ChangePasswordPage)),
      {
        path: '**',
        title: 'Not found',
        component: NotFoundPage,
      },
    ],
  },
];
