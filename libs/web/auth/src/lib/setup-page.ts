import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Router } from '@angular/router';
import { MIN_PASSWORD_LENGTH } from '@sylvite/contracts';
import { AuthService, toApiError } from '@sylvite/web-data-access';
import { AuthFrame } from './auth-frame';
import { sameValue } from './passwords';

/** First boot: the one-time link `/setup?token=…` creates the first administrator and signs them in. */
@Component({
  selector: 'syl-setup-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AuthFrame, ReactiveFormsModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatProgressBarModule],
  templateUrl: './setup-page.html',
  styleUrl: './auth-form.scss',
})
export class SetupPage {
  /** From `?token=`. */
  readonly token = input<string | undefined>();

  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);

  protected readonly minLength = MIN_PASSWORD_LENGTH;
  protected readonly form = inject(NonNullableFormBuilder).group(
    {
      username: ['', Validators.required],
      password: ['', [Validators.required, Validators.minLength(MIN_PASSWORD_LENGTH)]],
      confirm: ['', Validators.required],
    },
    { validators: sameValue('password', 'confirm') },
  );
  protected readonly checking = signal(true);
  protected readonly submitting = signal(false);
  protected readonly error = signal<string | null>(null);

  constructor() {
    void this.checkStatus();
  }

  private async checkStatus(): Promise<void> {
    try {
      const status = await this.auth.setupStatus();
      // Setup is over once any user exists: the link is dead, sign in instead.
      if (!status.needs_setup) await this.router.navigate(['/login'], { replaceUrl: true });
    } catch (failure) {
      this.error.set(toApiError(failure).message);
    } finally {
      this.checking.set(false);
    }
  }

  protected async createAdmin(): Promise<void> {
    const token = this.token();
    if (!token || this.form.invalid || this.submitting()) {
      this.form.markAllAsTouched();
      return;
    }
    this.submitting.set(true);
    this.error.set(null);
    try {
      const { username, password } = this.form.getRawValue();
      await this.auth.completeSetup({ token, username, password });
      await this.router.navigateByUrl('/');
    } catch (failure) {
      this.error.set(toApiError(failure).message);
    } finally {
      this.submitting.set(false);
    }
  }
}
