import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MIN_PASSWORD_LENGTH } from '@sylvite/contracts';
import { AuthService, toApiError } from '@sylvite/web-data-access';
import { PageHeader } from '@sylvite/web-ui';
import { sameValue } from './passwords';

@Component({
  selector: 'syl-change-password-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    PageHeader,
    ReactiveFormsModule,
    MatButtonModule,
    MatCardModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
  ],
  templateUrl: './change-password-page.html',
  styleUrl: './auth-form.scss',
})
export class ChangePasswordPage {
  private readonly auth = inject(AuthService);

  protected readonly minLength = MIN_PASSWORD_LENGTH;
  protected readonly form = inject(NonNullableFormBuilder).group(
    {
      current_password: ['', Validators.required],
      new_password: ['', [Validators.required, Validators.minLength(MIN_PASSWORD_LENGTH)]],
      confirm: ['', Validators.required],
    },
    { validators: sameValue('new_password', 'confirm') },
  );
  protected readonly submitting = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly changed = signal(false);

  protected async changePassword(): Promise<void> {
    if (this.form.invalid || this.submitting()) {
      this.form.markAllAsTouched();
      return;
    }
    this.submitting.set(true);
    this.error.set(null);
    this.changed.set(false);
    try {
      const { current_password, new_password } = this.form.getRawValue();
      await this.auth.changePassword({ current_password, new_password });
      this.form.reset();
      this.changed.set(true);
    } catch (failure) {
      const error = toApiError(failure);
      // A 401 here is either a wrong current password or an ended session; only the server knows which.
      if (error.status === 401 && !(await this.auth.refresh())) {
        this.auth.sessionEnded();
        return;
      }
      this.error.set(error.message);
    } finally {
      this.submitting.set(false);
    }
  }
}
