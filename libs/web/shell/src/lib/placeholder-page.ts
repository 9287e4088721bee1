import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { ActivatedRoute } from '@angular/router';
import { EmptyState, PageHeader } from '@sylvite/web-ui';

/** Stands in for a page whose feature library is not written yet; each is replaced as the API lands. */
@Component({
  selector: 'syl-placeholder-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [PageHeader, EmptyState],
  template: `
    <syl-page-header [heading]="title" />
    <syl-empty-state heading="Not built yet">
      <p>This page of the console is still being written.</p>
    </syl-empty-state>
  `,
})
export class PlaceholderPage {
  protected readonly title = inject(ActivatedRoute).snapshot.title ?? '';
}
