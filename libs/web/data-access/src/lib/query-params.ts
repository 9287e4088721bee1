import type { Router } from '@angular/router';

export type QueryPatch = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** `true` → "1", `false`/empty → removed, so the URL only carries what differs from the defaults. */
export function toQueryValue(value: string | number | boolean | null | undefined): string | null {
  if (value === null || value === undefined || value === false || value === '') return null;
  if (value === true) return '1';
  return String(value);
}

/** "1" and "true" turn a hide toggle on; anything else (or nothing) leaves it off. */
export function flagParam(value: string | null | undefined): boolean {
  return value === '1' || value === 'true';
}

/**
 * Merges filter changes into the current URL's query. Typing replaces the history entry so Back
 * leaves the page rather than undoing keystrokes; a deliberate choice adds one.
 */
export function patchQuery(router: Router, patch: QueryPatch, options: { replaceUrl?: boolean } = {}): Promise<boolean> {
  const queryParams: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(patch)) queryParams[key] = toQueryValue(value);
  return router.navigate([], { queryParams, queryParamsHandling: 'merge', replaceUrl: options.replaceUrl ?? false });
}
