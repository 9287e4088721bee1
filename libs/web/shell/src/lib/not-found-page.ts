import { ChangeDetectionStrategy, Component } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { RouterLink } from '@angular/router';
import { EmptyState } from '@sylvite/web-ui';

@Component({
  selector: 'syl-not-found-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [EmptyState, MatButtonModule, RouterLink],
  template: `
    <syl-empty-state heading="Page not found" icon="search">
      <p>There is no page at this address.</p>
      <a mat-stroked-button routerLink="/" actions>Go to the overview</a>
    </syl-empty-state>
  `,
})
export class NotFoundPage {}
