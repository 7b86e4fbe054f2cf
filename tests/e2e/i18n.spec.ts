/**
 * The localized chrome as a Persian or Bulgarian reader meets it (issue 15): every page kind in both locales,
 * right-to-left layout for Persian, the English article marked as English, alternates that resolve, and votes and
 * searches that keep the reader's language.
 */
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { bg } from '../../src/i18n/bg.ts';
import { en } from '../../src/i18n/en.ts';
import { fa } from '../../src/i18n/fa.ts';
import { listSlug, registryOnlyPort, serviceOf } from '../support/site-data.ts';
import { axeViolations, expect, test, upgraded } from './fixtures.ts';

// A page the build gave no article: its English page is the only one.
const REGISTRY = registryOnlyPort();

const LOCALES = [
  { locale: 'fa', dir: 'rtl', t: fa },
  { locale: 'bg', dir: 'ltr', t: bg },
] as const;

/** One page of each kind a translation has, as paths under the locale's prefix. */
const PAGES = [
  { name: 'home', path: '/' },
  { name: 'port index', path: '/ports/' },
  { name: 'article', path: '/ports/3515/' },
  { name: 'second article', path: '/ports/3521/' },
  { name: 'range', path: '/ports/range/3000-3999/' },
  { name: 'range of a hundred', path: '/ports/range/3500-3599/' },
  { name: 'dormant list', path: '/ports/dormant/' },
  { name: 'search', path: '/search/' },
  { name: 'registry changes', path: '/changes/' },
  { name: 'registry changes of a month', path: '/changes/2017/05/' },
  // A registry-only port's translated address: the production server says its page is English, and links it.
  { name: 'English-only port', path: `/ports/${REGISTRY}/` },
  { name: 'not found', path: '/no-such-page/', status: 404 },
] as const;

const votes = () =>
  new DatabaseSync(join(process.env['TEST_DATA']!, 'feedback.db'), { readOnly: true }) as DatabaseSync & Disposable;

for (const { locale, dir, t } of LOCALES) {
  test.describe(`/${locale}/`, () => {
    for (const { name, path, ...rest } of PAGES) {
      const status = 'status' in rest ? rest.status : 200;
      test(`${name}: lang="${locale}" dir="${dir}", chrome in the locale, alternates that resolve, no axe violations`, async ({
        page,
        request,
        consoleErrors,
      }) => {
        if (status === 404) consoleErrors.allow(/status of 404/);
        const response = await page.goto(`/${locale}${path}`);
        expect(response?.status()).toBe(status);
        await expect(page.locator('html')).toHaveAttribute('lang', locale);
        await expect(page.locator('html')).toHaveAttribute('dir', dir);
        await expect(page.getByRole('navigation', { name: t['nav.label'], exact: true })).toBeVisible();
        await expect(page.locator('a.skip-link')).toHaveText(t.skipLink);
        await expect(page.getByRole('contentinfo').getByRole('navigation', { name: t['footer.nav'] })).toBeVisible();
        // No English chrome label left where the locale has its own.
        await expect(page.getByRole('navigation', { name: en['nav.label'], exact: true })).toHaveCount(0);
        for (const link of await page.locator('head link[rel="alternate"][hreflang]').all()) {
          // Absolute, on the build's SITE_URL; the path is what must exist here.
          const path = new URL((await link.getAttribute('href'))!).pathname;
          expect((await request.get(path)).status(), path).toBe(200);
        }
        expect(await axeViolations(page)).toEqual([]);
      });
    }

    test('the article is marked English inside the localized page, and its code stays left-to-right', async ({
      page,
    }) => {
      await page.goto(`/${locale}/ports/3515/`);
      const prose = page.locator('article .prose');
      await expect(prose).toHaveAttribute('lang', 'en');
      await expect(prose).toHaveAttribute('dir', 'ltr');
      await expect(prose.locator('.english')).toHaveText(t['port.english']);
      await expect(page.locator('h1 [lang="en"]')).toHaveText('MUST Backplane');
      for (const code of await page.locator('pre, code').all()) {
        expect(await code.evaluate((e) => getComputedStyle(e).direction)).toBe('ltr');
      }
      // An alternate for every language, and the default for everyone else.
      const alternates = await page
        .locator('head link[rel="alternate"][hreflang]')
        .evaluateAll((links) =>
          links.map((l) => `${l.getAttribute('hreflang')} ${new URL(l.getAttribute('href')!).pathname}`),
        );
      expect(alternates.sort()).toEqual(
        ['bg /bg/ports/3515/', 'en /ports/3515/', 'fa /fa/ports/3515/', 'x-default /ports/3515/'].sort(),
      );
    });

    test('a vote from the localized page is stored with its locale, and thanked in it', async ({ page }) => {
      await page.goto(`/${locale}/ports/3521/`);
      await upgraded(page, 'feedback-widget');
      const widget = page.getByRole('region', { name: t['feedback.title'] });
      const response = page.waitForResponse((r) => r.url().endsWith('/api/feedback'));
      await widget.getByRole('button', { name: t['feedback.helpful'], exact: true }).click();
      expect((await response).status()).toBe(200);
      await expect(widget.getByRole('status')).toHaveText(t['feedback.thanks']);
      using db = votes();
      const row = db.prepare('SELECT locale FROM votes WHERE port = 3521 ORDER BY updated_at DESC LIMIT 1').get();
      expect(row).toEqual({ locale });
    });

    test('without JavaScript a vote comes back to the localized page and is thanked in its language', async ({
      pageWithoutJs: page,
    }) => {
      await page.goto(`/${locale}/ports/3515/`);
      const widget = page.getByRole('region', { name: t['feedback.title'] });
      await widget.getByRole('button', { name: t['feedback.somewhat'], exact: true }).click();
      await expect(page).toHaveURL(new RegExp(`/${locale}/ports/3515/\\?voted=somewhat#voted-somewhat$`));
      await expect(page.getByText(t['feedback.thanks'])).toBeVisible();
    });

    test('the header search picks the article whose service name was typed, and Enter opens it in the locale', async ({
      page,
    }) => {
      await page.goto(`/${locale}/`);
      const field = page.locator('#site-search-q');
      await field.fill('mc3ss');
      const first = page.getByRole('listbox', { name: t['search.results'] }).getByRole('option').first();
      await expect(first).toHaveAttribute('aria-selected', 'true');
      await field.press('Enter');
      await expect(page).toHaveURL(new RegExp(`/${locale}/ports/3521/$`));
      await expect(page.locator('html')).toHaveAttribute('lang', locale);
    });

    test('the header search finds a program by name, in the locale’s words with the English marked as English', async ({
      page,
    }) => {
      await page.goto(`/${locale}/`);
      const field = page.locator('#site-search-q');
      await field.fill('grafana');
      const first = page.getByRole('listbox', { name: t['search.results'] }).getByRole('option').first();
      await expect(first).toHaveAttribute('aria-selected', 'true');
      await expect(first).toHaveAttribute('href', /\/ports\/3000\/$/);
      // The title and the program's name are English; the label around the name and the verdict are the locale's.
      await expect(first.locator('.title [lang="en"]')).toHaveAttribute('dir', 'ltr');
      await expect(first.locator('.title')).toContainText(
        t['search.port'].replace(' {port}', '').replace('{port} ', ''),
      );
      await expect(first.locator('.matched .name')).toHaveAttribute('lang', 'en');
      await expect(first.locator('.matched')).toContainText(t['search.match.use'].split('{name}')[0]!.trim());
      await expect(first.locator('.meta')).toContainText(t['dormancy.verdict.in-use']);
      // Full-text excerpts, once they arrive, are English too.
      const excerpt = page.locator('site-search .excerpt').first();
      await expect(excerpt).toHaveAttribute('lang', 'en');
      await field.press('Enter');
      await expect(page).toHaveURL(/\/ports\/3000\/$/);
    });

    test('a registry-only port found from the locale opens its English page, marked as English', async ({ page }) => {
      await page.goto(`/${locale}/search/`);
      await upgraded(page, 'search-page');
      await page.locator('search-page #q').fill(serviceOf(REGISTRY));
      const result = page.locator(`main a[href="/ports/${REGISTRY}/"]`).first();
      await expect(result).toHaveAttribute('hreflang', 'en');
    });

    test('the language switcher leads to the same page in another language, or to the port’s row', async ({ page }) => {
      await page.goto(`/${locale}/ports/3515/`);
      const switcher = page.getByRole('navigation', { name: t['nav.languages'] });
      await expect(switcher.locator(`a[aria-current="true"]`)).toHaveAttribute('lang', locale);
      await switcher.locator('a[lang="en"]').click();
      await expect(page).toHaveURL(/\/ports\/3515\/$/);
      await page.goto(`/ports/${REGISTRY}/`);
      await page.getByRole('navigation', { name: en['nav.languages'] }).locator(`a[lang="${locale}"]`).click();
      await expect(page).toHaveURL(new RegExp(`/${locale}/ports/range/${listSlug(REGISTRY)}/#port-${REGISTRY}$`));
      await expect(page.locator(`#port-${REGISTRY}`)).toBeVisible();
    });
  });
}

test.describe('Persian, right to left', () => {
  test('the seed strings, Persian digits for dates and Latin digits for port numbers', async ({ page }) => {
    await page.goto('/fa/ports/3515/');
    await expect(page.getByRole('heading', { name: 'آیا این صفحه مفید بود؟' })).toBeVisible();
    await expect(page.locator('h1')).toContainText('3515');
    await expect(page.locator('.reviewed time')).toHaveText(/[۰-۹]/);
    await expect(page.locator('.reviewed time')).not.toHaveText(/[0-9]/);
    // Commands and code keep Latin digits: a reader copies them into a terminal.
    for (const code of await page.locator('pre, code').allTextContents()) expect(code).not.toMatch(/[۰-۹]/);
    // IANA's dates in the facts panel and the references' dates too.
    for (const time of await page.locator('.facts time, .references time').all()) {
      await expect(time).toHaveText(/^[^0-9A-Za-z]*[۰-۹][^0-9A-Za-z]*$/);
    }
  });

  for (const width of [375, 1280]) {
    test(`at ${width} px the page reads from the right: breadcrumbs, faces, facts, no sideways scroll`, async ({
      page,
    }) => {
      await page.setViewportSize({ width, height: 900 });
      await page.goto('/fa/ports/3515/');
      const box = async (p: Page, selector: string) => (await p.locator(selector).first().boundingBox())!;
      // The trail starts at the right edge and runs leftward.
      const crumbs = page.locator('.breadcrumbs li');
      const home = (await crumbs.first().boundingBox())!;
      const last = (await crumbs.last().boundingBox())!;
      if (home.y === last.y) expect(home.x).toBeGreaterThan(last.x);
      // "Not helpful" is the first face, so the rightmost.
      const faces = page.locator('.faces button');
      const firstFace = (await faces.first().boundingBox())!;
      const lastFace = (await faces.last().boundingBox())!;
      if (firstFace.y === lastFace.y) expect(firstFace.x).toBeGreaterThan(lastFace.x);
      // Headings and labels start at the inline start: their right edges line up with the content's.
      const main = await box(page, 'main');
      const heading = await box(page, 'h1');
      expect(Math.abs(main.x + main.width - (heading.x + heading.width))).toBeLessThan(40);
      const label = await box(page, '.facts dt');
      const value = await box(page, '.facts dd');
      if (Math.abs(label.y - value.y) < 4) expect(label.x).toBeGreaterThan(value.x);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
    });
  }
});

test.describe('Persian, right to left: the English inside it', () => {
  test('English text keeps English punctuation and voice; the words the page adds inside the article are Persian', async ({
    page,
  }) => {
    await page.goto('/fa/ports/3521/');
    // The summary ends with its full stop on the right, as English does, not flipped to the left.
    expect(await page.locator('.lead').evaluate((e) => getComputedStyle(e).direction)).toBe('ltr');
    const unmarked = await page
      .locator('main [lang="en"]')
      .evaluateAll((all) =>
        all.filter((e) => getComputedStyle(e).direction !== 'ltr').map((e) => e.outerHTML.slice(0, 80)),
      );
    expect(unmarked).toEqual([]);
    // The article places its uses and commands; their headings and labels are the page's, inside English text.
    for (const id of ['unofficial-uses', 'check']) {
      const heading = page.locator(`h2#${id}`);
      expect(await heading.evaluate((e) => e.closest('[lang]')?.getAttribute('lang'))).toBe('fa');
      expect(await heading.evaluate((e) => getComputedStyle(e).direction)).toBe('rtl');
    }
  });
});

test.describe('Bulgarian', () => {
  test('the seed string above the three faces, each with its label', async ({ page }) => {
    await page.goto('/bg/ports/3521/');
    const widget = page.getByRole('region', { name: 'Беше ли полезна тази страница?' });
    await expect(widget).toBeVisible();
    for (const key of ['feedback.not-helpful', 'feedback.somewhat', 'feedback.helpful'] as const) {
      await expect(widget.getByRole('button', { name: bg[key], exact: true }).locator('svg')).toBeVisible();
    }
  });
});

test('the sitemap lists each article with its alternates in every language', async ({ request }) => {
  const index = await (await request.get('/sitemap-index.xml')).text();
  const maps = [...index.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1]!).pathname);
  const text = (await Promise.all(maps.map(async (m) => (await request.get(m)).text()))).join('');
  const entry = /<url><loc>[^<]*\/ports\/3515\/<\/loc>(.*?)<\/url>/s.exec(text)?.[1] ?? '';
  for (const [lang, path] of [
    ['en', '/ports/3515/'],
    ['fa', '/fa/ports/3515/'],
    ['bg', '/bg/ports/3515/'],
  ] as const) {
    expect(entry).toMatch(new RegExp(`hreflang="${lang}" href="[^"]*${path.replaceAll('/', '\\/')}"`));
  }
  expect(text).not.toContain(`/fa/ports/${REGISTRY}/`);
});
