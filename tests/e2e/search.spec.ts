import type { Page } from '@playwright/test';
import { axeViolations, expect, test } from './fixtures.ts';

const field = (page: Page) => page.getByRole('combobox', { name: 'Search ports' });
const notice = (page: Page) => page.locator('site-search .notice');
const options = (page: Page) => page.getByRole('listbox', { name: 'Search results' }).getByRole('option');

async function searchFor(page: Page, query: string) {
  await page.goto('/ports/');
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
      const hit = options(page).filter({ has: page.locator(`a[href="/ports/${port}/"]`) });
      await expect(hit).toHaveCount(1);
      await expect(hit).toContainText(`Port ${port}`);
      await expect(hit.locator('mark').first()).toBeVisible();
    });
  }

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

  test('a number IANA lists as unassigned says so', async ({ page }) => {
    await searchFor(page, '3546');
    await expect(notice(page)).toHaveText('Port 3546 is unassigned in IANA’s registry, so it has no page.');
  });

  test('a valid number without a page says so and names its range', async ({ page }) => {
    await searchFor(page, '50000');
    await expect(notice(page)).toHaveText(
      'There is no page for port 50000 yet. It is in the dynamic range (49152–65535).',
    );
  });

  test('a number with only a registry entry finds its page, with IANA’s name and date', async ({ page }) => {
    await searchFor(page, '3520');
    const first = options(page).first();
    await expect(first).toContainText('Port 3520 — galileolog (Netvion Galileo Log Port), registered 2002-06');
    await field(page).press('Enter');
    await expect(page).toHaveURL(/\/ports\/3520\/$/);
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
    await expect(page.getByRole('listbox', { name: 'Search results' })).toBeHidden();
    await expect(field(page)).toHaveAttribute('aria-expanded', 'false');

    await page.keyboard.press('Control+a');
    await page.keyboard.type('netrek');
    await expect(options(page).first()).toBeVisible();
    await page.keyboard.press('ArrowDown');
    const active = options(page).first();
    await expect(active).toHaveAttribute('aria-selected', 'true');
    const href = await active.locator('a').getAttribute('href');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(new RegExp(`${href}$`));

    // Ctrl+K works too, from anywhere on the page.
    await page.locator('body').click();
    await page.keyboard.press('Control+k');
    await expect(field(page)).toBeFocused();
  });

  test('nothing is fetched from Pagefind or the lookup before the reader uses search', async ({ page }) => {
    const searchFiles: string[] = [];
    page.on('request', (request) => {
      if (/\/(pagefind|lookup)\//.test(request.url())) searchFiles.push(request.url());
    });
    await page.goto('/ports/3515/');
    await page.mouse.wheel(0, 800);
    await page.getByRole('tab', { name: 'macOS' }).click();
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
    await expect(page.getByRole('searchbox', { name: 'Search ports' }).last()).toHaveValue('3521');
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
    await expect(page).toHaveURL(/kind=Game/);
  });
});
