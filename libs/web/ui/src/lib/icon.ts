import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

/**
 * The few glyphs the console needs, drawn inline: no icon font to download, nothing fetched from
 * a third party, and they follow `currentColor` in both themes.
 */
const GLYPHS = {
  menu: ['M3 6h18v2H3z', 'M3 11h18v2H3z', 'M3 16h18v2H3z'],
  light: ['M12 8a4 4 0 1 0 0 8 4 4 0 1 0 0-8z', 'M11 1h2v4h-2zM11 19h2v4h-2zM1 11h4v2H1zM19 11h4v2h-4z'],
  dark: ['M12 3a9 9 0 1 0 9 9 7 7 0 0 1-9-9z'],
  system: ['M12 2a10 10 0 1 0 0 20 10 10 0 1 0 0-20zm0 2v16a8 8 0 0 1 0-16z'],
  account: ['M12 3a4 4 0 1 1 0 8 4 4 0 0 1 0-8zM12 13c-4.4 0-8 2-8 4.5V21h16v-3.5c0-2.5-3.6-4.5-8-4.5z'],
  lock: ['M6 10V8a6 6 0 0 1 12 0v2h1v12H5V10h1zm2 0h8V8a4 4 0 0 0-8 0v2z'],
  search: ['M10 3a7 7 0 1 0 4.2 12.6l5.6 5.6 1.4-1.4-5.6-5.6A7 7 0 0 0 10 3zm0 2a5 5 0 1 1 0 10 5 5 0 0 1 0-10z'],
  warning: ['M12 2 1 21h22L12 2zm-1 7h2v6h-2zm0 8h2v2h-2z'],
} as const;

export type IconName = keyof typeof GLYPHS;

@Component({
  selector: 'syl-icon',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
      @for (d of paths(); track $index) {
        <path [attr.d]="d" />
      }
    </svg>
  `,
  styles: `
    :host {
      display: inline-flex;
      width: 24px;
      height: 24px;
      line-height: 0;
    }
    svg {
      width: 100%;
      height: 100%;
      fill: currentColor;
    }
  `,
})
export class Icon {
  readonly name = input.required<IconName>();
  protected readonly paths = computed(() => GLYPHS[this.name()]);
}
