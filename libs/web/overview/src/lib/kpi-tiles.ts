import { ChangeDetectionStrategy, Component, computed, inject, type ResourceRef } from '@angular/core';
import { RouterLink } from '@angular/router';
import { AuthService, liveResource } from '@sylvite/web-data-access';
import { JobsApi } from '@sylvite/web-jobs';
import { KeysApi } from '@sylvite/web-keys';
import { MinionsApi } from '@sylvite/web-minions';
import { map } from 'rxjs';

/** No endpoint counts jobs; a page this big is counted, and "500+" said when there are more. */
export const JOB_COUNT_CAP = 500;
const DAY_MS = 86_400_000;

interface Tile {
  id: string;
  label: string;
  link: string;
  query: Record<string, string>;
  value: ResourceRef<{ count: number; more: boolean } | undefined>;
}

/**
 * The four numbers an operator looks at first. There is no counting endpoint: each is derived from
 * the list endpoints the pages use (minions with status=online → total; keys → pending; jobs with
 * status=running, and jobs since 24 h ago → page size, capped).
 */
@Component({
  selector: 'syl-kpi-tiles',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink],
  template: `
    @for (tile of tiles(); track tile.id) {
      <a class="tile" [routerLink]="tile.link" [queryParams]="tile.query" [attr.data-kpi]="tile.id">
        <span class="tile__value">
          @if (tile.value.hasValue()) {
            {{ tile.value.value()!.count.toLocaleString() }}{{ tile.value.value()!.more ? '+' : '' }}
          } @else if (tile.value.error()) {
            <span title="Could not load this number">—</span>
          } @else {
            <span class="tile__loading">…</span>
          }
        </span>
        <span class="tile__label">{{ tile.label }}</span>
      </a>
    }
  `,
  styles: `
    :host {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(180px, 1fr));
      gap: 16px;
    }
    .tile {
      display: flex;
      flex-direction: column;
      gap: 4px;
      padding: 16px 20px;
      border: 1px solid var(--mat-sys-outline-variant);
      border-radius: 12px;
      background: var(--mat-sys-surface-container-lowest);
      color: inherit;
      text-decoration: none;
    }
    .tile:hover {
      background: var(--mat-sys-surface-container-low);
    }
    .tile__value {
      font: var(--mat-sys-display-small);
      font-variant-numeric: tabular-nums;
    }
    .tile__label {
      font: var(--mat-sys-label-large);
      color: var(--mat-sys-on-surface-variant);
    }
    .tile__loading {
      color: var(--mat-sys-outline);
    }
  `,
})
export class KpiTiles {
  private readonly auth = inject(AuthService);
  private readonly jobs = inject(JobsApi);
  private readonly keys = inject(KeysApi);
  private readonly minions = inject(MinionsApi);

  private readonly online = liveResource({
    params: () => this.auth.can('view:minion') || undefined,
    stream: () => this.minions.list({ status: 'online', limit: 1 }).pipe(map((page) => ({ count: page.total, more: false }))),
    topics: ['minions'],
  });
  private readonly pending = liveResource({
    params: () => this.auth.can('view:key') || undefined,
    stream: () => this.keys.list().pipe(map((keys) => ({ count: keys.pending.length, more: false }))),
    topics: ['keys'],
  });
  private readonly running = liveResource({
    params: () => this.auth.can('view:job') || undefined,
    stream: () =>
      this.jobs
        .list({ status: 'running', limit: JOB_COUNT_CAP })
        .pipe(map((page) => ({ count: page.items.length, more: !!page.next_before_cursor }))),
    topics: ['jobs'],
  });
  private readonly lastDay = liveResource({
    params: () => this.auth.can('view:job') || undefined,
    stream: () => {
      // The window moves with each refresh, so "since" is taken when the request is made.
      const since = new Date(Date.now() - DAY_MS).toISOString();
      return this.jobs
        .list({ since, limit: JOB_COUNT_CAP })
        .pipe(map((page) => ({ count: page.items.length, more: !!page.next_before_cursor })));
    },
    topics: ['jobs'],
  });

  protected readonly tiles = computed<Tile[]>(() => {
    const tiles: Tile[] = [];
    if (this.auth.can('view:minion')) tiles.push({ id: 'online', label: 'Minions online', link: '/minions', query: { status: 'online' }, value: this.online });
    if (this.auth.can('view:key')) tiles.push({ id: 'pending', label: 'Keys pending', link: '/keys', query: {}, value: this.pending });
    if (this.auth.can('view:job')) {
      tiles.push({ id: 'running', label: 'Jobs running', link: '/jobs', query: { status: 'running' }, value: this.running });
      tiles.push({ id: 'jobs24h', label: 'Jobs in the last 24 h', link: '/jobs', query: {}, value: this.lastDay });
    }
    return tiles;
  });
}
