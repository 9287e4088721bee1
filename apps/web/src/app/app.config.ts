import { type ApplicationConfig, provideBrowserGlobalErrorListeners } from '@angular/core';
import { provideRouter, TitleStrategy, withComponentInputBinding, withInMemoryScrolling } from '@angular/router';
import { provideApi, provideLiveUpdates } from '@sylvite/web-data-access';
import { SylviteTitleStrategy } from '@sylvite/web-shell';
import { appRoutes } from './app.routes';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    // Query parameters (`returnUrl`, `token`, page filters) and route data arrive as component inputs.
    provideRouter(appRoutes, withComponentInputBinding(), withInMemoryScrolling({ scrollPositionRestoration: 'top' })),
    { provide: TitleStrategy, useClass: SylviteTitleStrategy },
    provideApi(),
    provideLiveUpdates(),
  ],
};
