import { inject, Injectable } from '@angular/core';
import { MatSnackBar } from '@angular/material/snack-bar';
import { toApiError } from '@sylvite/web-data-access';
import { firstValueFrom, type Observable } from 'rxjs';

/** Runs one administrative call and says how it went: a short note on success, the API's message on failure. */
@Injectable({ providedIn: 'root' })
export class Feedback {
  private readonly snackBar = inject(MatSnackBar);

  /** True when the call succeeded. */
  async run(request: Observable<unknown>, done: string): Promise<boolean> {
    try {
      await firstValueFrom(request, { defaultValue: undefined });
      this.snackBar.open(done, undefined, { duration: 4000 });
      return true;
    } catch (error) {
      this.snackBar.open(toApiError(error).message, 'Dismiss', { duration: 10_000 });
      return false;
    }
  }
}
