import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSnackBar } from '@angular/material/snack-bar';
import { Router } from '@angular/router';
import { decide, type KeyState } from '@sylvite/contracts';
import { AuthService, liveResource, patchQuery, resourceError, toApiError, valueOf } from '@sylvite/web-data-access';
import { Badge, type BadgeTone, ConfirmService, ErrorState, Loading, PageHeader } from '@sylvite/web-ui';
import { firstValueFrom } from 'rxjs';
import { KeysApi } from './keys-api';

export type KeyAction = 'accept' | 'reject' | 'delete';

/** What can be done to a key in each state (salt-key's own rules). */
export const KEY_ACTIONS: Readonly<Record<KeyState, readonly KeyAction[]>> = {
  pending: ['accept', 'reject', 'delete'],
  accepted: ['reject', 'delete'],
  rejected: ['accept', 'delete'],
  denied: ['delete'],
};

const SECTIONS: readonly { state: KeyState; label: string; tone: BadgeTone; empty: string }[] = [
  { state: 'pending', label: 'Pending', tone: 'warning', empty: 'No key is waiting for acceptance.' },
  { state: 'accepted', label: 'Accepted', tone: 'success', empty: 'No accepted key.' },
  { state: 'rejected', label: 'Rejected', tone: 'danger', empty: 'No rejected key.' },
  { state: 'denied', label: 'Denied', tone: 'danger', empty: 'No denied key.' },
];

const ACTION_TEXT: Readonly<Record<KeyAction, { button: string; title: string; message: (id: string) => string; done: string }>> = {
  accept: {
    button: 'Accept',
    title: 'Accept this key?',
    message: (id) => `${id} becomes a trusted minion of this master and can receive jobs.`,
    done: 'accepted',
  },
  reject: {
    button: 'Reject',
    title: 'Reject this key?',
    message: (id) => `${id} will be refused by the master until its key is accepted again.`,
    done: 'rejected',
  },
  delete: {
    button: 'Delete',
    title: 'Delete this key?',
    message: (id) => `The master forgets ${id}'s key. If the minion is still running it will ask again and appear as pending.`,
    done: 'deleted',
  },
};

@Component({
  selector: 'syl-keys-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [MatButtonModule, MatFormFieldModule, MatInputModule, MatProgressBarModule, PageHeader, ErrorState, Loading, Badge],
  templateUrl: './keys-page.html',
  styles: `
    .section {
      margin-bottom: 24px;
    }
    .section h2 {
      display: flex;
      align-items: center;
      gap: 8px;
      font: var(--mat-sys-title-medium);
      margin: 0 0 8px;
    }
    .empty {
      margin: 0;
      padding: 12px 0;
    }
  `,
})
export class KeysPage {
  readonly q = input<string | undefined>();

  private readonly api = inject(KeysApi);
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);
  private readonly confirmer = inject(ConfirmService);
  private readonly snackBar = inject(MatSnackBar);

  protected readonly keys = liveResource({ params: () => true, stream: () => this.api.list(), topics: ['keys'] });
  protected readonly error = resourceError(this.keys);
  private readonly current = valueOf(this.keys);
  protected readonly busy = signal<string | null>(null);
  protected readonly actionText = ACTION_TEXT;

  protected readonly sections = computed(() => {
    const keys = this.current();
    if (!keys) return [];
    const needle = (this.q() ?? '').trim().toLowerCase();
    return SECTIONS.map((section) => ({
      ...section,
      ids: [...(keys[section.state] ?? [])].filter((id) => !needle || id.toLowerCase().includes(needle)).sort(),
      total: (keys[section.state] ?? []).length,
    }));
  });

  protected search(text: string): void {
    void patchQuery(this.router, { q: text.trim() }, { replaceUrl: true });
  }

  /** Offered only where the grant covers this minion; the API decides again and audits either way. */
  protected actionsFor(state: KeyState, id: string): readonly KeyAction[] {
    const me = this.auth.me();
    if (!me || !decide(me, 'manage:key', id).allowed) return [];
    return KEY_ACTIONS[state];
  }

  protected async act(action: KeyAction, id: string): Promise<void> {
    const text = ACTION_TEXT[action];
    const ok = await this.confirmer.confirm({
      title: text.title,
      message: text.message(id),
      confirmLabel: `${text.button} ${id}`,
      tone: action === 'accept' ? 'primary' : 'danger',
    });
    if (!ok) return;
    this.busy.set(id);
    try {
      await firstValueFrom(action === 'accept' ? this.api.accept(id) : action === 'reject' ? this.api.reject(id) : this.api.delete(id));
      this.snackBar.open(`Key ${id} ${text.done}.`, undefined, { duration: 4000 });
      this.keys.reload();
    } catch (error) {
      this.snackBar.open(toApiError(error).message, 'Dismiss', { duration: 8000 });
    } finally {
      this.busy.set(null);
    }
  }
}
