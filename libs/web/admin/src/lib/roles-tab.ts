import { ChangeDetectionStrategy, Component, inject, input, output, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { PERMISSION_CATALOGUE, type RoleDto } from '@sylvite/contracts';
import { Badge, ConfirmService, Icon } from '@sylvite/web-ui';
import { AdminApi, splitList } from './admin-api';
import { Feedback } from './feedback';

/** Roles and their permissions; built-in roles are re-seeded at boot, so only custom ones change. */
@Component({
  selector: 'syl-roles-tab',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatButtonModule, MatFormFieldModule, MatInputModule, Badge, Icon],
  template: `
    @if (canManage()) {
      @if (editing() === null) {
        <div class="syl-actions add">
          <button mat-flat-button type="button" (click)="startNew()"><syl-icon name="add" /> New role</button>
        </div>
      } @else {
        <form class="syl-card" [formGroup]="form" (ngSubmit)="save()" aria-labelledby="role-form">
          <h2 id="role-form">{{ editing() === '' ? 'New role' : 'Role ' + editing() }}</h2>
          <div class="syl-form-row">
            @if (editing() === '') {
              <mat-form-field>
                <mat-label>Name</mat-label>
                <input matInput formControlName="name" placeholder="web-operators" />
                <mat-error>Lowercase letters, digits, _ and -.</mat-error>
              </mat-form-field>
            }
            <mat-form-field>
              <mat-label>Description</mat-label>
              <input matInput formControlName="description" />
            </mat-form-field>
          </div>
          <mat-form-field class="full">
            <mat-label>Permissions</mat-label>
            <textarea matInput rows="3" formControlName="permissions" placeholder="view:job:web* run:job:web*"></textarea>
            <mat-hint>verb:type:pattern, separated by spaces. {{ catalogue }}</mat-hint>
          </mat-form-field>
          <div class="syl-actions">
            <button mat-flat-button type="submit">Save role</button>
            <button mat-button type="button" (click)="editing.set(null)">Cancel</button>
          </div>
        </form>
      }
    }
    <div class="syl-table-wrap">
      <table class="syl-table" data-testid="roles-table">
        <thead>
          <tr>
            <th scope="col">Role</th>
            <th scope="col">Permissions</th>
            @if (canManage()) {
              <th scope="col" class="actions"><span class="cdk-visually-hidden">Actions</span></th>
            }
          </tr>
        </thead>
        <tbody>
          @for (r of roles(); track r.id) {
            <tr [attr.data-role]="r.name">
              <td>
                <div>
                  {{ r.name }}
                  @if (r.builtin) {
                    <syl-badge>built-in</syl-badge>
                  }
                </div>
                <div class="syl-muted">{{ r.description }}</div>
              </td>
              <td class="syl-mono">{{ r.permissions.join(' ') }}</td>
              @if (canManage()) {
                <td class="actions">
                  @if (!r.builtin) {
                    <button mat-button type="button" (click)="edit(r)">Edit</button>
                    <button mat-button type="button" (click)="remove(r)">Delete</button>
                  }
                </td>
              }
            </tr>
          }
        </tbody>
      </table>
    </div>
  `,
  styles: `
    .add {
      margin-bottom: 16px;
    }
    .full {
      width: 100%;
    }
  `,
})
export class RolesTab {
  readonly roles = input.required<RoleDto[]>();
  readonly canManage = input(false);
  readonly changed = output<void>();

  private readonly api = inject(AdminApi);
  private readonly feedback = inject(Feedback);
  private readonly confirmer = inject(ConfirmService);

  protected readonly catalogue = `Types: ${[...new Set(PERMISSION_CATALOGUE.map((p) => p.type))].join(', ')}.`;
  /** null: no form; '': a new role; otherwise the role being edited. */
  protected readonly editing = signal<string | null>(null);
  protected readonly form = inject(NonNullableFormBuilder).group({
    name: ['', [Validators.pattern(/^[a-z0-9][a-z0-9_-]{0,63}$/)]],
    description: [''],
    permissions: [''],
  });

  protected startNew(): void {
    this.form.reset({ name: '', description: '', permissions: '' });
    this.editing.set('');
  }

  protected edit(role: RoleDto): void {
    this.form.reset({ name: role.name, description: role.description ?? '', permissions: role.permissions.join(' ') });
    this.editing.set(role.name);
  }

  protected async save(): Promise<void> {
    const v = this.form.getRawValue();
    const editing = this.editing();
    if (editing === null || this.form.invalid || (editing === '' && !v.name)) {
      this.form.markAllAsTouched();
      return;
    }
    const body = { description: v.description.trim() || undefined, permissions: splitList(v.permissions) };
    const request = editing === '' ? this.api.createRole({ name: v.name.trim(), ...body }) : this.api.updateRole(editing, body);
    if (await this.feedback.run(request, `Role ${editing || v.name} saved.`)) {
      this.editing.set(null);
      this.changed.emit();
    }
  }

  protected async remove(role: RoleDto): Promise<void> {
    const ok = await this.confirmer.confirm({
      title: `Delete role ${role.name}?`,
      message: 'Users holding it lose its permissions at once.',
      confirmLabel: 'Delete role',
      tone: 'danger',
    });
    if (ok && (await this.feedback.run(this.api.deleteRole(role.name), `Role ${role.name} deleted.`))) this.changed.emit();
  }
}
