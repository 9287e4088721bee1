import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
// The api-e2e harness (processes, HTTP client) is reused by path: it is a test folder, not a library.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { ApiClient, eventually } from '../../../api-e2e/src/support/client';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { ADMIN_PASSWORD, type Api, type SaltSim, startApi, startSaltSim } from '../../../api-e2e/src/support/processes';

export { ADMIN_PASSWORD, ApiClient, eventually };

const ROOT = resolve(__dirname, '../../../..');
export const SCREENSHOTS = join(ROOT, 'test-artifacts', 'screenshots');
export const PASSWORD = 'long-enough-password';

/** Debian's Chromium, without the background traffic a test machine has no use for. */
export const CHROMIUM = {
  executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
};

/** Users a suite needs besides the bootstrap admin, by their global roles. */
export type Users = Record<string, string[]>;

export interface Stack {
  /** The HTTP client class, for signing in other users outside the browser. */
  ApiClient: typeof ApiClient;
  /** The password of every user the suite created. */
  password: string;
  sim: SaltSim;
  api: Api;
  admin: ApiClient;
  browser: Browser;
  /** The simulator's `/_sim/*` control API. */
  control(path: string, body?: unknown): Promise<Record<string, unknown>>;
  /** A fresh browser context signed in as `username`, on the page it lands on. */
  signIn(username: string, password?: string, options?: { colorScheme?: 'light' | 'dark' }): Promise<Page>;
  stop(): Promise<void>;
}

export async function startStack(users: Users = {}): Promise<Stack> {
  const sim = await startSaltSim();
  let api: Api | null = null;
  let browser: Browser | null = null;
  try {
    api = await startApi({
      env: {
        SALT_API_URL: sim.url,
        SALT_API_USERNAME: sim.user,
        SALT_API_PASSWORD: sim.password,
        SALT_API_EAUTH: 'auto',
        SYLVITE_EVENT_STREAM: 'true',
      },
    });
    const admin = await ApiClient.signedIn(api.url, 'admin', ADMIN_PASSWORD);
    for (const [username, roles] of Object.entries(users)) {
      const r = await admin.post('/api/users', { username, password: PASSWORD, roles });
      if (r.status !== 201) throw new Error(`user ${username}: ${r.status} ${r.text}`);
    }
    const control = async (path: string, body?: unknown) => {
      const res = await fetch(`${sim.url}/_sim/${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`/_sim/${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, unknown>;
    };
    // Events fired before the api holds salt-api's /events stream would only come back by reconciliation.
    await eventually(async () => ((await control('counters')) as { streams: { open: number } }).streams.open > 0, 20_000, 100);
    browser = await chromium.launch(CHROMIUM);
    mkdirSync(SCREENSHOTS, { recursive: true });
    const contexts: BrowserContext[] = [];
    const base = api.url;
    const launched = browser;
    const running = api;
    return {
      ApiClient,
      password: PASSWORD,
      sim,
      api: running,
      admin,
      browser: launched,
      control,
      async signIn(username, password = PASSWORD, options = {}) {
        const context = await launched.newContext({ viewport: { width: 1366, height: 860 }, colorScheme: options.colorScheme ?? 'light' });
        contexts.push(context);
        const page = await context.newPage();
        await page.goto(`${base}/login`);
        await page.getByLabel('Username').fill(username);
        await page.getByLabel('Password').fill(password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL((url) => !url.pathname.startsWith('/login'));
        await page.locator('syl-sidebar').waitFor();
        return page;
      },
      async stop() {
        for (const c of contexts) await c.close().catch(() => undefined);
        await launched.close();
        await running.stop();
        await sim.stop();
      },
    };
  } catch (error) {
    await browser?.close();
    await api?.stop();
    await sim.stop();
    throw error;
  }
}

/** Saves what the page shows now into test-artifacts/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  // Relative times and the caret would otherwise differ run to run; the page itself is what matters.
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled', caret: 'hide' });
}
