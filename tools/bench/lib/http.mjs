// A keep-alive HTTP client for the api: a cookie jar (session + XSRF-TOKEN echoed on mutations)
// and timed requests. node:http directly, so the client adds as little as possible to a latency.
import http from 'node:http';

export class ApiClient {
  constructor(baseUrl) {
    this.base = new URL(baseUrl);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    this.cookies = new Map();
  }

  static async signedIn(baseUrl, username, password) {
    const c = new ApiClient(baseUrl);
    const r = await c.request('POST', '/api/auth/login', { username, password });
    if (r.status !== 200) throw new Error(`login as ${username} failed: ${r.status} ${r.text.slice(0, 300)}`);
    return c;
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** Headers for another client (autocannon, the SSE clients) to act as this session. */
  authHeaders(mutating = false) {
    const h = { cookie: this.cookieHeader() };
    const x = this.cookies.get('XSRF-TOKEN');
    if (mutating && x) h['x-xsrf-token'] = decodeURIComponent(x);
    return h;
  }

  request(method, path, body, extraHeaders = {}) {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers = { accept: 'application/json', ...extraHeaders };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    if (this.cookies.size) headers.cookie = this.cookieHeader();
    const x = this.cookies.get('XSRF-TOKEN');
    if (x && method !== 'GET' && method !== 'HEAD') headers['x-xsrf-token'] = decodeURIComponent(x);
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: this.base.hostname, port: this.base.port, path, method, headers, agent: this.agent },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            for (const sc of res.headers['set-cookie'] ?? []) {
              const [pair] = sc.split(';');
              const i = pair.indexOf('=');
              const name = pair.slice(0, i).trim();
              const value = pair.slice(i + 1).trim();
              if (!value || /expires=Thu, 01 Jan 1970/i.test(sc)) this.cookies.delete(name);
              else this.cookies.set(name, value);
            }
            const text = Buffer.concat(chunks).toString('utf8');
            let json = null;
            try {
              json = text ? JSON.parse(text) : null;
            } catch {
              // not JSON
            }
            resolve({ status: res.statusCode, headers: res.headers, text, json });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  get(path) {
    return this.request('GET', path);
  }
  post(path, body = {}) {
    return this.request('POST', path, body);
  }
  patch(path, body = {}) {
    return this.request('PATCH', path, body);
  }

  /** Milliseconds to the last byte of a GET, and the reply. */
  async timedGet(path) {
    const t = performance.now();
    const r = await this.request('GET', path);
    return { ms: performance.now() - t, reply: r };
  }

  close() {
    this.agent.destroy();
  }
}
