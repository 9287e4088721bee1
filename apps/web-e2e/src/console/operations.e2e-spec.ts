import type { Page } from 'playwright-core';
import { see } from '../support/see';
import { ADMIN_PASSWORD, screenshot, startStack, type Stack } from '../support/stack';

const WEB = ['web01.example.com', 'web02.example.com', 'web03.example.com', 'web04.example.com'];

describe('console: operating the fleet', () => {
  let stack: Stack;
  let olga: Page;

  beforeAll(async () => {
    stack = await startStack({ olga: ['operator'] });
    olga = await stack.signIn('olga');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('should show the jid and each minion return live when an operator runs test.ping', async () => {
    await olga.goto(`${stack.api.url}/run`);
    await olga.getByTestId('run-function').fill('test.ping');
    await olga.getByTestId('run-function').press('Escape');
    await olga.getByTestId('run-target').fill('web*');
    // Submitted from the keyboard, as an operator at the keyboard does.
    await olga.getByTestId('run-target').press('Enter');

    const jid = (await olga.getByTestId('run-jid').innerText()).trim();
    expect(jid).toMatch(/^\d{20}$/);
    const returns = olga.getByTestId('run-returns');
    await see(returns.locator('tr[data-minion]')).toHaveCount(WEB.length);
    await see(returns.locator('[data-outcome=ok]')).toHaveCount(WEB.length);
    for (const id of WEB) await see(returns.locator(`tr[data-minion="${id}"]`)).toContainText('OK');
    await see(olga.getByTestId('run-result')).toContainText(`${WEB.length} returned`);
    await screenshot(olga, 'run');

    await olga.getByTestId('run-jid').click();
    await olga.waitForURL(`**/jobs/${jid}`);
    await see(olga.locator('[data-testid=job-results] [data-minion]')).toHaveCount(WEB.length);
    await olga.locator(`[data-testid=job-results] [data-minion="${WEB[0]}"] summary`).click();
    await screenshot(olga, 'job-detail');

    await olga.goto(`${stack.api.url}/jobs`);
    await see(olga.locator(`[data-testid=jobs-table] tr[data-jid="${jid}"]`)).toContainText('test.ping');
    await screenshot(olga, 'jobs');
  });

  it('should show each state result of a state run on the job page', async () => {
    const run = await stack.admin.post<{ jid: string }>('/api/run', { target: 'web01.example.com', fun: 'state.apply' });
    expect(run.status).toBe(202);
    await olga.goto(`${stack.api.url}/jobs/${run.body.jid}`);
    const minion = olga.locator('[data-testid=job-results] [data-minion="web01.example.com"]');
    await see(minion.locator('[data-outcome]')).toBeVisible();
    await minion.locator('summary').click();
    await see(minion.locator('table.states tbody tr').first()).toBeVisible();
    expect(await minion.locator('table.states tbody tr').count()).toBeGreaterThan(1);
    await screenshot(olga, 'job-detail-states');
  });

  it('should move an accepted key, after confirming, and show key.accept in Activity and in Audit', async () => {
    await olga.goto(`${stack.api.url}/keys`);
    await see(olga.locator('[data-key-state=accepted] tr[data-key]')).toHaveCount(12);
    // The key arrives while the page is open: the live stream refreshes the list.
    await stack.control('minions', { id: 'new07.example.com' });
    const pending = olga.locator('[data-key-state=pending] tr[data-key="new07.example.com"]');
    await see(pending).toBeVisible();
    await screenshot(olga, 'keys');

    await pending.locator('button[data-action=accept]').click();
    await see(olga.getByTestId('confirm-ok')).toContainText('Accept new07.example.com');
    await screenshot(olga, 'keys-confirm');
    await olga.getByTestId('confirm-ok').click();

    await see(olga.locator('[data-key-state=accepted] tr[data-key="new07.example.com"]')).toBeVisible();
    await see(pending).toHaveCount(0);

    await olga.goto(`${stack.api.url}/activity?category=key&q=new07`);
    await see(olga.locator('button[data-event-type="key.accept"]', { hasText: 'new07.example.com' })).toBeVisible();

    const admin = await stack.signIn('admin', ADMIN_PASSWORD);
    await admin.goto(`${stack.api.url}/audit?action_prefix=key.`);
    const row = admin.locator('[data-testid=audit-table] tr[data-action="key.accept"]', { hasText: 'new07.example.com' });
    await see(row).toBeVisible();
    await see(row).toContainText('olga');
    await see(row).toContainText('Allow');
    await screenshot(admin, 'audit');
  });

  it('should list the minions with their state and open one when asked', async () => {
    await olga.goto(`${stack.api.url}/minions`);
    await see(olga.locator('[data-testid=minions-table] tr[data-minion]')).toHaveCount(13);
    await olga.getByTestId('minions-search').fill('db');
    await see(olga.locator('[data-testid=minions-table] tr[data-minion]')).toHaveCount(2);
    await olga.getByTestId('minions-search').fill('');
    await see(olga.locator('[data-testid=minions-table] tr[data-minion]')).toHaveCount(13);
    await screenshot(olga, 'minions');

    await olga.locator('[data-testid=minions-table] tr[data-minion="web01.example.com"] a').first().click();
    await olga.waitForURL('**/minions/web01.example.com');
    await see(olga.locator('h1')).toHaveText('web01.example.com');
    await screenshot(olga, 'minion-detail');
  });
});
