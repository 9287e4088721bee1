import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

/** Pretty JSON when the value parses (or already is an object); the text as it is otherwise. */
export function prettyJson(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

@Component({
  selector: 'syl-json',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<pre class="json" tabindex="0" [attr.aria-label]="label()">{{ text() }}</pre>`,
  styles: `
    .json {
      margin: 0;
      padding: 12px;
      max-height: var(--syl-json-max-height, 480px);
      overflow: auto;
      border-radius: 8px;
      background: var(--mat-sys-surface-container);
      color: var(--mat-sys-on-surface);
      font-size: 12px;
      line-height: 1.5;
      white-space: pre-wrap;
      word-break: break-word;
    }
  `,
})
export class JsonView {
  readonly value = input<unknown>();
  readonly label = input('JSON');
  protected readonly text = computed(() => prettyJson(this.value()));
}
