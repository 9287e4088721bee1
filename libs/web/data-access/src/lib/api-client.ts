import { HttpClient, HttpParams } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

/** Everything the console calls lives under one relative prefix: same origin, so cookies and XSRF just work. */
export const API_PREFIX = '/api';

type QueryValue = string | number | boolean | null | undefined;
export type QueryParams = Readonly<Record<string, QueryValue | readonly QueryValue[]>>;

/** Drops empty values so a cleared filter disappears from the URL instead of being sent as `?q=`. */
export function toHttpParams(query: QueryParams | undefined): HttpParams {
  let params = new HttpParams();
  for (const [key, raw] of Object.entries(query ?? {})) {
    const values = Array.isArray(raw) ? raw : [raw];
    for (const value of values as readonly QueryValue[]) {
      if (value === null || value === undefined || value === '') continue;
      params = params.append(key, String(value));
    }
  }
  return params;
}

export function apiUrl(path: string): string {
  return `${API_PREFIX}${path.startsWith('/') ? path : `/${path}`}`;
}

/**
 * A thin typed layer over HttpClient: paths are relative to `/api`, queries are typed records.
 * Feature data-access services build on it; they own the endpoint paths and response types.
 */
@Injectable({ providedIn: 'root' })
export class ApiClient {
  private readonly http = inject(HttpClient);

  get<T>(path: string, query?: QueryParams): Observable<T> {
    return this.http.get<T>(apiUrl(path), { params: toHttpParams(query) });
  }

  post<T>(path: string, body: unknown = {}): Observable<T> {
    return this.http.post<T>(apiUrl(path), body);
  }

  put<T>(path: string, body: unknown): Observable<T> {
    return this.http.put<T>(apiUrl(path), body);
  }

  patch<T>(path: string, body: unknown): Observable<T> {
    return this.http.patch<T>(apiUrl(path), body);
  }

  delete<T = void>(path: string): Observable<T> {
    return this.http.delete<T>(apiUrl(path));
  }

  /** For exports (CSV, NDJSON): the body as a Blob, with the same cookies and error handling. */
  download(path: string, query?: QueryParams): Observable<Blob> {
    return this.http.get(apiUrl(path), { params: toHttpParams(query), responseType: 'blob' });
  }
}
