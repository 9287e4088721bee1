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
  close: ['M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12 19 6.4 17.6 5 12 10.6z'],
  pause: ['M7 5h4v14H7zM13 5h4v14h-4z'],
  play: ['M8 5v14l11-7z'],
  refresh: ['M12 4a8 8 0 1 0 7.7 10h-2.1A6 6 0 1 1 12 6c1.7 0 3.1.7 4.2 1.8L13 11h7V4l-2.4 2.4A8 8 0 0 0 12 4z'],
  download: ['M11 3h2v9.2l3.3-3.3 1.4 1.4L12 16l-5.7-5.7 1.4-1.4 3.3 3.3zM5 18h14v2H5z'],
  copy: ['M8 3h11v13h-2V5H8zM4 7h11v14H4zm2 2v10h7V9z'],
  arrow: ['M4 11h12.2l-5.6-5.6L12 4l8 8-8 8-1.4-1.4 5.6-5.6H4z'],
  check: ['M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z'],
  delete: ['M9 3h6l1 1h4v2H4V4h4zM6 7h12l-1 14H7zm3 2v10h2V9zm4 0v10h2V9z'],
  add: ['M11 5h2v6h6v2h-6v6h-2v-6H5v-2h6z'],
  edit: ['M4 17.2V20h2.8l9.9-9.9-2.8-2.8zM18.4 8.4l-2.8-2.8 1.7-1.7a1 1 0 0 1 1.4 0l1.4 1.4a1 1 0 0 1 0 1.4z'],
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
