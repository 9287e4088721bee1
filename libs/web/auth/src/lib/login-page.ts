import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  type ElementRef,
  inject,
  input,
  signal,
  viewChild,
} from '@angular/core';
import { FormGroupDirective, NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Router } from '@angular/router';
import { AuthService, toApiError } from '@sylvite/web-data-access';
import { AuthFrame } from './auth-frame';
import { formatWait, safeReturnUrl } from './passwords';

@Component({
  selector: 'syl-login-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AuthFrame, ReactiveFormsModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatProgressBarModule],
  templateUrl: './login-page.html',
  styleUrl: './auth-form.scss',
})
export class LoginPage {
  /** From `?returnUrl=`: where the guard found the user signed out. */
  readonly returnUrl = input<string | undefined>();

  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly usernameInput = viewChild<ElementRef<HTMLInputElement>>('username');
  private readonly passwordInput = viewChild<ElementRef<HTMLInputElement>>('password');
  private readonly formDirective = viewChild.required(FormGroupDirective);

  protected readonly form = inject(NonNullableFormBuilder).group({
    username: ['', Validators.required],
    password: ['', Validators.required],
  });
  protected readonly submitting = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly needsSetup = signal(false);
  private readonly lockedUntil = signal<number | null>(null);
  private readonly now = signal(Date.now());

  protected readonly waitSeconds = computed(() => {
    const until = this.lockedUntil();
    return until === null ? 0 : Math.max(0, Math.ceil((until - this.now()) / 1000));
  });
  protected readonly locked = computed(() => this.waitSeconds() > 0);
  protected readonly waitText = computed(() => formatWait(this.waitSeconds()));
  protected readonly retryAt = computed(() => {
    const until = this.lockedUntil();
    return until === null ? '' : new Date(until).toLocaleTimeString();
  });

  constructor() {
    afterNextRender(() => this.usernameInput()?.nativeElement.focus());
    // Tick the countdown only while a lockout is running.
    effect((onCleanup) => {
      const until = this.lockedUntil();
      if (until === null) return;
      const timer = setInterval(() => {
        this.now.set(Date.now());
        if (Date.now() >= until) this.lockedUntil.set(null);
      }, 1000);
      onCleanup(() => clearInterval(timer));
    });
    this.auth.setupStatus().then(
      (status) => this.needsSetup.set(status.needs_setup),
      () => undefined,
    );
  }

  protected async signIn(): Promise<void> {
    if (this.form.invalid || this.submitting() || this.locked()) {
      this.form.markAllAsTouched();
      return;
    }
    this.submitting.set(true);
    this.error.set(null);
    try {
      await this.auth.login(this.form.getRawValue());
      await this.router.navigateByUrl(safeReturnUrl(this.returnUrl()));
    } catch (failure) {
      const error = toApiError(failure);
      this.error.set(error.message);
      if (error.status === 429 && error.retryAfterSeconds !== null) {
        this.now.set(Date.now());
        this.lockedUntil.set(Date.now() + error.retryAfterSeconds * 1000);
      }
      // Clear the password for the next try without flagging the now-empty field as an error.
      this.formDirective().resetForm({ username: this.form.controls.username.value, password: '' });
      this.passwordInput()?.nativeElement.focus();
    } finally {
      this.submitting.set(false);
    }
  }
}
