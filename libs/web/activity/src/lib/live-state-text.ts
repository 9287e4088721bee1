import type { LiveState } from '@sylvite/web-data-access';

/** How a page words the tab's live connection: a short label and the sentence behind it. */
export const LIVE_STATE_TEXT: Readonly<Record<LiveState, { label: string; detail: string }>> = {
  open: { label: 'Live', detail: 'New events appear as they happen.' },
  connecting: { label: 'Connecting…', detail: 'Opening the live event stream.' },
  reconnecting: {
    label: 'Reconnecting…',
    detail: 'The live stream dropped. Reconnecting by itself; events from the gap are filled in when it is back.',
  },
  disabled: {
    label: 'Event stream off',
    detail: 'The Salt event stream is turned off in Settings. Stored history is shown and checked every 30 s.',
  },
  closed: { label: 'Not live', detail: 'No live stream for this account. The list is checked every 30 s.' },
};
