import { ChangeDetectionStrategy, Component, computed, inject, output } from '@angular/core';
import { MatListModule } from '@angular/material/list';
import { RouterLink, RouterLinkActive } from '@angular/router';
import { AuthService } from '@sylvite/web-data-access';
import { navSections } from './pages';

@Component({
  selector: 'syl-sidebar',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatListModule, RouterLink, RouterLinkActive],
  template: `
    <nav aria-label="Main">
      @for (section of sections(); track section.id) {
        <h2 class="nav-section" [id]="'nav-' + section.id">{{ section.label }}</h2>
        <mat-nav-list [attr.aria-labelledby]="'nav-' + section.id">
          @for (item of section.items; track item.id) {
            <a
              mat-list-item
              [routerLink]="item.link"
              routerLinkActive
              #active="routerLinkActive"
              [routerLinkActiveOptions]="{ exact: item.exact }"
              [activated]="active.isActive"
              ariaCurrentWhenActive="page"
              [attr.data-nav]="item.id"
              (click)="navigated.emit()"
              >{{ item.label }}</a
            >
          }
        </mat-nav-list>
      }
    </nav>
  `,
  styles: `
    :host {
      display: block;
      padding: 8px 0 16px;
      --mat-list-list-item-one-line-container-height: 40px;
    }
    .nav-section {
      margin: 16px 16px 4px 28px;
      font: var(--mat-sys-label-medium);
      text-transform: uppercase;
      letter-spacing: 0.06em;
      color: var(--mat-sys-on-surface-variant);
    }
    mat-nav-list {
      padding: 0 12px;
    }
  `,
})
export class Sidebar {
  private readonly auth = inject(AuthService);
  protected readonly sections = computed(() => navSections(this.auth.me()));
  /** A link was followed: the layout closes the drawer on narrow screens. */
  readonly navigated = output<void>();
}
