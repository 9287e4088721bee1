/**
 * A small HTTP client for the api as a browser or an integrator uses it: a cookie jar with the
 * session and XSRF cookies (echoing XSRF-TOKEN in X-XSRF-TOKEN on mutations), or a bearer token.
 */
export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export class ApiClient {
  private readonly cookies = new Map<string, string>();
  bearer: string | null = null;
  /** Send X-XSRF-TOKEN on mutations (turn off to test CSRF refusals). */
  xsrf = true;

  constructor(readonly baseUrl: string) {}

  static async signedIn(baseUrl: string, username: string, password: string): Promise<ApiClient> {
    const c = new ApiClient(baseUrl);
    const r = await c.post('/api/auth/login', { username, password });
    if (r.status !== 200) throw new Error(`login as ${username} failed: ${r.status} ${r.text}`);
    return c;
  }

  static withToken(baseUrl: string, token: string): ApiClient {
    const c = new ApiClient(baseUrl);
    c.bearer = token;
    return c;
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const h: Record<string, string> = { accept: 'application/json', ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    if (this.cookies.size) h['cookie'] = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.bearer) h['authorization'] = `Bearer ${this.bearer}`;
    const xsrf = this.cookies.get('XSRF-TOKEN');
    if (this.xsrf && xsrf && !['GET', 'HEAD'].includes(method)) h['x-xsrf-token'] = decodeURIComponent(xsrf);
    const res = await fetch(this.baseUrl + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual' });
    for (const sc of res.headers.getSetCookie()) {
      const [pair] = sc.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      if (!value || /expires=Thu, 01 Jan 1970/i.test(sc)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  get<T = unknown>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, undefined, headers);
  }
  post<T = unknown>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body ?? {}, headers);
  }
  patch<T = unknown>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PATCH', path, body ?? {}, headers);
  }
  delete<T = unknown>(path: string, headers?: Record<string, string>) {
    return this.request<T>('DELETE', path, undefined, headers);
  }

  /** Sets or replaces a cookie by hand (forged XSRF cookies, another session's cookie). */
  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }
}

/** Waits until `fn` returns a truthy value (buffered audit rows land within ~100 ms). */
export async function eventually<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 5000, stepMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
