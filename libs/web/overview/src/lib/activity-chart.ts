import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { bucketTotal, CHART_OUTCOMES, type ChartOutcome, type HourBucket } from './activity-buckets';

const WIDTH = 720;
const HEIGHT = 180;
const AXIS = 22;
const GAP = 4;

const LABELS: Readonly<Record<ChartOutcome, string>> = { failed: 'Failed', changes: 'Changes', ok: 'OK' };

interface Bar {
  x: number;
  width: number;
  segments: { outcome: ChartOutcome; y: number; height: number }[];
  label: string | null;
  title: string;
}

function hourLabel(start: number): string {
  return new Date(start).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** Job returns per hour over the last day, stacked by outcome; the numbers are in a table for screen readers. */
@Component({
  selector: 'syl-activity-chart',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <svg [attr.viewBox]="'0 0 ' + width + ' ' + height" role="img" [attr.aria-label]="summary()" class="chart">
      <line [attr.x1]="0" [attr.x2]="width" [attr.y1]="plotHeight" [attr.y2]="plotHeight" class="axis" />
      @for (bar of bars(); track bar.x) {
        <g>
          <title>{{ bar.title }}</title>
          @for (s of bar.segments; track s.outcome) {
            <rect [attr.x]="bar.x" [attr.width]="bar.width" [attr.y]="s.y" [attr.height]="s.height" [attr.class]="'bar bar--' + s.outcome" />
          }
          @if (bar.label) {
            <text [attr.x]="bar.x" [attr.y]="height - 6" class="tick">{{ bar.label }}</text>
          }
        </g>
      }
    </svg>
    <ul class="legend" aria-hidden="true">
      @for (o of outcomes; track o) {
        <li><span class="swatch" [class]="'swatch bar--' + o"></span>{{ labels[o] }} {{ totals()[o] }}</li>
      }
    </ul>
    <table class="cdk-visually-hidden">
      <caption>Job returns per hour</caption>
      <tr>
        <th scope="col">Hour</th>
        @for (o of outcomes; track o) {
          <th scope="col">{{ labels[o] }}</th>
        }
      </tr>
      @for (b of buckets(); track b.start) {
        <tr>
          <th scope="row">{{ hour(b.start) }}</th>
          <td>{{ b.failed }}</td>
          <td>{{ b.changes }}</td>
          <td>{{ b.ok }}</td>
        </tr>
      }
    </table>
  `,
  styles: `
    :host {
      display: block;
    }
    .chart {
      display: block;
      width: 100%;
      height: auto;
    }
    .axis {
      stroke: var(--mat-sys-outline-variant);
    }
    .tick {
      font-size: 11px;
      fill: var(--mat-sys-on-surface-variant);
    }
    .bar--failed {
      fill: light-dark(#c62828, #ff8a80);
      background: light-dark(#c62828, #ff8a80);
    }
    .bar--changes {
      fill: light-dark(#c88a00, #ffd57a);
      background: light-dark(#c88a00, #ffd57a);
    }
    .bar--ok {
      fill: light-dark(#2e7d32, #81c784);
      background: light-dark(#2e7d32, #81c784);
    }
    .legend {
      display: flex;
      gap: 16px;
      margin: 8px 0 0;
      padding: 0;
      list-style: none;
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
    }
    .swatch {
      display: inline-block;
      width: 10px;
      height: 10px;
      margin-right: 6px;
      border-radius: 2px;
    }
  `,
})
export class ActivityChart {
  readonly buckets = input.required<HourBucket[]>();

  protected readonly width = WIDTH;
  protected readonly height = HEIGHT;
  protected readonly plotHeight = HEIGHT - AXIS;
  protected readonly outcomes = CHART_OUTCOMES;
  protected readonly labels = LABELS;
  protected readonly hour = hourLabel;

  protected readonly totals = computed(() => {
    const totals: Record<ChartOutcome, number> = { failed: 0, changes: 0, ok: 0 };
    for (const b of this.buckets()) for (const o of CHART_OUTCOMES) totals[o] += b[o];
    return totals;
  });

  protected readonly summary = computed(() => {
    const t = this.totals();
    return `Job returns over the last 24 hours: ${t.failed} failed, ${t.changes} with changes, ${t.ok} OK.`;
  });

  protected readonly bars = computed<Bar[]>(() => {
    const buckets = this.buckets();
    const max = Math.max(1, ...buckets.map(bucketTotal));
    const slot = WIDTH / Math.max(1, buckets.length);
    return buckets.map((b, i) => {
      let y = this.plotHeight;
      const segments = CHART_OUTCOMES.filter((o) => b[o] > 0).map((outcome) => {
        const height = (b[outcome] / max) * (this.plotHeight - 4);
        y -= height;
        return { outcome, y, height };
      });
      return {
        x: i * slot + GAP / 2,
        width: slot - GAP,
        segments,
        label: i % 6 === 0 ? hourLabel(b.start) : null,
        title: `${hourLabel(b.start)}: ${b.failed} failed, ${b.changes} changes, ${b.ok} OK`,
      };
    });
  });
}
