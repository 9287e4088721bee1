import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MatCardModule } from '@angular/material/card';

/** The centred card the signed-out pages share. */
@Component({
  selector: 'syl-auth-frame',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatCardModule],
  template: `
    <main class="frame" id="main">
      <mat-card class="frame__card" appearance="outlined">
        <mat-card-header>
          <mat-card-title><h1 class="frame__title">{{ heading() }}</h1></mat-card-title>
          @if (subtitle()) {
            <mat-card-subtitle>{{ subtitle() }}</mat-card-subtitle>
          }
        </mat-card-header>
        <mat-card-content><ng-content /></mat-card-content>
      </mat-card>
      <p class="frame__brand">Sylvite · live activity and audit for Salt</p>
    </main>
  `,
  styles: `
    .frame {
      min-height: 100vh;
      box-sizing: border-box;
      display: flex;
      flex-direction: column;
      align-items: center;
      justify-content: center;
      gap: 16px;
      padding: 24px;
      background: var(--mat-sys-surface-container-low);
    }
    .frame__card {
      width: 100%;
      max-width: 420px;
    }
    .frame__title {
      margin: 0;
      font: var(--mat-sys-headline-small);
    }
    .frame__brand {
      margin: 0;
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class AuthFrame {
  readonly heading = input.required<string>();
  readonly subtitle = input<string | null>(null);
}
