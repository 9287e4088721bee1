import type { Page } from 'playwright-core';
import { see } from '../support/see';
import { ADMIN_PASSWORD, eventually, screenshot, startStack, type Stack } from '../support/stack';

describe('console: records and administration', () => {
  let stack: Stack;
  let admin: Page;

  beforeAll(async () => {
    stack = await startStack({ carol: [] });
    for (const project of [
      { slug: 'alpha', name: 'Alpha web', minion_patterns: ['web*'] },
      { slug: 'beta', name: 'Beta databases', minion_patterns: ['db*'] },
    ]) {
      const r = await stack.admin.post('/api/projects', project);
      if (r.status !== 201) throw new Error(`project ${project.slug}: ${r.status} ${r.text}`);
    }
    const m = await stack.admin.post('/api/projects/alpha/members', { username: 'carol', role: 'operator' });
    if (m.status !== 201) throw new Error(`membership: ${m.status} ${m.text}`);
    for (const target of ['web01.example.com', 'db01.example.com']) {
      const r = await stack.admin.post('/api/run', { target, fun: 'test.ping' });
      if (r.status !== 202) throw new Error(`run on ${target}: ${r.status} ${r.text}`);
    }
    admin = await stack.signIn('admin', ADMIN_PASSWORD);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('should show only the rows of the user\'s own projects on the Timeline', async () => {
    const carol = await stack.signIn('carol');
    await carol.goto(`${stack.api.url}/timeline`);
    await see(carol.locator('[data-testid=timeline-list] li[data-project=alpha][data-action="salt.run"]')).toBeVisible();
    await see(carol.locator('[data-testid=timeline-list] li[data-project=beta]')).toHaveCount(0);
    await screenshot(carol, 'timeline');

    // The same page for an admin holds both projects' rows: what carol misses is scoping, not absence.
    await admin.goto(`${stack.api.url}/timeline`);
    await see(admin.locator('[data-testid=timeline-list] li[data-project=beta][data-action="salt.run"]')).toBeVisible();
    await see(admin.locator('[data-testid=timeline-list] li[data-project=alpha][data-action="salt.run"]')).toBeVisible();

    // A new row of carol's project appears by polling, without a reload.
    const carolApi = await stack.ApiClient.signedIn(stack.api.url, 'carol', stack.password);
    const run = await carolApi.post<{ jid: string }>('/api/run', { target: 'web02.example.com', fun: 'test.ping' });
    expect(run.status).toBe(202);
    await see(carol.locator('[data-testid=timeline-list] li[data-project=alpha][data-action="salt.run"]')).toHaveCount(2);
  });

  it('should narrow the Timeline to one project when the project filter is chosen', async () => {
    await admin.goto(`${stack.api.url}/timeline`);
    await admin.getByTestId('timeline-project').click();
    await admin.getByRole('option', { name: /Beta databases/ }).click();
    await admin.waitForURL((url) => url.searchParams.get('project') === 'beta');
    await see(admin.locator('[data-testid=timeline-list] li[data-project=beta]').first()).toBeVisible();
    await see(admin.locator('[data-testid=timeline-list] li:not([data-project=beta])')).toHaveCount(0);
  });

  it('should test the Salt connection without saving when Test is pressed on Settings', async () => {
    await admin.goto(`${stack.api.url}/settings`);
    await admin.getByTestId('salt-test').click();
    await see(admin.getByTestId('salt-test-result')).toContainText('Connected');
    await see(admin.getByTestId('salt-test-result')).toContainText('12');
    await screenshot(admin, 'settings');
  });

  it('should list users and roles and the projects with their members', async () => {
    await admin.goto(`${stack.api.url}/admin/users`);
    await see(admin.locator('[data-testid=users-table] tr[data-user=carol]')).toBeVisible();
    await screenshot(admin, 'users');
    await admin.getByRole('tab', { name: /Roles/ }).click();
    await see(admin.locator('[data-testid=roles-table] tr[data-role=operator]')).toContainText('run:job:*');
    await screenshot(admin, 'roles');

    await admin.goto(`${stack.api.url}/admin/projects?project=alpha`);
    await see(admin.locator('[data-testid=members-table] tr[data-member=carol]')).toContainText('carol');
    await screenshot(admin, 'projects');
  });

  it('should show a new API token once and never again', async () => {
    await admin.goto(`${stack.api.url}/tokens`);
    await admin.getByTestId('token-new').click();
    await admin.getByTestId('token-name').fill('ci-deploy');
    await admin.locator('mat-checkbox[data-permission="*:*:*"] input').check();
    await admin.getByTestId('token-create').click();
    const secret = (await admin.getByTestId('token-secret').innerText()).trim();
    expect(secret.length).toBeGreaterThan(20);
    await see(admin.locator('[data-testid=tokens-table] tr[data-token=ci-deploy]')).toBeVisible();
    await screenshot(admin, 'tokens');

    // The secret works as a bearer token, and the page never shows it again.
    const me = await eventually(async () => {
      const r = await fetch(`${stack.api.url}/api/auth/me`, { headers: { authorization: `Bearer ${secret}` } });
      return r.status === 200 ? r : null;
    });
    expect(me.status).toBe(200);
    await admin.reload();
    await see(admin.locator('[data-testid=tokens-table] tr[data-token=ci-deploy]')).toBeVisible();
    expect(await admin.content()).not.toContain(secret);
  });

  it('should fit a small laptop screen without scrolling the page sideways', async () => {
    await admin.setViewportSize({ width: 1024, height: 700 });
    try {
      for (const path of ['/', '/activity', '/audit', '/jobs', '/keys', '/timeline', '/settings', '/admin/users']) {
        await admin.goto(`${stack.api.url}${path}`);
        await see(admin.locator('h1')).toBeVisible();
        const overflow = await admin.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect({ path, overflow }).toEqual({ path, overflow: 0 });
      }
      await admin.goto(`${stack.api.url}/audit`);
      await see(admin.locator('[data-testid=audit-table]')).toBeVisible();
      await screenshot(admin, 'laptop-audit');
    } finally {
      await admin.setViewportSize({ width: 1366, height: 860 });
    }
  });
});
