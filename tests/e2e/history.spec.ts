/**
 * The registry's history as a reader meets it (issue 27): each port's "Registry history", the pages of numbers
 * that lost their service, the change pages in all three locales, the Atom feed and its announcement, the JSON
 * form, and search by a former name. What to expect is read from the same record the build used
 * (content/registry/history.csv), not written out here, so a registry update does not break these tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFeed } from '@rowanmanning/feed-parser';
import { SaxesParser } from 'saxes';
import { bg } from '../../src/i18n/bg.ts';
import { en } from '../../src/i18n/en.ts';
import { fa } from '../../src/i18n/fa.ts';
import { changesByMonth, formerlyAssigned, readTimeline } from '../../src/lib/history/changes.ts';
import { readSnapshot } from '../../src/lib/history/diff.ts';
import { parseHistory } from '../../src/lib/history/record.ts';
import { ROOT } from '../support/server.ts';
import { axeViolations, expect, test } from './fixtures.ts';
import { PAGE_TYPES } from './pages.ts';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const timeline = readTimeline(
  parseHistory(read('content/registry/history.csv')),
  readSnapshot(read('content/registry/service-names-port-numbers.csv')),
);
/** Every month with changes, `YYYY-MM`, newest first. */
const MONTHS = changesByMonth(timeline.changes).map((m) => m.month);
const REMOVED = [...formerlyAssigned(timeline)];
/** The verdict the build gave each port (dist/ports.json): a withdrawn number with a current use is in use. */
const VERDICTS = new Map(
  (JSON.parse(read('dist/ports.json')) as { ports: { port: number; dormancy: { verdict: string } }[] }).ports.map(
    (p) => [p.port, p.dormancy.verdict],
  ),
);
const DORMANT_REMOVED = REMOVED.filter((port) => VERDICTS.get(port) === 'likely-dormant');
/** Ports with an article, which have a page in every locale (whichever ports those are). */
const ARTICLES = readdirSync(join(ROOT, 'content/ports'))
  .filter((name) => name.endsWith('.mdx'))
  .map((name) => Number(name.slice(0, -4)));
const LOCALES = [
  { locale: 'en', prefix: '', dir: 'ltr', t: en },
  { locale: 'fa', prefix: '/fa', dir: 'rtl', t: fa },
  { locale: 'bg', prefix: '/bg', dir: 'ltr', t: bg },
] as const;
const monthPath = (month: string) => `/changes/${month.slice(0, 4)}/${month.slice(5, 7)}/`;

test.describe('a port’s registry history', () => {
  for (const [port, former, year] of [
    [47, 'ni-ftp (NI FTP)', 2017],
    [2200, 'ici (ICI)', 2019],
    [5153, 'toruxserver (ToruX Game Server)', 2018],
    [2459, 'community', 2019],
    [4307, 'visicron-vs (Visicron Videoconference Service', 2017],
    [3612, 'hp-dataprotect (HP Data Protector', 2019],
  ] as const) {
    test(`port ${port} tells what it was (${former.split(' ')[0]!}) and the year that ended, linked to that month`, async ({
      page,
    }) => {
      await page.goto(`/ports/${port}/`);
      const history = page.getByRole('region', { name: 'Registry history' });
      const ended = history.getByRole('listitem').filter({ hasText: former }).last();
      await expect(ended).toContainText(String(year));
      const month = ended.getByRole('link');
      await expect(month).toHaveAttribute('href', new RegExp(`^/changes/${year}/\\d{2}/#port-${port}$`));
      await month.click();
      await expect(page.locator(`#port-${port}`)).toContainText(`Port ${port}`);
      await expect(page.locator(`#port-${port}`)).toContainText(former.split(' ')[0]!);
    });
  }

  test('a port unchanged since the oldest copy says so in one line', async ({ page }) => {
    await page.goto('/ports/3520/');
    const history = page.getByRole('region', { name: 'Registry history' });
    await expect(history.locator('p')).toHaveText('Unchanged since January 2016, our oldest copy.');
    await expect(history.getByRole('listitem')).toHaveCount(0);
    await expect(history.getByRole('link', { name: 'January 2016' })).toHaveAttribute('href', '/changes/');
  });

  test('an article’s page has the section in every locale, in the reader’s language', async ({ page }) => {
    for (const { prefix, t } of LOCALES) {
      await page.goto(`${prefix}/ports/${ARTICLES[0]!}/`);
      await expect(page.getByRole('region', { name: t['history.title'] })).toBeVisible();
    }
  });
});

test.describe('ports whose service IANA withdrew', () => {
  test(`each of the ${REMOVED.length} has a page saying what it was and until when, and a verdict citing its history, likely dormant unless something runs there now`, async ({
    request,
  }) => {
    expect(REMOVED.length).toBeGreaterThanOrEqual(6);
    // Only evidence of use outweighs a withdrawal: most withdrawn numbers stay dormant.
    expect(DORMANT_REMOVED.length).toBeGreaterThan(REMOVED.length / 2);
    for (const port of REMOVED) {
      const response = await request.get(`/ports/${port}/`);
      expect(response.status(), `/ports/${port}/`).toBe(200);
      const html = await response.text();
      const summary = timeline.ports.get(port)!;
      expect(html).toContain(`<h1 id="title">Port ${port}: formerly ${summary.former[0]!.service}</h1>`);
      expect(html).toMatch(/<p class="lead">[^<]* until [A-Z][a-z]+ \d{4}, when IANA withdrew the assignment/);
      expect(html).toContain(`data-verdict="${VERDICTS.get(port)}"`);
      expect(html).toMatch(
        /IANA withdrew its assignment \([^)]+\): [^<]*<a href="\/changes\/\d{4}\/\d{2}\/#port-\d+">/,
      );
    }
  });

  test('every one called dormant is in the likely-dormant list, with what it was', async ({ page, request }) => {
    const listed = new Set<number>();
    let next: string | undefined = '/ports/dormant/';
    while (next) {
      const html = await (await request.get(next)).text();
      for (const m of html.matchAll(/<th scope="row"><a href="\/ports\/(\d+)\/"/g)) listed.add(Number(m[1]));
      next = /<a href="([^"]+)" rel="next"/.exec(html)?.[1];
    }
    expect(DORMANT_REMOVED.filter((port) => !listed.has(port))).toEqual([]);
    await page.goto('/ports/dormant/');
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: '47', exact: true }) });
    await expect(row).toContainText('ni-ftp');
    await expect(row).toContainText('Until May 2017: NI FTP');
  });
});

test.describe('the change pages', () => {
  for (const { locale, prefix, dir, t } of LOCALES) {
    test(`/changes/ in ${locale} lists every month with changes since 2016, and charts them with a table to read`, async ({
      page,
    }) => {
      await page.goto(`${prefix}/changes/`);
      await expect(page.locator('html')).toHaveAttribute('lang', locale);
      await expect(page.locator('html')).toHaveAttribute('dir', dir);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(t['changes.title']);
      const hrefs = await page.locator('ul.months a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
      expect(hrefs).toEqual(MONTHS.map((month) => `${prefix}${monthPath(month)}`));
      expect(MONTHS.at(-1)).toBe('2016-01');
      // The drawing is hidden from assistive technology; the table it is drawn from is not.
      const figure = page.locator('figure.chart');
      await expect(figure.locator('svg')).toHaveAttribute('aria-hidden', 'true');
      const years = new Set(MONTHS.map((m) => m.slice(0, 4)));
      await expect(figure.getByRole('table').locator('tbody tr')).toHaveCount(years.size);
      await expect(figure.locator('svg rect').first()).toBeVisible();
      expect(await axeViolations(page)).toEqual([]);
    });

    test(`a month’s page in ${locale} lists its changes by kind, linking each port`, async ({ page }) => {
      await page.goto(`${prefix}/changes/2017/05/`);
      await expect(page.locator('html')).toHaveAttribute('lang', locale);
      await expect(page.getByRole('heading', { level: 1 })).toContainText(t['changes.title']);
      for (const kind of ['added', 'removed', 'reassigned', 'changed'] as const) {
        await expect(
          page.getByRole('heading', { level: 2, name: new RegExp(`^${t[`changes.kind.${kind}`]} `) }),
        ).toBeVisible();
      }
      // Registry-only ports have their English page only; a translated page says so with hreflang.
      const port47 = page.locator('#port-47 a').first();
      await expect(port47).toHaveAttribute('href', '/ports/47/');
      if (locale !== 'en') await expect(port47).toHaveAttribute('hreflang', 'en');
      // Port numbers stay Latin; counts and dates are the locale's.
      await expect(port47).toContainText('47');
      if (locale === 'fa') await expect(page.locator('main h1')).toHaveText(/[۰-۹]/);
      expect(await axeViolations(page)).toEqual([]);
    });
  }

  test('every month with changes has its page in every locale', async ({ request }) => {
    for (const { prefix } of LOCALES) {
      for (const month of MONTHS) {
        expect((await request.get(`${prefix}${monthPath(month)}`)).status(), `${prefix}${monthPath(month)}`).toBe(200);
      }
    }
  });

  test('the home page shows the latest changes and leads to their month', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Latest registry changes' })).toBeVisible();
    await page.getByRole('link', { name: /first seen in/ }).click();
    await expect(page).toHaveURL(new RegExp(`${monthPath(MONTHS[0]!)}$`));
  });
});

test.describe('the feed and the JSON form', () => {
  test('the feed is well-formed XML and valid Atom, with an entry for every month with changes', async ({
    request,
  }) => {
    const response = await request.get('/changes/feed.xml');
    expect(response.status()).toBe(200);
    const xml = await response.text();
    // Well-formed: a strict XML parser reads it to the end without an error.
    const errors: string[] = [];
    const sax = new SaxesParser({ xmlns: true });
    let root = '';
    sax.on('error', (error) => errors.push(error.message));
    sax.on('opentag', (tag) => {
      root ||= `${tag.uri} ${tag.local}`;
    });
    sax.write(xml).close();
    expect(errors).toEqual([]);
    expect(root).toBe('http://www.w3.org/2005/Atom feed');
    // Atom as a feed reader reads it, with what RFC 4287 requires of a feed and of each entry.
    const feed = parseFeed(xml);
    expect(feed.meta.type).toBe('atom');
    expect(feed.title).toBe(en['changes.feed.title']);
    expect(feed.updated).toBeInstanceOf(Date);
    expect(feed.authors[0]?.name).toBe(en['site.name']);
    expect(new URL(feed.self!).pathname).toBe('/changes/feed.xml');
    expect(feed.items.map((item) => new URL(item.url!).pathname)).toEqual(MONTHS.map(monthPath));
    for (const item of feed.items) {
      expect(item.id).toBe(item.url);
      expect(item.title).toMatch(/^Registry changes, [A-Z][a-z]+ \d{4}$/);
      expect(item.updated?.getTime()).not.toBeNaN();
      expect(item.content).toMatch(/<li>Port \d+: /);
    }
  });

  test('every page announces the feed in its head', async ({ page, request }) => {
    const paths = [
      ...PAGE_TYPES.map((type) => type.path),
      ...LOCALES.flatMap(({ prefix }) => [`${prefix}/`, `${prefix}/changes/`, `${prefix}/changes/2019/07/`]),
      ...ARTICLES.flatMap((port) => LOCALES.map(({ prefix }) => `${prefix}/ports/${port}/`)),
    ];
    for (const path of paths) {
      const html = await (await request.get(path)).text();
      const head = html.slice(0, html.indexOf('</head>'));
      expect(head, path).toMatch(
        /<link rel="alternate" type="application\/atom\+xml" href="\/changes\/feed\.xml" title="[^"]+">/,
      );
    }
    await page.goto('/fa/changes/');
    await expect(page.locator('head link[type="application/atom+xml"]')).toHaveAttribute('title', fa['changes.title']);
  });

  test('the JSON form holds every change with its month page', async ({ request }) => {
    const data = (await (await request.get('/changes.json')).json()) as {
      versions: { date: string }[];
      count: number;
      changes: { date: string; kind: string; port: number; url: string }[];
    };
    expect(data.count).toBe(timeline.changes.length);
    expect(data.versions[0]?.date).toBe('2016-01-01');
    expect(new Set(data.changes.map((c) => c.date.slice(0, 7)))).toEqual(new Set(MONTHS));
    const ftp = data.changes.find((c) => c.port === 47 && c.kind === 'removed');
    expect(ftp?.url).toBe('/changes/2017/05/#port-47');
  });
});

test.describe('search by a former name', () => {
  for (const [query, port] of [
    ['ni-ftp', 47],
    ['visicron', 4307],
    ['torux', 5153],
    ['hp-dataprotect', 3612],
  ] as const) {
    test(`“${query}” leads to port ${port}`, async ({ page }) => {
      await page.goto('/ports/');
      await page.locator('#site-search-q').fill(query);
      const hit = page
        .getByRole('listbox', { name: 'Search results' })
        .getByRole('option')
        .and(page.locator(`a[href="/ports/${port}/"]`));
      await expect(hit).toHaveCount(1);
      await expect(hit.locator('mark').first()).toBeVisible();
    });
  }
});
