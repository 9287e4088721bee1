import type { AbstractControl, ValidationErrors, ValidatorFn } from '@angular/forms';

/** A group validator: the two named controls must hold the same value. */
export function sameValue(field: string, confirmation: string): ValidatorFn {
  return (group: AbstractControl): ValidationErrors | null => {
    const a = group.get(field)?.value as unknown;
    const b = group.get(confirmation)?.value as unknown;
    return b === '' || a === b ? null : { mismatch: true };
  };
}

/**
 * Where to go after signing in: only a path inside the console. `//host` and `/\host` would be
 * read by a browser as another site, and going back to the auth pages makes no sense.
 */
export function safeReturnUrl(raw: string | null | undefined): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/';
  if (/^\/(login|setup)(\/|\?|#|$)/.test(raw)) return '/';
  return raw;
}

/** "45 s", "4 min 12 s", "2 h 5 min": how long a lockout still lasts. */
export function formatWait(totalSeconds: number): string {
  const s = Math.max(0, Math.ceil(totalSeconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return s % 60 ? `${minutes} min ${s % 60} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}
