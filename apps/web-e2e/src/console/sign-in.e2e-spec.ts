import { see } from '../support/see';
import { ADMIN_PASSWORD, PASSWORD, screenshot, startStack, type Stack } from '../support/stack';

describe('console: signing in and what each role sees', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ vic: ['viewer'], olga: ['operator'] });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('should land on the Overview with the live heartbeat when an admin signs in', async () => {
    const context = await stack.browser.newContext({ viewport: { width: 1366, height: 860 } });
    const page = await context.newPage();
    await page.goto(`${stack.api.url}/activity`);
    await page.waitForURL(/\/login\?returnUrl=%2Factivity/);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('wrong-password-for-sure');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('login-error').waitFor();
    await screenshot(page, 'sign-in');

    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/activity');
    await see(page.locator('h1')).toHaveText('Activity');

    await page.goto(`${stack.api.url}/`);
    await see(page.getByTestId('heartbeat')).toContainText('Live');
    await page.locator('[data-kpi=online] .tile__value').filter({ hasText: /\d/ }).waitFor();
    await see(page.locator('[data-kpi=online] .tile__value')).toHaveText('12');
    await screenshot(page, 'overview');
    await context.close();
  });

  it('should hide Audit and Run and refuse them plainly when a viewer signs in', async () => {
    const page = await stack.signIn('vic');
    const nav = page.locator('syl-sidebar');
    await see(nav.locator('a[data-nav=activity]')).toBeVisible();
    expect(await nav.locator('a[data-nav=audit]').count()).toBe(0);
    expect(await nav.locator('a[data-nav=run]').count()).toBe(0);

    await page.goto(`${stack.api.url}/audit`);
    await see(page.getByTestId('permission-denied')).toContainText('needs view:audit:*');
    await screenshot(page, 'permission-denied');
    await page.goto(`${stack.api.url}/run`);
    await see(page.getByTestId('permission-denied')).toContainText('needs run:job:*');
  });

  it('should show Run but not Audit when an operator signs in', async () => {
    const page = await stack.signIn('olga', PASSWORD, { colorScheme: 'dark' });
    const nav = page.locator('syl-sidebar');
    await see(nav.locator('a[data-nav=run]')).toBeVisible();
    expect(await nav.locator('a[data-nav=audit]').count()).toBe(0);
    await page.locator('[data-kpi=pending] .tile__value').filter({ hasText: /\d/ }).waitFor();
    await screenshot(page, 'overview-dark');

    await page.getByTestId('user-menu').click();
    await page.getByRole('menuitem', { name: 'Change password' }).click();
    await see(page.locator('main h1')).toHaveText('Change password');
    await screenshot(page, 'change-password');
  });
});
