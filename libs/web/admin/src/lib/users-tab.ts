import { ChangeDetectionStrategy, Component, computed, inject, input, output, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatMenuModule } from '@angular/material/menu';
import { MatSelectModule } from '@angular/material/select';
import { MIN_PASSWORD_LENGTH, type RoleDto, type UserDto } from '@sylvite/contracts';
import { Badge, ConfirmService, Icon, RelativeTime } from '@sylvite/web-ui';
import { AdminApi } from './admin-api';
import { Feedback } from './feedback';

/** The users table with what a `manage:user` holder may do to each. */
@Component({
  selector: 'syl-users-tab',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatMenuModule, MatSelectModule, Badge, Icon, RelativeTime],
  templateUrl: './users-tab.html',
  styles: `
    .roles {
      display: flex;
      flex-wrap: wrap;
      gap: 4px;
      align-items: center;
    }
    .chip-remove {
      margin-left: 2px;
      padding: 0 2px;
      border: 0;
      background: none;
      color: inherit;
      cursor: pointer;
    }
    .add {
      margin-bottom: 16px;
    }
    .reset td {
      background: var(--mat-sys-surface-container-low);
    }
  `,
})
export class UsersTab {
  readonly users = input.required<UserDto[]>();
  readonly roles = input.required<RoleDto[]>();
  readonly canManage = input(false);
  readonly selfId = input<string | null>(null);
  readonly changed = output<void>();

  private readonly api = inject(AdminApi);
  private readonly feedback = inject(Feedback);
  private readonly confirmer = inject(ConfirmService);
  private readonly fb = inject(NonNullableFormBuilder);

  protected readonly minLength = MIN_PASSWORD_LENGTH;
  protected readonly adding = signal(false);
  protected readonly resetting = signal<string | null>(null);
  protected readonly roleNames = computed(() => this.roles().map((r) => r.name));
  protected readonly createForm = this.fb.group({
    username: ['', [Validators.required, Validators.pattern(/^[A-Za-z0-9._@-]{1,64}$/)]],
    display_name: [''],
    password: ['', [Validators.required, Validators.minLength(MIN_PASSWORD_LENGTH)]],
    roles: [['viewer'] as string[]],
  });
  protected readonly resetForm = this.fb.group({ password: ['', [Validators.required, Validators.minLength(MIN_PASSWORD_LENGTH)]] });

  protected missingRoles(user: UserDto): string[] {
    return this.roleNames().filter((r) => !user.roles.includes(r));
  }

  protected async create(): Promise<void> {
    if (this.createForm.invalid) {
      this.createForm.markAllAsTouched();
      return;
    }
    const v = this.createForm.getRawValue();
    const ok = await this.feedback.run(
      this.api.createUser({ username: v.username.trim(), password: v.password, display_name: v.display_name.trim() || undefined, roles: v.roles }),
      `User ${v.username} created.`,
    );
    if (ok) {
      this.createForm.reset({ username: '', display_name: '', password: '', roles: ['viewer'] });
      this.adding.set(false);
      this.changed.emit();
    }
  }

  protected async addRole(user: UserDto, role: string): Promise<void> {
    if (await this.feedback.run(this.api.addRole(user.id, role), `${user.username} is now ${role}.`)) this.changed.emit();
  }

  protected async removeRole(user: UserDto, role: string): Promise<void> {
    if (await this.feedback.run(this.api.removeRole(user.id, role), `${role} removed from ${user.username}.`)) this.changed.emit();
  }

  protected async setDisabled(user: UserDto, disabled: boolean): Promise<void> {
    if (disabled) {
      const ok = await this.confirmer.confirm({
        title: `Disable ${user.username}?`,
        message: 'Their sessions and API tokens stop working at once. You can enable the account again later.',
        confirmLabel: 'Disable user',
        tone: 'danger',
      });
      if (!ok) return;
    }
    const done = `${user.username} ${disabled ? 'disabled' : 'enabled'}.`;
    if (await this.feedback.run(this.api.updateUser(user.id, { disabled }), done)) this.changed.emit();
  }

  protected async remove(user: UserDto): Promise<void> {
    const ok = await this.confirmer.confirm({
      title: `Delete ${user.username}?`,
      message: 'The account, its sessions and its API tokens are removed. Audit entries keep their user id.',
      confirmLabel: 'Delete user',
      tone: 'danger',
    });
    if (ok && (await this.feedback.run(this.api.deleteUser(user.id), `User ${user.username} deleted.`))) this.changed.emit();
  }

  protected async resetPassword(user: UserDto): Promise<void> {
    if (this.resetForm.invalid) {
      this.resetForm.markAllAsTouched();
      return;
    }
    const done = `Password of ${user.username} reset; their sessions were signed out.`;
    if (await this.feedback.run(this.api.resetPassword(user.id, this.resetForm.getRawValue().password), done)) {
      this.resetForm.reset({ password: '' });
      this.resetting.set(null);
    }
  }
}
