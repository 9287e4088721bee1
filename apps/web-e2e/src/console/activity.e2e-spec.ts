import type { ActivityPage } from '@sylvite/contracts';
import type { Page } from 'playwright-core';
import { see } from '../support/see';
import { ADMIN_PASSWORD, eventually, screenshot, startStack, type Stack } from '../support/stack';

describe('console: the Activity page follows the fleet live', () => {
  let stack: Stack;
  let page: Page;

  const row = (minion: string, type = 'key.pend') => page.locator(`button[data-event-type="${type}"]`, { hasText: minion });
  const pend = (id: string) => stack.control('minions', { id });

  beforeAll(async () => {
    stack = await startStack();
    page = await stack.signIn('admin', ADMIN_PASSWORD);
    await page.goto(`${stack.api.url}/activity`);
    await see(page.getByTestId('activity-live-state')).toHaveText('Live');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('should show a new event at the top without a reload when Salt fires one', async () => {
    const ids = () => page.locator('[data-testid=activity-feed] button[data-event-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event-id')));
    const before = await ids();
    await pend('new42.example.com');

    await see(row('new42.example.com')).toBeVisible();
    const after = await ids();
    const id = await row('new42.example.com').getAttribute('data-event-id');
    // Above everything that was there before (returns of jobs in the same instant may sit above it).
    expect(after.indexOf(id)).toBeLessThan(before.length ? after.indexOf(before[0]) : 1);
    await screenshot(page, 'activity');
  });

  it('should narrow the feed with the filters and keep them through a reload', async () => {
    await page.getByTestId('filter-category').click();
    await page.getByRole('option', { name: 'Keys' }).click();
    await page.getByTestId('filter-search').fill('new4');
    await page.waitForURL((url) => url.searchParams.get('category') === 'key' && url.searchParams.get('q') === 'new4');
    await see(page.locator('[data-testid=activity-feed] [data-event-type^="job."]')).toHaveCount(0);

    const run = await stack.control('jobs', { tgt: 'web01.example.com', fun: 'test.ping' });
    await pend('new43.example.com');
    await see(row('new43.example.com')).toBeVisible();
    // The job's return is stored (so the live stream carried it) but the filtered feed leaves it out.
    await eventually(async () => {
      const r = await stack.admin.get<ActivityPage>(`/api/activity?jid=${String(run['jid'])}&event_type=job.ret`);
      return r.body.events.length > 0;
    }, 15_000, 200);
    await see(page.locator('[data-testid=activity-feed] [data-event-type^="job."]')).toHaveCount(0);

    await page.reload();
    await see(page.getByTestId('filter-search')).toHaveValue('new4');
    await see(page.getByTestId('filter-category')).toContainText('Keys');
    await see(row('new42.example.com')).toBeVisible();
    await see(row('new43.example.com')).toBeVisible();
    await see(page.locator('[data-testid=activity-feed] [data-event-type^="job."]')).toHaveCount(0);
    expect(new URL(page.url()).search).toBe('?category=key&q=new4');
  });

  it('should freeze the list and count what arrives while paused', async () => {
    await see(page.getByTestId('activity-live-state')).toHaveText('Live');
    await page.getByTestId('pause').click();
    await see(page.getByTestId('paused-banner')).toBeVisible();

    await pend('new44.example.com');
    await pend('new45.example.com');
    await see(page.getByTestId('missed-count')).toHaveText('2');
    await see(row('new44.example.com')).toHaveCount(0);
    await screenshot(page, 'activity-paused');

    await page.getByTestId('pause').click();
    await see(row('new44.example.com')).toBeVisible();
    await see(row('new45.example.com')).toBeVisible();
    await see(page.getByTestId('paused-banner')).toHaveCount(0);
  });

  it('should open the raw event in a side sheet when a row is chosen', async () => {
    await row('new42.example.com').click();
    const sheet = page.getByTestId('activity-detail');
    await see(sheet).toContainText('salt/auth');
    await see(sheet).toContainText('new42.example.com');
    await screenshot(page, 'activity-detail');
    await page.keyboard.press('Escape');
    await see(sheet).toHaveCount(0);
  });

  it('should say the stream dropped, reconnect by itself and fill the gap when the connection is lost', async () => {
    // The browser's EventSource cannot be cut from outside, so the page's own sources are recorded
    // and one is failed the way a dead connection fails it; reconnecting is refused for a while.
    await page.context().addInitScript(() => {
      const Native = window.EventSource;
      const sources: EventSource[] = [];
      (window as unknown as { __sources: EventSource[] }).__sources = sources;
      window.EventSource = class extends Native {
        constructor(url: string | URL, init?: EventSourceInit) {
          super(url, init);
          sources.push(this);
        }
      };
    });
    await page.reload();
    await see(page.getByTestId('activity-live-state')).toHaveText('Live');
    await see(row('new42.example.com')).toBeVisible();
    const refuse = '**/api/activity/stream*';
    await page.route(refuse, (route) => route.abort('connectionreset'));
    await page.evaluate(() => {
      for (const source of (window as unknown as { __sources: EventSource[] }).__sources) {
        source.close();
        source.dispatchEvent(new Event('error'));
      }
    });
    await see(page.getByTestId('activity-connection')).toContainText('dropped');

    await pend('new46.example.com');
    await eventually(async () => {
      const r = await stack.admin.get<ActivityPage>('/api/activity?category=key&search=new46');
      return r.body.events.length > 0;
    }, 15_000, 200);
    await screenshot(page, 'activity-reconnecting');
    await see(row('new46.example.com')).toHaveCount(0);

    await page.unroute(refuse);
    await see(page.getByTestId('activity-live-state'), 40_000).toHaveText('Live');
    await see(row('new46.example.com')).toBeVisible();
    await see(page.getByTestId('activity-connection')).toHaveCount(0);
  });
});
