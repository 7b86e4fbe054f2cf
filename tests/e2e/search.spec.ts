import type { Page } from '@playwright/test';
import { axeViolations, expect, test } from './fixtures.ts';
import { builtPorts, registryOnlyPort } from '../support/site-data.ts';

// The header field is a plain search box until its script arrives (on focus), then a combobox.
const field = (page: Page) => page.locator('#site-search-q');
const popup = (page: Page) => page.locator('site-search .popup');
const notice = (page: Page) => page.locator('site-search .notice');
const options = (page: Page) => page.getByRole('listbox', { name: 'Search results' }).getByRole('option');

async function searchFor(page: Page, query: string, path = '/ports/') {
  await page.goto(path);
  await field(page).fill(query);
}

test.describe('search from the header', () => {
  for (const [query, port, title] of [
    ['3515', 3515, 'MUST Backplane'],
    ['port 3515', 3515, 'MUST Backplane'],
    ['3515/tcp', 3515, 'MUST Backplane'],
    ['tcp/3515', 3515, 'MUST Backplane'],
    [':3521', 3521, 'Telequip Labs MC3SS'],
    ['udp 3521', 3521, 'Telequip Labs MC3SS'],
  ] as const) {
    test(`“${query}” shows port ${port} first, pre-selected, and Enter opens it`, async ({ page }) => {
      await searchFor(page, query);
      const first = options(page).first();
      await expect(first).toContainText(`Port ${port} — ${title}`);
      await expect(first).toHaveAttribute('aria-selected', 'true');
      await expect(field(page)).toHaveAttribute('aria-activedescendant', (await first.getAttribute('id'))!);
      await field(page).press('Enter');
      await expect(page).toHaveURL(new RegExp(`/ports/${port}/$`));
    });
  }

  for (const [query, port] of [
    ['mc3ss', 3521],
    ['must-backplane', 3515],
    ['MUST Backplane', 3515],
    ['Netrek', 3521],
    ['Kwbot', 3521],
    ['Mazben', 3515],
    ['netrek metaserver directory', 3521],
  ] as const) {
    test(`“${query}” finds port ${port}`, async ({ page }) => {
      await searchFor(page, query);
      const hit = options(page).and(page.locator(`a[href="/ports/${port}/"]`));
      await expect(hit).toHaveCount(1);
      await expect(hit).toContainText(`Port ${port}`);
      await expect(hit.locator('mark').first()).toBeVisible();
    });
  }

  // Finding 1: the result list had no styles (scoped CSS never reached the script's elements).
  for (const colorScheme of ['light', 'dark'] as const) {
    test(`the result list is laid out and the chosen option is visible (${colorScheme})`, async ({ page }) => {
      await page.emulateMedia({ colorScheme });
      await searchFor(page, 'mysql');
      const first = options(page).first();
      await expect(first).toBeVisible();
      const parts = await first.evaluate((option) => {
        const box = (selector: string) => {
          const element = option.querySelector(selector)!;
          const { top, bottom, left } = element.getBoundingClientRect();
          const style = getComputedStyle(element);
          return { top, bottom, left, display: style.display, weight: style.fontWeight };
        };
        return {
          title: box('.title'),
          meta: box('.meta'),
          excerpt: box('.excerpt'),
          underline: getComputedStyle(option).textDecorationLine,
          background: getComputedStyle(option).backgroundColor,
          page: getComputedStyle(document.body).backgroundColor,
        };
      });
      // Title, meta line and excerpt are three lines, one under the other, not one run-on link.
      expect(parts.meta.top).toBeGreaterThanOrEqual(parts.title.bottom - 1);
      expect(parts.excerpt.top).toBeGreaterThanOrEqual(parts.meta.bottom - 1);
      expect(parts.title.left).toBe(parts.meta.left);
      expect(Number(parts.title.weight)).toBeGreaterThanOrEqual(600);
      expect(parts.underline).toBe('none');
      // Pre-selected (an exact service name), so highlighted: its background differs from the page's.
      await expect(first).toHaveAttribute('aria-selected', 'true');
      expect(parts.background).not.toBe(parts.page);
      expect(parts.background).not.toBe('rgba(0, 0, 0, 0)');
      // Highlighted words use the theme's colours, not the browser's yellow in dark mode.
      const mark = await first
        .locator('mark')
        .first()
        .evaluate((m) => getComputedStyle(m).backgroundColor);
      expect(mark).toBe(colorScheme === 'dark' ? 'rgb(92, 72, 19)' : 'rgb(255, 224, 138)');
    });
  }

  test('axe finds nothing wrong with the list open', async ({ page }) => {
    await searchFor(page, 'netrek');
    await expect(options(page).first()).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);
  });

  // Finding 2: answers that misled.
  test('“mysql” ranks 3306 (mysql) above 33060 (mysqlx), pre-selected so Enter opens it', async ({ page }) => {
    await searchFor(page, 'mysql');
    await expect(options(page).first()).toHaveAttribute('href', '/ports/3306/');
    await expect(options(page).first()).toHaveAttribute('aria-selected', 'true');
    const ports = await options(page).evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(ports.indexOf('/ports/3306/')).toBeLessThan(ports.indexOf('/ports/33060/'));
    await field(page).press('Enter');
    await expect(page).toHaveURL(/\/ports\/3306\/$/);
  });

  for (const [query, port] of [
    ['mc3ss', 3521],
    ['redis', 6379],
    ['postgresql', 5432],
  ] as const) {
    test(`the exact service name “${query}” is pre-selected: Enter opens port ${port}`, async ({ page }) => {
      await searchFor(page, query);
      await expect(options(page).first()).toHaveAttribute('aria-selected', 'true');
      await field(page).press('Enter');
      await expect(page).toHaveURL(new RegExp(`/ports/${port}/$`));
    });
  }

  test('a registry page’s result reads as sentences, not labels run into values', async ({ page }) => {
    await searchFor(page, 'http');
    const excerpt = options(page).and(page.locator('a[href="/ports/80/"]')).locator('.excerpt');
    await expect(excerpt).toBeVisible();
    await expect(excerpt).not.toContainText(/Service name\S|Description\S/);
    await expect(excerpt).toContainText(/World Wide Web HTTP/);
  });

  test('Escape closes the list and keeps what the reader typed', async ({ page }) => {
    await searchFor(page, 'netrek');
    await expect(options(page).first()).toBeVisible();
    await field(page).press('Escape');
    await expect(popup(page)).toBeHidden();
    await expect(field(page)).toHaveValue('netrek');
  });

  test('on a slow connection the list says it is searching', async ({ page, context }) => {
    const cdp = await context.newCDPSession(page);
    await page.goto('/ports/');
    // 400 kbit/s, 400 ms round trips: fetching the index takes seconds.
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 400,
      downloadThroughput: 50_000,
      uploadThroughput: 50_000,
    });
    await field(page).fill('netrek');
    await expect(notice(page)).toHaveText('Searching…', { timeout: 3000 });
    await expect(options(page).and(page.locator('[href="/ports/3521/"]'))).toBeVisible({ timeout: 30_000 });
    await expect(notice(page)).toBeHidden();
  });

  test('a query nothing matches says so', async ({ page }) => {
    await searchFor(page, 'xylophonequartz');
    await expect(notice(page)).toHaveText('No page matches “xylophonequartz”.');
    await expect(options(page)).toHaveCount(0);
    await expect(page.getByRole('status').filter({ hasText: '0 results' })).toHaveCount(1);
  });

  test('a number above 65535 is not a port', async ({ page }) => {
    await searchFor(page, '70000');
    await expect(notice(page)).toHaveText('70000 is not a port number: ports run from 0 to 65535.');
  });

  // Finding 4: numbers without a page were a dead end.
  test('a number IANA lists as unassigned leads to its answer page', async ({ page, consoleErrors }) => {
    // The answer is the 404 page's, so the browser logs the 404 it arrives with.
    consoleErrors.allow(/status of 404/);
    await searchFor(page, '3546');
    const first = options(page).first();
    await expect(first).toHaveText(/Port 3546: unassigned in IANA’s registry/);
    await expect(first).toHaveAttribute('aria-selected', 'true');
    await field(page).press('Enter');
    await expect(page).toHaveURL(/\/ports\/3546\/$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Port 3546');
  });

  test('a number without any IANA entry names its range', async ({ page }) => {
    await searchFor(page, '50000');
    await expect(options(page).first()).toHaveText(
      /Port 50000: no entry in IANA’s registry; dynamic range, 49152–65535/,
    );
  });

  test('a number with only a registry entry finds its page, with IANA’s name and date', async ({ page }) => {
    const port = registryOnlyPort();
    const row = builtPorts().find((p) => p.port === port)!.registry[0]!;
    const month = new Date(`${row.registered!}-01T00:00:00Z`).toLocaleDateString('en', {
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    });
    await searchFor(page, String(port));
    const first = options(page).first();
    await expect(first).toContainText(`Port ${port} — ${row.service!}: ${row.description!}, registered ${month}`);
    await field(page).press('Enter');
    await expect(page).toHaveURL(new RegExp(`/ports/${port}/$`));
  });

  test('an article outranks registry pages for a word both contain', async ({ page }) => {
    await searchFor(page, 'backplane');
    await expect(options(page).first()).toContainText('Port 3515');
  });

  test('works from the keyboard alone: / focuses, arrows move, Enter opens, Escape closes', async ({ page }) => {
    await page.goto('/');
    await page.keyboard.press('/');
    await expect(field(page)).toBeFocused();
    await page.keyboard.type('port');
    await expect(options(page).first()).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(popup(page)).toBeHidden();
    await expect(field(page)).toHaveAttribute('aria-expanded', 'false');

    await page.keyboard.press('Control+a');
    await page.keyboard.type('netrek');
    await expect(options(page).first()).toBeVisible();
    await page.keyboard.press('ArrowDown');
    const active = options(page).nth(1);
    await expect(active).toHaveAttribute('aria-selected', 'true');
    const href = await active.getAttribute('href');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(new RegExp(`${href}$`));

    // Ctrl+K works too, from anywhere on the page.
    await page.locator('body').click();
    await page.keyboard.press('Control+k');
    await expect(field(page)).toBeFocused();
  });

  test('nothing is fetched for search before the reader reaches for it', async ({ page }) => {
    const searchFiles: string[] = [];
    page.on('request', (request) => {
      if (/\/(pagefind|lookup|i18n)\/|site-search/.test(request.url())) searchFiles.push(request.url());
    });
    await page.goto('/ports/3515/');
    await page.mouse.wheel(0, 800);
    await page.waitForLoadState('networkidle');
    expect(searchFiles).toEqual([]);

    await field(page).focus();
    await expect.poll(() => searchFiles.some((url) => url.endsWith('/pagefind/pagefind.js'))).toBe(true);
  });

  test('without JavaScript the header form opens the search page, which explains and links the index', async ({
    pageWithoutJs: page,
  }) => {
    await page.goto('/ports/3515/');
    await page.getByRole('searchbox', { name: 'Search ports' }).fill('netrek');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect(page).toHaveURL(/\/search\/\?q=netrek$/);
    await expect(page.getByText('Full-text search needs JavaScript')).toBeVisible();
    await page.getByRole('link', { name: 'Browse all port pages' }).click();
    await expect(page).toHaveURL(/\/ports\/$/);
  });
});

test.describe('the search page', () => {
  test('runs the query in its URL on load: /search/?q=3521', async ({ page }) => {
    await page.goto('/search/?q=3521');
    await expect(page.locator('#q')).toHaveValue('3521');
    const results = page.getByRole('region', { name: 'Search results' }).getByRole('listitem');
    await expect(results.first()).toContainText('Port 3521 — Telequip Labs MC3SS');
    await expect(page.getByRole('status').filter({ hasText: /results?/ })).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);
  });

  test('keeps the URL in step with the query, and the back button returns to the previous search', async ({ page }) => {
    await page.goto('/search/?q=mazben');
    const box = page.locator('#q');
    const results = page.getByRole('region', { name: 'Search results' });
    await expect(results).toContainText('Port 3515');
    await box.fill('netrek');
    await box.press('Enter');
    await expect(page).toHaveURL(/\?q=netrek$/);
    await expect(results).toContainText('Port 3521');
    await page.goBack();
    await expect(page).toHaveURL(/\?q=mazben$/);
    await expect(box).toHaveValue('mazben');
    await expect(results).toContainText('Port 3515');
  });

  test('filters narrow the results and are kept in the URL', async ({ page }) => {
    await page.goto('/search/?q=port');
    const results = page.getByRole('region', { name: 'Search results' }).getByRole('listitem');
    await expect(results.nth(1)).toBeVisible();
    await page.getByText('Narrow the results').click();
    await page.getByRole('group', { name: 'Unofficial use' }).getByRole('checkbox', { name: 'Game' }).check();
    await expect(results).toHaveCount(1);
    await expect(results.first()).toContainText('Port 3521');
    await expect(page).toHaveURL(/kind=game/);
  });

  // Finding 2: the status filter knew only the two articles, so registry pages never matched it.
  for (const [query, status, label, port] of [
    ['bacula', 'in-use', 'In use', 9101],
    ['triomotion', 'likely-dormant', 'Likely dormant', undefined],
  ] as const) {
    test(`“${query}” with the ${label} filter finds registry pages`, async ({ page }) => {
      await page.goto(`/search/?q=${query}&status=${status}`);
      const results = page.getByRole('region', { name: 'Search results' }).getByRole('listitem');
      await expect(results.first()).toBeVisible();
      if (port) await expect(results.first().getByRole('link')).toHaveAttribute('href', `/ports/${port}/`);
      await expect(page.locator('search-page [data-status]')).not.toContainText('No page matches');
      const box = page.getByRole('group', { name: 'Status' }).getByRole('checkbox', { name: label });
      await expect(box).toBeChecked();
    });
  }
});
