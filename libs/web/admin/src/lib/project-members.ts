import { ChangeDetectionStrategy, Component, inject, input, output } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import type { ProjectMemberDto, ProjectRole } from '@sylvite/contracts';
import { liveResource, resourceError } from '@sylvite/web-data-access';
import { ConfirmService, ErrorState, Loading } from '@sylvite/web-ui';
import { AdminApi, PROJECT_ROLES } from './admin-api';
import { Feedback } from './feedback';

/** One project's members: add by username, change role, remove (the API keeps the last admin). */
@Component({
  selector: 'syl-project-members',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ReactiveFormsModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatSelectModule, ErrorState, Loading],
  template: `
    <form class="syl-actions add" [formGroup]="form" (ngSubmit)="add()" aria-label="Add a member">
      <mat-form-field subscriptSizing="dynamic">
        <mat-label>Username</mat-label>
        <input matInput formControlName="username" autocomplete="off" data-testid="member-username" />
      </mat-form-field>
      <mat-form-field subscriptSizing="dynamic">
        <mat-label>Role</mat-label>
        <mat-select formControlName="role">
          @for (r of roles; track r) {
            <mat-option [value]="r">{{ r }}</mat-option>
          }
        </mat-select>
      </mat-form-field>
      <button mat-flat-button type="submit" data-testid="member-add">Add member</button>
    </form>
    @if (members.hasValue()) {
      @if (members.value()!.length === 0) {
        <p class="syl-muted">No members yet.</p>
      } @else {
        <table class="syl-table" data-testid="members-table">
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Role</th>
              <th scope="col" class="actions"><span class="cdk-visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            @for (m of members.value(); track m.user_id) {
              <tr [attr.data-member]="m.username">
                <td>{{ m.username }} <span class="syl-muted">{{ m.display_name ?? '' }}</span></td>
                <td>
                  <mat-form-field subscriptSizing="dynamic" class="role">
                    <mat-select [value]="m.role" (valueChange)="setRole(m, $event)" [attr.aria-label]="'Role of ' + m.username">
                      @for (r of roles; track r) {
                        <mat-option [value]="r">{{ r }}</mat-option>
                      }
                    </mat-select>
                  </mat-form-field>
                </td>
                <td class="actions">
                  <button mat-button type="button" (click)="remove(m)" [attr.aria-label]="'Remove ' + m.username">Remove</button>
                </td>
              </tr>
            }
          </tbody>
        </table>
      }
    } @else if (error(); as e) {
      <syl-error-state heading="Could not load the members" [message]="e.message" (retry)="members.reload()" />
    } @else {
      <syl-loading label="Loading members…" />
    }
  `,
  styles: `
    .add {
      margin-bottom: 12px;
    }
    .role {
      width: 140px;
    }
  `,
})
export class ProjectMembers {
  readonly slug = input.required<string>();
  readonly changed = output<void>();

  private readonly api = inject(AdminApi);
  private readonly feedback = inject(Feedback);
  private readonly confirmer = inject(ConfirmService);

  protected readonly roles = PROJECT_ROLES;
  protected readonly members = liveResource({ params: () => this.slug(), stream: (slug) => this.api.members(slug) });
  protected readonly error = resourceError(this.members);
  protected readonly form = inject(NonNullableFormBuilder).group({
    username: ['', Validators.required],
    role: ['viewer' as ProjectRole],
  });

  protected async add(): Promise<void> {
    if (this.form.invalid) return;
    const { username, role } = this.form.getRawValue();
    if (await this.feedback.run(this.api.addMember(this.slug(), username.trim(), role), `${username} added as ${role}.`)) {
      this.form.reset({ username: '', role: 'viewer' });
      this.members.reload();
      this.changed.emit();
    }
  }

  protected async setRole(member: ProjectMemberDto, role: ProjectRole): Promise<void> {
    await this.feedback.run(this.api.updateMember(this.slug(), member.user_id, role), `${member.username} is now ${role}.`);
    // Reload either way: a refused change (the last admin) puts the select back.
    this.members.reload();
  }

  protected async remove(member: ProjectMemberDto): Promise<void> {
    const ok = await this.confirmer.confirm({
      title: `Remove ${member.username}?`,
      message: `They lose what the ${member.role} role gave them over this project's minions.`,
      confirmLabel: 'Remove member',
      tone: 'danger',
    });
    if (ok && (await this.feedback.run(this.api.removeMember(this.slug(), member.user_id), `${member.username} removed.`))) {
      this.members.reload();
      this.changed.emit();
    }
  }
}
