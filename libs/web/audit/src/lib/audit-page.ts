import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { Router, RouterLink } from '@angular/router';
import type { AuditEntryDto } from '@sylvite/contracts';
import { AuthService, liveResource, patchQuery, resourceError, valueOf } from '@sylvite/web-data-access';
import { Badge, EmptyState, ErrorState, formatDuration, Icon, JsonView, Loading, PageHeader, RelativeTime } from '@sylvite/web-ui';
import { debounceTime, of, Subject } from 'rxjs';
import { AuditApi } from './audit-api';
import {
  auditFilterFromQuery,
  auditFilterToApi,
  exportUrl,
  fromLocalInput,
  isFiltered,
  toLocalInput,
  type AuditFilter,
} from './audit-filter';

export const AUDIT_PAGE_SIZE = 50;

type TextKey = 'action_prefix' | 'resource';

@Component({
  selector: 'syl-audit-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    RouterLink,
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    MatProgressBarModule,
    PageHeader,
    EmptyState,
    ErrorState,
    Loading,
    Badge,
    RelativeTime,
    JsonView,
    Icon,
  ],
  templateUrl: './audit-page.html',
  styles: `
    .details td {
      background: var(--mat-sys-surface-container-low);
      --syl-json-max-height: 240px;
    }
    .row-button {
      min-width: 0;
    }
    .user-link {
      padding: 0;
      border: 0;
      background: none;
      color: var(--mat-sys-primary);
      font: inherit;
      text-decoration: underline;
      cursor: pointer;
    }
  `,
})
export class AuditPage {
  readonly user_id = input<string | undefined>();
  readonly action_prefix = input<string | undefined>();
  readonly decision = input<string | undefined>();
  readonly resource = input<string | undefined>();
  readonly since = input<string | undefined>();
  readonly until = input<string | undefined>();
  readonly before = input<string | undefined>();

  private readonly api = inject(AuditApi);
  private readonly auth = inject(AuthService);
  private readonly router = inject(Router);

  protected readonly filter = computed<AuditFilter>(() =>
    auditFilterFromQuery({
      user_id: this.user_id(),
      action_prefix: this.action_prefix(),
      decision: this.decision(),
      resource: this.resource(),
      since: this.since(),
      until: this.until(),
    }),
  );
  protected readonly filtered = computed(() => isFiltered(this.filter()));
  protected readonly csvUrl = computed(() => exportUrl(this.filter(), 'csv'));
  protected readonly ndjsonUrl = computed(() => exportUrl(this.filter(), 'ndjson'));
  protected readonly sinceInput = computed(() => toLocalInput(this.filter().since));
  protected readonly untilInput = computed(() => toLocalInput(this.filter().until));

  protected readonly entries = liveResource({
    params: () => ({ ...auditFilterToApi(this.filter()), before_cursor: this.before() || null, limit: AUDIT_PAGE_SIZE }),
    stream: (query) => this.api.list(query),
  });
  protected readonly error = resourceError(this.entries);
  protected readonly users = liveResource({
    params: () => this.auth.can('view:user'),
    stream: (allowed) => (allowed ? this.api.users() : of([])),
  });
  protected readonly userList = valueOf(this.users);
  private readonly page = valueOf(this.entries);
  protected readonly subtitle = computed(() => {
    const page = this.page();
    if (!page) return null;
    return `${page.total.toLocaleString()}${page.total_is_estimate ? '+' : ''} ${page.total === 1 ? 'entry' : 'entries'}`;
  });

  protected readonly expanded = signal<string | null>(null);
  private readonly history = signal<string[]>([]);
  private readonly typing = new Subject<{ key: TextKey; value: string }>();
  protected readonly duration = formatDuration;

  constructor() {
    this.typing
      .pipe(debounceTime(400), takeUntilDestroyed())
      .subscribe(({ key, value }) => this.setFilter({ [key]: value.trim() || null }, true));
  }

  protected type(key: TextKey, value: string): void {
    this.typing.next({ key, value });
  }

  protected setFilter(patch: Partial<AuditFilter>, replaceUrl = false): void {
    this.history.set([]);
    void patchQuery(this.router, { ...patch, before: null }, { replaceUrl });
  }

  protected setTime(key: 'since' | 'until', local: string): void {
    this.setFilter({ [key]: fromLocalInput(local) });
  }

  protected clear(): void {
    this.setFilter({ user_id: null, action_prefix: null, decision: null, resource: null, since: null, until: null });
  }

  protected toggle(entry: AuditEntryDto): void {
    this.expanded.update((id) => (id === entry.id ? null : entry.id));
  }

  protected older(cursor: string | null): void {
    if (!cursor) return;
    this.history.update((h) => [...h, this.before() ?? '']);
    void patchQuery(this.router, { before: cursor });
  }

  protected newer(): void {
    const history = [...this.history()];
    const previous = history.pop() ?? null;
    this.history.set(history);
    void patchQuery(this.router, { before: previous || null });
  }
}
