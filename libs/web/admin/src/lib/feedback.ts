import { inject, Injectable } from '@angular/core';
import { MatSnackBar } from '@angular/material/snack-bar';
import { toApiError } from '@sylvite/web-data-access';
import { firstValueFrom, type Observable } from 'rxjs';

/** Runs one administrative call and says how it went: a short note on success, the API's message on failure. */
@Injectable({ providedIn: 'root' })
export class Feedback {
  private readonly snackBar = inject(MatSnackBar);

  async run<T>(request: Observable<T>, done: string): Promise<T | null> {
    try {
      const result = await firstValueFrom(request, { defaultValue: null as T });
      this.snackBar.open(done, undefined, { duration: 4000 });
      return result ?? (true as T);
    } catch (error) {
      this.snackBar.open(toApiError(error).message, 'Dismiss', { duration: 10_000 });
      return null;
    }
  }
}
