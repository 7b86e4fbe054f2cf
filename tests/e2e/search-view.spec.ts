/**
 * The search results' DOM (src/scripts/search/view.ts, renderOutcome) in a real browser, on outcomes made here
 * rather than by a search (issue 20, finding 2): the order of the answer, the pages named and the full text; the
 * combobox roles; the reader's language with English marked as English; and an excerpt that stays text, whatever
 * Pagefind hands it.
 */
import { build } from 'esbuild';
import type { Page } from '@playwright/test';
import { searchStrings, type SearchStrings } from '../../src/lib/search/strings.ts';
import type { Outcome } from '../../src/scripts/search/engine.ts';
import { translator } from '../../src/i18n/ui.ts';
import type { Locale } from '../../src/i18n/locales.ts';
import { expect, test } from './fixtures.ts';

let bundle: string | undefined;

/** view.ts as the browser runs it, as `window.view`, on a blank page of `locale`'s direction. */
async function withView(page: Page, locale: Locale): Promise<SearchStrings> {
  bundle ??= (
    await build({
      entryPoints: ['src/scripts/search/view.ts'],
      bundle: true,
      format: 'iife',
      globalName: 'view',
      write: false,
    })
  ).outputFiles[0]!.text;
  await page.setContent(`<!doctype html><html lang="${locale}"><body><ol id="results"></ol></body></html>`);
  await page.addScriptTag({ content: bundle });
  return searchStrings(translator(locale), locale);
}

/** Renders `outcome` into the page's list and returns each item's outer HTML. */
function render(page: Page, outcome: Outcome, strings: SearchStrings, idPrefix?: string) {
  return page.evaluate(
    ({ outcome, strings, idPrefix }) => {
      const list = document.getElementById('results')!;
      // @ts-expect-error: the bundle's global, set by withView
      const items = (window.view as typeof import('../../src/scripts/search/view.ts')).renderOutcome(
        outcome,
        strings,
        idPrefix,
      );
      list.replaceChildren(...items);
      return items.length;
    },
    { outcome, strings, idPrefix },
  );
}

const base = (query: string): Outcome => ({ query, named: [], hits: [], answered: false, partial: false });

test('the number’s page comes first, then the pages named, then full text, each a link', async ({ page }) => {
  const s = await withView(page, 'en');
  const count = await render(
    page,
    {
      ...base('3389'),
      number: {
        kind: 'page',
        port: 3389,
        hit: { url: '/ports/3389/', title: 'ms-wbt-server', port: '3389', registered: '2002-06', verdict: 'in-use' },
      },
      named: [
        {
          url: '/ports/1433/',
          title: 'ms-sql-s',
          port: '1433',
          matched: { name: 'Microsoft SQL Server', former: false },
        },
      ],
      hits: [{ url: '/ports/3515/', title: 'Port 3515: MUST Backplane', excerpt: 'a <mark>backplane</mark>' }],
      answered: true,
    },
    s,
  );
  expect(count).toBe(3);
  const links = page.locator('#results a');
  expect(await links.evaluateAll((all) => all.map((a) => a.getAttribute('href')))).toEqual([
    '/ports/3389/',
    '/ports/1433/',
    '/ports/3515/',
  ]);
  await expect(links.nth(0)).toContainText('ms-wbt-server');
  await expect(links.nth(0)).toContainText(s.verdicts['in-use']);
  await expect(links.nth(1)).toContainText(s.known.replace('{name}', 'Microsoft SQL Server'));
  await expect(links.nth(2).locator('mark')).toHaveText('backplane');
});

test('in the combobox each link is the option, with ids from the prefix and nothing selected yet', async ({ page }) => {
  const s = await withView(page, 'en');
  await render(
    page,
    {
      ...base('x'),
      named: [{ url: '/ports/6000/', title: 'x11', port: '6000' }],
      hits: [{ url: '/ports/6001/', title: 'Port 6001: x11' }],
    },
    s,
    'site-search',
  );
  const options = page.getByRole('option');
  await expect(options).toHaveCount(2);
  expect(
    await options.evaluateAll((all) => all.map((a) => [a.id, a.getAttribute('aria-selected'), a.tabIndex])),
  ).toEqual([
    ['site-search-name-0', 'false', -1],
    ['site-search-0', 'false', -1],
  ]);
  expect(await page.locator('#results > li').evaluateAll((all) => all.map((li) => li.getAttribute('role')))).toEqual([
    'none',
    'none',
  ]);
});

test('a number without a page links its answer at /ports/N/ in the reader’s language', async ({ page }) => {
  const s = await withView(page, 'bg');
  await render(
    page,
    {
      ...base('60000'),
      number: { kind: 'none', port: 60000, range: 'dynamic', first: 49152, last: 65535 },
      answered: true,
    },
    s,
  );
  const link = page.locator('#results a');
  await expect(link).toHaveAttribute('href', '/bg/ports/60000/');
  await expect(link).not.toHaveAttribute('hreflang', /./);
  await expect(link).toContainText('60000');
});

test('on a translated page an English-only page is marked English, and its title keeps English direction', async ({
  page,
}) => {
  const s = await withView(page, 'fa');
  await render(
    page,
    {
      ...base('galileo'),
      hits: [{ url: '/ports/3519/', title: 'Port 3519: nvmsgd', port: '3519', excerpt: 'Galileo <mark>log</mark>' }],
    },
    s,
  );
  const link = page.locator('#results a');
  await expect(link).toHaveAttribute('href', '/ports/3519/');
  await expect(link).toHaveAttribute('hreflang', 'en');
  await expect(link.locator('.title')).toHaveAttribute('lang', 'en');
  await expect(link.locator('.title')).toHaveAttribute('dir', 'ltr');
  await expect(link.locator('.excerpt')).toHaveAttribute('lang', 'en');
});

test('an excerpt is text: markup in it is shown, never run, and only <mark> becomes an element', async ({ page }) => {
  const s = await withView(page, 'en');
  await render(
    page,
    {
      ...base('evil'),
      hits: [
        {
          url: '/ports/9/',
          title: 'Port 9: discard',
          excerpt: '<img src=x onerror="window.ran=1"> &lt;b&gt;bold&lt;/b&gt; <mark>evil</mark>',
        },
      ],
    },
    s,
  );
  const excerpt = page.locator('#results .excerpt');
  await expect(excerpt.locator('img, b')).toHaveCount(0);
  await expect(excerpt.locator('mark')).toHaveText('evil');
  await expect(excerpt).toContainText('<img src=x onerror="window.ran=1"> <b>bold</b>');
  expect(await page.evaluate(() => (window as { ran?: number }).ran)).toBeUndefined();
});
