import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { type AccessRule, describeAccess, SIGNED_IN } from '@sylvite/web-data-access';
import { EmptyState } from '@sylvite/web-ui';

/** Rendered in place of a page the user may not see; the URL stays, so the reason is plain. */
@Component({
  selector: 'syl-permission-denied-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [EmptyState],
  template: `
    <syl-empty-state heading="No permission" icon="lock" data-testid="permission-denied">
      <p>You don't have permission to see this page (needs {{ needs() }}).</p>
      <p>Ask an administrator if you need it.</p>
    </syl-empty-state>
  `,
})
export class PermissionDeniedPage {
  /** Bound from the route's `data.access`. */
  readonly access = input<AccessRule>(SIGNED_IN);
  protected readonly needs = computed(() => describeAccess(this.access()));
}
