import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { MatTabsModule } from '@angular/material/tabs';
import { AuthService, liveResource, resourceError } from '@sylvite/web-data-access';
import { ErrorState, Loading, PageHeader } from '@sylvite/web-ui';
import { of } from 'rxjs';
import { AdminApi } from './admin-api';
import { RolesTab } from './roles-tab';
import { UsersTab } from './users-tab';

@Component({
  selector: 'syl-users-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatTabsModule, PageHeader, ErrorState, Loading, UsersTab, RolesTab],
  template: `
    <syl-page-header heading="Users & roles" subtitle="Who can sign in, and what their roles allow." />
    @if (users.hasValue() && roles.hasValue()) {
      <mat-tab-group mat-stretch-tabs="false" animationDuration="0ms">
        <mat-tab label="Users ({{ users.value()!.length }})">
          <div class="tab">
            <syl-users-tab
              [users]="users.value()!"
              [roles]="roles.value()!"
              [canManage]="canManageUsers()"
              [selfId]="selfId()"
              (changed)="users.reload()"
            />
          </div>
        </mat-tab>
        <mat-tab label="Roles ({{ roles.value()!.length }})">
          <div class="tab">
            <syl-roles-tab [roles]="roles.value()!" [canManage]="canManageRoles()" (changed)="roles.reload(); users.reload()" />
          </div>
        </mat-tab>
      </mat-tab-group>
    } @else if (error(); as e) {
      <syl-error-state heading="Could not load users" [message]="e.message" (retry)="users.reload(); roles.reload()" />
    } @else {
      <syl-loading label="Loading users…" />
    }
  `,
  styles: `
    .tab {
      padding-top: 16px;
    }
  `,
})
export class UsersPage {
  private readonly api = inject(AdminApi);
  private readonly auth = inject(AuthService);

  protected readonly users = liveResource({ params: () => true, stream: () => this.api.users() });
  /** Reading roles needs view:role; without it the tab shows none rather than failing the page. */
  protected readonly roles = liveResource({
    params: () => this.auth.can('view:role'),
    stream: (allowed) => (allowed ? this.api.roles() : of([])),
  });
  private readonly usersError = resourceError(this.users);
  private readonly rolesError = resourceError(this.roles);
  protected readonly error = computed(() => this.usersError() ?? this.rolesError());
  protected readonly canManageUsers = computed(() => this.auth.can('manage:user'));
  protected readonly canManageRoles = computed(() => this.auth.can('manage:role'));
  protected readonly selfId = computed(() => this.auth.me()?.user.id ?? null);
}
