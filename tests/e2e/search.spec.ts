import type { CDPSession, Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bg } from '../../src/i18n/bg.ts';
import { en } from '../../src/i18n/en.ts';
import { fa } from '../../src/i18n/fa.ts';
import { DIST } from '../support/server.ts';
import { axeViolations, expect, test, upgraded } from './fixtures.ts';
import { builtPorts, registryOnlyPort } from '../support/site-data.ts';

// The header field is a plain search box until its script arrives (on focus), then a combobox.
const field = (page: Page) => page.locator('#site-search-q');
const popup = (page: Page) => page.locator('site-search .popup');
const notice = (page: Page) => page.locator('site-search .notice');
const options = (page: Page) => page.getByRole('listbox', { name: 'Search results' }).getByRole('option');
/** The header list's options in any locale (the listbox's name is translated). */
const anyOptions = (page: Page) => page.locator('site-search [role="option"]');

async function searchFor(page: Page, query: string, path = '/ports/') {
  await page.goto(path);
  await field(page).fill(query);
}

const DICTIONARIES = { en, fa, bg } as const;
type Locale = keyof typeof DICTIONARIES;
const prefix = (locale: Locale) => (locale === 'en' ? '' : `/${locale}`);

/** Where a reader in `locale` lands for a port: their language's page where the build has one, else English. */
const portHref = (locale: Locale, port: number) =>
  locale !== 'en' && existsSync(join(DIST, locale, 'ports', String(port), 'index.html'))
    ? `/${locale}/ports/${port}/`
    : `/ports/${port}/`;

/** Whether the build has a page for the port (numbers IANA withdrew get one with the registry's history). */
const hasPage = (port: number) => existsSync(join(DIST, 'ports', String(port), 'index.html'));

/** The first number from `from` up that has no page in the build (the known uses give some dynamic ports one). */
function withoutPage(from: number): number {
  const pages = new Set(builtPorts().map((entry) => entry.port));
  let n = from;
  while (pages.has(n)) n++;
  return n;
}

/** A page without an article whose verdict is `verdict` and whose service name is its own and a plain word. */
function registryPage(verdict: string): { port: number; service: string } {
  const ports = builtPorts();
  const count = new Map<string, number>();
  for (const entry of ports) {
    for (const service of new Set(entry.registry.flatMap((row) => row.service ?? []))) {
      count.set(service, (count.get(service) ?? 0) + 1);
    }
  }
  for (const entry of ports) {
    const service = entry.registry[0]?.service;
    if (!entry.article && entry.dormancy.verdict === verdict && service && /^[a-z]{6,}$/.test(service)) {
      if (count.get(service) === 1) return { port: entry.port, service };
    }
  }
  throw new Error(`no registry page with the verdict ${verdict}`);
}

/** Every port the build says a current use named Netrek runs on (the game's servers, the metaserver). */
const netrekPorts = (): number[] =>
  builtPorts()
    .filter((entry) => entry.uses?.some((use) => use.kind !== 'historic' && /^netrek\b/i.test(use.name)))
    .map((entry) => entry.port);

/** Waits until the header list holds the full-text results too. */
const settled = (page: Page) => expect(page.locator('site-search [role="listbox"]:not([aria-busy])')).toBeAttached();

/** 400 kbit/s with 400 ms round trips: a slow mobile connection, as the reader audit of issue 24 used. */
async function throttle(page: Page): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 400,
    downloadThroughput: 50_000,
    uploadThroughput: 50_000,
  });
  return cdp;
}

/**
 * Names readers type, and the port each must find first and pre-select (issues 22 and 24): nicknames IANA does
 * not use, an article's title and a use's alias, a name with its number, and software names from the known uses;
 * with other ports the name must also list.
 */
const NAMED: readonly (readonly [query: string, port: number, also?: readonly number[]])[] = [
  ['dns', 53],
  ['rdp', 3389],
  ['remote desktop', 3389],
  ['mssql', 1433],
  ['smb', 445, [139]],
  ['vnc', 5900],
  ['x11', 6000],
  ['winrm', 5985, [5986]],
  ['netrek', 2592, netrekPorts()],
  ['must backplane', 3515],
  ['kwbot', 3521],
  ['ssh 22', 22],
  ['grafana', 3000],
  ['minecraft', 25565],
  ['plex', 32400],
  ['profinet', 34962, [34963, 34964]],
  ['rstudio', 8787],
  ['wildfly', 9990],
  ['syncthing', 22000],
];

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
      // A full-text result has all three parts: title, meta line, excerpt.
      const full = options(page)
        .filter({ has: page.locator('.excerpt') })
        .first();
      await expect(full).toBeVisible();
      const parts = await full.evaluate((option) => {
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
      const colours = await first.evaluate((option) => ({
        background: getComputedStyle(option).backgroundColor,
        page: getComputedStyle(document.body).backgroundColor,
      }));
      expect(colours.background).not.toBe(colours.page);
      expect(colours.background).not.toBe('rgba(0, 0, 0, 0)');
      // Highlighted words use the theme's colours, not the browser's yellow in dark mode.
      const mark = await full
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
    await settled(page);
    const ports = await options(page).evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(ports).toContain('/ports/33060/');
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
    await searchFor(page, 'World Wide Web HTTP');
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
    const port = withoutPage(50000);
    await searchFor(page, String(port));
    await expect(options(page).first()).toHaveText(
      new RegExp(`Port ${port}: no entry in IANA’s registry; dynamic range, 49152–65535`),
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
    // A word that names no single port (one that does is redirected to it: below).
    await page.getByRole('searchbox', { name: 'Search ports' }).fill('backplane');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect(page).toHaveURL(/\/search\/\?q=backplane$/);
    await expect(page.getByText('Full-text search needs JavaScript')).toBeVisible();
    await page.getByRole('link', { name: 'Browse all port pages' }).click();
    await expect(page).toHaveURL(/\/ports\/$/);
  });
});

// Issue 24, findings 3 and 4: without JavaScript, the production server takes a form to the port it names, and
// a number without a page answers with its page.
test.describe('without JavaScript, through the production server', () => {
  for (const [locale, query, port] of [
    ['en', '3515', 3515],
    ['fa', '3515', 3515],
    ['en', 'dns', 53],
    ['en', 'ssh 22', 22],
  ] as const) {
    test(`the header search for “${query}” on /${locale}/ lands on its port`, async ({ pageWithoutJs: page }) => {
      await page.goto(`${prefix(locale)}/ports/`);
      await page.locator('#site-search-q').fill(query);
      await page.locator('#site-search-q').press('Enter');
      await expect(page).toHaveURL(new RegExp(`${portHref(locale, port)}$`));
    });
  }

  test('“Go to port” with a number without a page lands on its answer, status 200, that does not move', async ({
    pageWithoutJs: page,
  }) => {
    const port = withoutPage(60000);
    await page.goto('/');
    await page.getByRole('textbox', { name: 'Port number' }).fill(String(port));
    const answer = page.waitForResponse((response) => response.url().endsWith(`/ports/${port}/`));
    await page.getByRole('button', { name: 'Go to port' }).click();
    expect((await answer).status()).toBe(200);
    await expect(page).toHaveURL(new RegExp(`/ports/${port}/$`));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Port ${port}`);
    await expect(page.getByRole('link', { name: /^Ports \d+–\d+$/ })).toBeVisible();
    await expect(page.locator('check-commands code').first()).toContainText(String(port));
  });

  test('with JavaScript the served answer is left as it is: no layout shift', async ({ page }) => {
    const port = withoutPage(60000);
    await page.goto(`/ports/${port}/`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Port ${port}`);
    const shift = await page.evaluate(
      () =>
        new Promise<number>((done) => {
          let total = 0;
          new PerformanceObserver((list) => {
            for (const entry of list.getEntries()) total += (entry as unknown as { value: number }).value;
          }).observe({ type: 'layout-shift', buffered: true });
          setTimeout(() => {
            done(total);
          }, 1000);
        }),
    );
    expect(shift).toBeLessThan(0.01);
    // The page's scripts still work on it: once the reader engages (src/scripts/site.ts), the commands get tabs.
    await page.mouse.move(10, 10);
    await page.mouse.wheel(0, 400);
    await expect(page.locator('check-commands [role="tab"]').first()).toBeVisible();
  });

  test('a Persian address of a port whose page is English only links the English page', async ({
    pageWithoutJs: page,
  }) => {
    const port = builtPorts().find(
      (entry) => !entry.article && !existsSync(join(DIST, 'fa', 'ports', String(entry.port), 'index.html')),
    )!.port;
    await page.goto(`/fa/ports/${port}/`);
    await expect(page.locator(`main a[href="/ports/${port}/"][hreflang="en"]`)).toBeVisible();
  });
});

// Issue 24, finding 1: everyday names, software names and titles find their port, chosen so Enter opens it.
// A few names to a test, each a step of its own: one page and a warm cache take a name in about a second, where
// a fresh page per name took five or six (some 300 s of a CI run).
const NAME_GROUPS = Array.from({ length: Math.ceil(NAMED.length / 5) }, (_, i) => NAMED.slice(i * 5, i * 5 + 5));
for (const locale of ['en', 'fa', 'bg'] as const) {
  test.describe(`names typed on /${locale}/`, () => {
    for (const group of NAME_GROUPS) {
      test(`${group.map(([query]) => `“${query}”`).join(', ')} show their port first, pre-selected, and Enter opens it${locale === 'en' ? '' : ' in the locale where it can'}`, async ({
        page,
      }) => {
        for (const [query, port, also = []] of group) {
          await test.step(`“${query}” → ${port}`, async () => {
            await searchFor(page, query, `${prefix(locale)}/ports/`);
            const first = anyOptions(page).first();
            await expect(first).toHaveAttribute('href', portHref(locale, port));
            await expect(first).toHaveAttribute('aria-selected', 'true');
            await expect(field(page)).toHaveAttribute('aria-activedescendant', (await first.getAttribute('id'))!);
            if (locale === 'en') {
              await settled(page);
              const hrefs = await anyOptions(page).evaluateAll((links) => links.map((a) => a.getAttribute('href')));
              for (const other of also) expect(hrefs, `${query} also lists ${other}`).toContain(`/ports/${other}/`);
            }
            await field(page).press('Enter');
            await expect(page).toHaveURL(new RegExp(`${portHref(locale, port)}$`));
          });
        }
      });
    }
  });
}

test.describe('names found in the header', () => {
  test('a name that belongs to a use says which use matched, with the port’s verdict', async ({ page }) => {
    await searchFor(page, 'mssql');
    const first = options(page).first();
    await expect(first).toContainText('Port 1433 —');
    await expect(first.locator('.meta')).toContainText('Known use: Microsoft SQL Server');
    await expect(first.locator('.meta')).toContainText(/In use|Likely dormant|Unknown/);
  });

  test('a name the data cannot tie to one port lists its ports without choosing one', async ({ page }) => {
    // An alias that names one part of a use with several ports (Proxmox VE's corosync) says nothing of which.
    await searchFor(page, 'corosync');
    await expect(options(page).first()).toBeVisible();
    await expect(options(page).and(page.locator('[aria-selected="true"]'))).toHaveCount(0);
    await field(page).press('Enter');
    await expect(page).toHaveURL(/\/search\/\?q=corosync$/);
  });

  test('the beginning of a longer name finds it without choosing it', async ({ page }) => {
    await searchFor(page, 'netrek meta');
    await expect(options(page).first()).toHaveAttribute('href', /\/ports\/352[012]\/$/);
    await expect(options(page).and(page.locator('[aria-selected="true"]'))).toHaveCount(0);
  });

  test('each result says its port once: the meta line does not repeat the title, the excerpt does not start with it', async ({
    page,
  }) => {
    await searchFor(page, 'netrek');
    await settled(page);
    await expect(options(page).nth(3)).toBeVisible();
    for (const option of await options(page).all()) {
      const title = (await option.locator('.title').textContent())!;
      await expect(option.locator('.meta')).not.toContainText(/Port \d/);
      const excerpt = option.locator('.excerpt');
      if ((await excerpt.count()) > 0) {
        const start = (await excerpt.textContent())!.slice(0, 12);
        expect(title.includes(start), `${title} / ${start}`).toBe(false);
      }
    }
  });

  test('a former IANA name leads to its port (registry history)', async ({ page }) => {
    test.skip(!hasPage(47), 'port 47 gets a page with the registry history of issue 27');
    await searchFor(page, 'ni-ftp');
    await expect(options(page).first()).toHaveAttribute('href', '/ports/47/');
    await expect(options(page).first().locator('.meta')).toContainText('Former IANA name');
  });
});

// Issue 24, finding 2: a number answers from its lookup shard, without waiting for the full-text index.
test.describe('a number answers at once', () => {
  test('on a slow connection, the first search for 3515 shows its answer within 1.5 s of typing it', async ({
    page,
  }) => {
    await page.goto('/ports/');
    await throttle(page);
    // Timed in the page, from the keystroke to the answer on screen, without the test driver's own delays.
    await page.evaluate(() => {
      const times: { typed?: number; shown?: number } = {};
      (window as unknown as { searchTimes: typeof times }).searchTimes = times;
      document.querySelector('#site-search-q')!.addEventListener('input', () => (times.typed ??= performance.now()));
      new MutationObserver(() => {
        if (document.querySelector('site-search [role="option"]')) times.shown ??= performance.now();
      }).observe(document.querySelector('site-search')!, { childList: true, subtree: true });
    });
    await field(page).fill('3515');
    await expect(options(page).first()).toContainText('Port 3515 — MUST Backplane', { timeout: 10_000 });
    await expect(options(page).first()).toHaveAttribute('aria-selected', 'true');
    const { typed, shown } = await page.evaluate(
      () => (window as unknown as { searchTimes: { typed: number; shown: number } }).searchTimes,
    );
    test.info().annotations.push({ type: 'answered after', description: `${Math.round(shown - typed)} ms` });
    expect(shown - typed).toBeLessThanOrEqual(1500);
    // Full-text results come later, while the answer stays chosen.
    await expect(page.locator('site-search [role="listbox"]')).toHaveAttribute('aria-busy', 'true');
  });

  for (const [locale, query, port] of [
    ['en', '3515', 3515],
    ['fa', '3515', 3515],
    ['bg', '3520', 3520],
    ['en', 'dns', 53],
  ] as const) {
    test(`Enter pressed on /${locale}/ before any list has arrived opens the page “${query}” asks for`, async ({
      page,
    }) => {
      await page.goto(`${prefix(locale)}/ports/`);
      await throttle(page);
      await field(page).fill(query);
      await field(page).press('Enter');
      await expect(page).toHaveURL(new RegExp(`${portHref(locale, port)}$`), { timeout: 15_000 });
    });
  }

  test('Enter on a query that names no single page still opens the search page', async ({ page }) => {
    await page.goto('/ports/');
    await field(page).fill('backplane');
    await field(page).press('Enter');
    await expect(page).toHaveURL(/\/search\/\?q=backplane$/);
  });
});

// Issue 24, finding 9: the index held labels run into their values ("KindGame", "Also known asMetaServerII").
test('the search index reads an article’s use as words, not labels run into values', async ({ page }) => {
  await page.goto('/search/');
  const content = await page.evaluate(async () => {
    const url = '/pagefind/pagefind.js';
    const pagefind = (await import(/* @vite-ignore */ url)) as {
      search: (q: string) => Promise<{ results: { data: () => Promise<{ url: string; content: string }> }[] }>;
    };
    const { results } = await pagefind.search('MetaServerII');
    const pages = await Promise.all(results.map((result) => result.data()));
    return pages.find((data) => data.url === '/ports/3521/')?.content ?? '';
  });
  expect(content).toContain('MetaServerII');
  expect(content).not.toMatch(/KindGame|known asMetaServerII|ProtocolsTCP|SeenFrom|Status:Squatted/);
});

test.describe('the search page', () => {
  // A number alone in the URL is redirected to its page by the production server (tests/http/numbers.test.ts);
  // with a filter it is the search page's to run, as a static host always leaves it.
  test('runs the query in its URL on load: /search/?q=3521&range=user', async ({ page }) => {
    await page.goto('/search/?q=3521&range=user');
    await expect(page.locator('#q')).toHaveValue('3521');
    const results = page.getByRole('region', { name: 'Search results' }).getByRole('listitem');
    await expect(results.first()).toContainText('Port 3521 — Telequip Labs MC3SS');
    await expect(page.getByRole('status').filter({ hasText: /results?/ })).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);
  });

  test('keeps the URL in step with the query, and the back button returns to the previous search', async ({ page }) => {
    // Words that name no single port, so the server leaves the page to run them.
    await page.goto('/search/?q=backplane');
    const box = page.locator('#q');
    const results = page.getByRole('region', { name: 'Search results' });
    await expect(results).toContainText('Port 3515');
    await box.fill('netrek');
    await box.press('Enter');
    await expect(page).toHaveURL(/\?q=netrek$/);
    await expect(results).toContainText('Port 3521');
    await page.goBack();
    await expect(page).toHaveURL(/\?q=backplane$/);
    await expect(box).toHaveValue('backplane');
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

  for (const locale of ['en', 'fa', 'bg'] as const) {
    test(`finds software by name on /${locale}/search/, saying what the port is and its verdict`, async ({ page }) => {
      const t = DICTIONARIES[locale];
      // Typed on the page: the address /search/?q=grafana is redirected to the port by the production server.
      await page.goto(`${prefix(locale)}/search/`);
      await upgraded(page, 'search-page');
      await page.locator('#q').fill('grafana');
      const first = page.locator('search-page ol > li').first().getByRole('link');
      await expect(first).toHaveAttribute('href', portHref(locale, 3000));
      await expect(first).toContainText(/3000/);
      await expect(first.locator('.meta')).toContainText(t['search.match.use'].replace('{name}', ''));
      await expect(first.locator('.meta')).toContainText(
        new RegExp(
          [t['dormancy.verdict.in-use'], t['dormancy.verdict.unknown'], t['dormancy.verdict.likely-dormant']].join('|'),
        ),
      );
      if (locale !== 'en') await expect(first.locator('.title [lang="en"]')).toHaveAttribute('dir', 'ltr');
    });
  }

  // Finding 2: the status filter knew only the two articles, so registry pages never matched it. The pages are
  // taken from the build: a registry page of each verdict whose service name no other page has.
  for (const [status, label] of [
    ['in-use', 'In use'],
    ['likely-dormant', 'Likely dormant'],
  ] as const) {
    test(`a registry page’s service name with the ${label} filter finds it`, async ({ page }) => {
      const { port, service } = registryPage(status);
      await page.goto(`/search/?q=${service}&status=${status}`);
      const results = page.getByRole('region', { name: 'Search results' }).getByRole('listitem');
      await expect(results.first().getByRole('link')).toHaveAttribute('href', `/ports/${port}/`);
      await expect(page.locator('search-page [data-status]')).not.toContainText('No page matches');
      const box = page.getByRole('group', { name: 'Status' }).getByRole('checkbox', { name: label });
      await expect(box).toBeChecked();
    });
  }
});
