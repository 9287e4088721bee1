import type { Locator } from 'playwright-core';

export const SEE_TIMEOUT_MS = 15_000;

/**
 * Waits for what a person would see: playwright-core has no test runner's `expect`, so these
 * poll the locator until it matches and fail with what was there instead.
 */
export function see(locator: Locator, timeoutMs = SEE_TIMEOUT_MS) {
  async function poll(describe: string, check: () => Promise<{ ok: boolean; actual: string }>): Promise<void> {
    const until = Date.now() + timeoutMs;
    let actual = '(nothing)';
    for (;;) {
      try {
        const r = await check();
        actual = r.actual;
        if (r.ok) return;
      } catch (error) {
        actual = String(error);
      }
      if (Date.now() > until) throw new Error(`${locator} should ${describe}, but after ${timeoutMs} ms it was: ${actual}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const text = async () => ((await locator.count()) ? (await locator.first().innerText()).trim() : '(absent)');
  return {
    toHaveText: (expected: string | RegExp) =>
      poll(`have text ${expected}`, async () => {
        const actual = await text();
        return { ok: typeof expected === 'string' ? actual === expected : expected.test(actual), actual };
      }),
    toContainText: (expected: string) =>
      poll(`contain ${JSON.stringify(expected)}`, async () => {
        const actual = await text();
        return { ok: actual.includes(expected), actual };
      }),
    toBeVisible: () =>
      poll('be visible', async () => {
        const visible = (await locator.count()) > 0 && (await locator.first().isVisible());
        return { ok: visible, actual: visible ? 'visible' : 'not visible' };
      }),
    toHaveCount: (n: number) =>
      poll(`match ${n} element(s)`, async () => {
        const count = await locator.count();
        return { ok: count === n, actual: `${count} element(s)` };
      }),
    toHaveValue: (expected: string) =>
      poll(`have the value ${JSON.stringify(expected)}`, async () => {
        const actual = await locator.first().inputValue();
        return { ok: actual === expected, actual };
      }),
    toHaveAttribute: (name: string, expected: string) =>
      poll(`have ${name}=${expected}`, async () => {
        const actual = (await locator.first().getAttribute(name)) ?? '(none)';
        return { ok: actual === expected, actual };
      }),
  };
}
