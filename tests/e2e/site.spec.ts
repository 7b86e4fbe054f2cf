import { axeViolations, expect, test } from './fixtures.ts';
import { PAGE_TYPES } from './pages.ts';

test('the home page explains dormant ports and features both port pages', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  for (const port of ['3515', '3521']) {
    await expect(page.locator(`main a[href="/ports/${port}/"]`).first()).toBeVisible();
  }
  expect(await axeViolations(page)).toEqual([]);
});

test('the port index lists both pages with service, status, registration and uses', async ({ page }) => {
  await page.goto('/ports/');
  const table = page.getByRole('table', { name: 'Ports with an article, by port number' });
  await expect(table.getByRole('columnheader')).toHaveText([
    'Port',
    'Service',
    'Status',
    'Registered',
    'Unofficial uses',
  ]);
  const row3515 = table.getByRole('row').filter({ has: page.getByRole('link', { name: '3515' }) });
  await expect(row3515).toContainText('must-backplane');
  await expect(row3515).toContainText('May 2002');
  await expect(row3515).toContainText('Dormant');
  const row3521 = table.getByRole('row').filter({ has: page.getByRole('link', { name: '3521' }) });
  await expect(row3521).toContainText('mc3ss');
  await row3521.getByRole('link', { name: '3521' }).click();
  await expect(page).toHaveURL(/\/ports\/3521\/$/);
  await page.goto('/ports/');
  expect(await axeViolations(page)).toEqual([]);
});

test('an unknown address answers 404 with a page that explains it and offers a lookup', async ({
  page,
  consoleErrors,
}) => {
  consoleErrors.allow(/status of 404/);
  const response = await page.goto('/no-such-page/');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  await expect(page.getByRole('link', { name: 'Browse the ports by range' })).toHaveAttribute('href', '/ports/#ranges');
  expect(await axeViolations(page)).toEqual([]);

  await page.mouse.wheel(0, 400);
  const lookup = page.getByRole('textbox', { name: 'Port number' });
  await page.waitForFunction(() => customElements.get('port-lookup') !== undefined);
  await lookup.fill('70000');
  await lookup.press('Enter');
  await expect(lookup).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Enter a whole number from 0 to 65535.')).toBeVisible();

  await lookup.fill('3521');
  await lookup.press('Enter');
  await expect(page).toHaveURL(/\/ports\/3521\/$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Port 3521: Telequip Labs MC3SS');
});

test('a number that is not a port gets said so on the 404 page', async ({ page, consoleErrors }) => {
  consoleErrors.allow(/status of 404/);
  const response = await page.goto('/ports/70000/');
  expect(response?.status()).toBe(404);
  await expect(page.getByText('70000 is not a port number: ports run from 0 to 65535.')).toBeVisible();
});

test('robots.txt and the sitemap list the port pages', async ({ request }) => {
  const robots = await (await request.get('/robots.txt')).text();
  const sitemapUrl = /^Sitemap: (.+)$/m.exec(robots)?.[1];
  expect(sitemapUrl).toMatch(/sitemap-index\.xml$/);
  const index = await (await request.get(new URL(sitemapUrl!).pathname)).text();
  const child = /<loc>([^<]+)<\/loc>/.exec(index)?.[1];
  expect(child).toBeTruthy();
  const sitemap = await (await request.get(new URL(child!).pathname)).text();
  expect(sitemap).toContain('/ports/3515/</loc>');
  expect(sitemap).toContain('/ports/3521/</loc>');
});

test('every internal link and fragment resolves, from each kind of page', async ({ page, request, consoleErrors }) => {
  consoleErrors.allow(/status of 404/);
  // One page of each kind is opened and all its links followed; the full crawl of ~6,400 pages is
  // `npm run audit` (linkinator). Links to other pages are checked by status, fragments by their ids.
  const kinds = ['/ports/3515/', ...PAGE_TYPES.map((type) => type.path)];
  const targets = new Map<string, string>(); // where each link was first seen
  const fragments: { from: string; url: URL; html?: string }[] = [];
  for (const path of kinds) {
    await page.goto(path);
    const here = new URL(page.url());
    const links = await page.$$eval('a[href]', (anchors) => anchors.map((a) => (a as HTMLAnchorElement).href));
    for (const href of links) {
      const url = new URL(href);
      if (url.origin !== here.origin) continue;
      if (url.pathname !== here.pathname && !targets.has(url.pathname)) targets.set(url.pathname, path);
      if (url.hash)
        fragments.push({ from: path, url, ...(url.pathname === here.pathname ? { html: await page.content() } : {}) });
    }
  }
  // Eight at a time: one by one, the few hundred requests outlast the test's time on a busy machine.
  const checked = new Map<string, boolean>();
  const queue = [...targets.keys()];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) checked.set(next, (await request.head(next)).ok());
    }),
  );
  const broken: string[] = [];
  for (const [target, ok] of checked) if (!ok) broken.push(`${targets.get(target)} → ${target}`);
  const bodies = new Map<string, string>();
  for (const { from, url, html } of fragments) {
    const id = decodeURIComponent(url.hash.slice(1));
    if (!html && !bodies.has(url.pathname)) bodies.set(url.pathname, await (await request.get(url.pathname)).text());
    const text = html ?? bodies.get(url.pathname)!;
    if (!text.includes(`id="${id}"`)) broken.push(`${from} → ${url.pathname}${url.hash}`);
  }
  expect(checked.size).toBeGreaterThan(100);
  expect(broken).toEqual([]);
});

test('one page of every type reads completely without JavaScript', async ({ pageWithoutJs: page, consoleErrors }) => {
  consoleErrors.allow(/status of 404/);
  for (const type of PAGE_TYPES) {
    const response = await page.goto(type.path);
    expect(response?.status(), type.name).toBe(type.status ?? 200);
    await expect(page.getByRole('heading', { level: 1 }), type.name).toHaveText(type.heading);
    for (const text of type.shows) {
      await expect(page.getByText(text).first(), `${type.name}: ${text}`).toBeVisible();
    }
  }
  await page.goto('/ports/3521/');
  await expect(page.getByRole('heading', { name: 'Unofficial uses' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'References' })).toBeVisible();
  await page.goto('/ports/');
  await expect(page.getByRole('table').first().getByRole('link', { name: '3515' })).toBeVisible();
});

test('the layout holds at 320 px without sideways scrolling', async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 640 });
  for (const path of ['/', '/ports/', '/ports/3521/']) {
    await page.goto(path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, path).toBeLessThanOrEqual(0);
  }
});

test('the skip link moves focus to the main content', async ({ page }) => {
  await page.goto('/ports/3515/');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#content$/);
});

test('the footer leads to the pages about the site, each with its own heading', async ({ page }) => {
  await page.goto('/ports/3515/');
  const about = page.getByRole('contentinfo').getByRole('navigation', { name: 'About the site' });
  const links = about.getByRole('link');
  await expect(links).toHaveText([
    'Where the data comes from',
    'How a dormancy verdict is made',
    'JSON endpoints',
    'Feedback and privacy',
    'Adding a port page',
    'Every port as JSON',
  ]);
  await expect(about.getByRole('link', { name: 'Every port as JSON' })).toHaveAttribute('href', '/ports.json');
  for (const name of (await links.allTextContents()).slice(0, -1)) {
    await page.goto('/ports/3515/');
    await about.getByRole('link', { name }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
    expect(await axeViolations(page)).toEqual([]);
  }
});
