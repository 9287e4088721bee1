import { BreakpointObserver } from '@angular/cdk/layout';
import { ChangeDetectionStrategy, Component, computed, type ElementRef, inject, viewChild } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatDividerModule } from '@angular/material/divider';
import { MatMenuModule } from '@angular/material/menu';
import { type MatSidenav, MatSidenavModule } from '@angular/material/sidenav';
import { MatToolbarModule } from '@angular/material/toolbar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { Router, RouterLink, RouterOutlet } from '@angular/router';
import { AuthService } from '@sylvite/web-data-access';
import { Icon } from '@sylvite/web-ui';
import { map } from 'rxjs';
import { LiveStatus } from './live-status';
import { Sidebar } from './sidebar';
import { type ThemePreference, ThemeService } from './theme.service';

/** Below this width the sidebar becomes a drawer over the page (a small laptop still gets it docked). */
const DOCKED_QUERY = '(min-width: 1024px)';

@Component({
  selector: 'syl-layout',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    RouterOutlet,
    RouterLink,
    MatSidenavModule,
    MatToolbarModule,
    MatButtonModule,
    MatMenuModule,
    MatDividerModule,
    MatTooltipModule,
    Icon,
    LiveStatus,
    Sidebar,
  ],
  templateUrl: './layout.html',
  styleUrl: './layout.scss',
})
export class Layout {
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly theme = inject(ThemeService);
  private readonly drawer = viewChild.required<MatSidenav>('drawer');
  private readonly main = viewChild.required<ElementRef<HTMLElement>>('main');

  protected readonly docked = toSignal(
    inject(BreakpointObserver)
      .observe(DOCKED_QUERY)
      .pipe(map((state) => state.matches)),
    { initialValue: true },
  );
  protected readonly username = computed(() => {
    const user = this.auth.user();
    return user?.display_name || user?.username || '';
  });
  protected readonly themePreference = this.theme.preference;
  protected readonly themeIcon = this.theme.effective;
  protected readonly themeChoices: readonly { value: ThemePreference; label: string }[] = [
    { value: 'system', label: 'Follow the system' },
    { value: 'light', label: 'Light' },
    { value: 'dark', label: 'Dark' },
  ];

  protected chooseTheme(preference: ThemePreference): void {
    this.theme.setPreference(preference);
  }

  protected skipToContent(): void {
    this.main().nativeElement.focus();
  }

  protected closeDrawerIfOverlay(): void {
    if (!this.docked()) void this.drawer().close();
  }

  protected async signOut(): Promise<void> {
    try {
      await this.auth.logout();
    } finally {
      await this.router.navigateByUrl('/login');
    }
  }
}
