/**
 * Nothing on a page holds it out of the browser's back/forward cache (the performance issue's Lighthouse
 * `bf-cache` audit), so Back shows it at once instead of loading it again. Playwright's Chromium runs with the
 * cache turned off on its command line, so the test asks Chromium, over CDP, why a page was not restored, and
 * fails on any reason the page itself causes ("PageSupportNeeded", "SupportPending"), not on the browser's
 * ("Circumstantial").
 */
import { expect, test } from './fixtures.ts';
import { portWithoutPage, registryOnlyPort } from '../support/site-data.ts';

interface Explanation {
  type: string;
  reason: string;
}

for (const path of [
  '/',
  '/ports/',
  '/ports/3515/',
  `/ports/${registryOnlyPort()}/`,
  '/search/?q=netrek+game',
  '/fa/ports/3521/',
  `/ports/${portWithoutPage()}/`,
]) {
  test(`${path} is eligible for the back/forward cache`, async ({ page, consoleErrors }) => {
    consoleErrors.allow(/status of 404/);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Page.enable');
    const blockers: Explanation[] = [];
    cdp.on('Page.backForwardCacheNotUsed', (event: { notRestoredExplanations: Explanation[] }) => {
      blockers.push(...event.notRestoredExplanations.filter((e) => e.type !== 'Circumstantial'));
    });
    // Leaving while a request is in flight keeps any page out of the cache; wait for the page's own to finish.
    let inFlight = 0;
    page.on('request', () => inFlight++);
    page.on('requestfinished', () => inFlight--);
    page.on('requestfailed', () => inFlight--);
    await page.goto(path);
    // Every element's script loaded (they load as they come near the viewport), as after a reader scrolled, and
    // the header search's (it loads on focus).
    await page.evaluate(() => {
      window.scrollTo(0, document.body.scrollHeight);
    });
    await page.locator('#site-search-q').focus();
    await page.waitForFunction(() => customElements.get('site-search') !== undefined);
    // The search's script fetches its data a moment after it loads, so nothing in flight must hold for a while:
    // idle twice in a row, half a second apart.
    let idleTicks = 0;
    await expect
      .poll(() => (idleTicks = inFlight === 0 ? idleTicks + 1 : 0), { intervals: [500], timeout: 20_000 })
      .toBeGreaterThanOrEqual(3);
    await page.goto('/about/data/');
    await page.goBack();
    await expect.poll(() => page.url()).toContain(path.split('?')[0]);
    expect(blockers).toEqual([]);
  });
}
