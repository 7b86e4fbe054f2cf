/**
 * Shared test set-up. Every page a test opens — `page`, and `pageWithoutJs` for the no-JavaScript paths — is
 * watched for console errors (CSP violations and failed requests among them) and uncaught exceptions, and the
 * test fails if any appear. A test that provokes an error on purpose says which with `consoleErrors.allow()`.
 */
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Page } from '@playwright/test';

export interface ConsoleErrors {
  /** What was seen so far, on any watched page, that no `allow()` pattern covers. */
  readonly unexpected: string[];
  /** Expect errors matching `pattern` in this test (a mocked 503, a 404 the test asks for). */
  allow(pattern: RegExp): void;
  /** Watches another page too (the fixtures do this for `page` and `pageWithoutJs`). */
  watch(page: Page): void;
}

interface Fixtures {
  consoleErrors: ConsoleErrors;
  /** A page in a context with JavaScript turned off, watched like `page`. */
  pageWithoutJs: Page;
}

export const test = base.extend<Fixtures>({
  consoleErrors: [
    async ({ page }, use) => {
      const seen: string[] = [];
      const allowed: RegExp[] = [];
      const errors: ConsoleErrors = {
        get unexpected() {
          return seen.filter((text) => !allowed.some((pattern) => pattern.test(text)));
        },
        allow: (pattern) => allowed.push(pattern),
        watch: (watched) => {
          watched.on('console', (message) => {
            if (message.type() === 'error') seen.push(`${watched.url()}: ${message.text()}`);
          });
          watched.on('pageerror', (error) => seen.push(`${watched.url()}: uncaught ${error.message}`));
        },
      };
      errors.watch(page);
      await use(errors);
      expect(errors.unexpected, 'console errors').toEqual([]);
    },
    { auto: true },
  ],
  pageWithoutJs: async ({ browser, consoleErrors }, use) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    consoleErrors.watch(page);
    await use(page);
    await context.close();
  },
});

export { expect };

/** axe-core violations on the page as it is now, WCAG 2.x A and AA rules. */
export async function axeViolations(page: Page) {
  // axe walks every node: a range page's 1,000 rows take it seconds of CPU, longer on a loaded machine.
  test.info().setTimeout(test.info().timeout + 30_000);
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * Brings a custom element into view and waits until its script has upgraded it: the scripts load lazily, when
 * their element comes near the viewport (src/scripts/site.ts), as they do for a reader who scrolls to it.
 */
export async function upgraded(page: Page, name: string): Promise<void> {
  const element = page.locator(name).first();
  await element.scrollIntoViewIfNeeded();
  // Elements upgrade once the reader engages with the page (src/scripts/site.ts): the pointer moving is enough.
  await page.mouse.move(2, 2);
  await page.mouse.move(4, 4);
  await page.waitForFunction((tag) => customElements.get(tag) !== undefined, name);
}
