/**
 * Issue 24, finding 8: a Persian or Bulgarian page writes its counts in one digit system (Persian digits in
 * Persian, as formatCount does; port numbers and port ranges stay Latin, CONTRIBUTING.md), and a link to a page
 * that exists only in English says so in words, not only in hreflang.
 */
import type { Page } from '@playwright/test';
import { bg } from '../../src/i18n/bg.ts';
import { fa } from '../../src/i18n/fa.ts';
import { expect, test, upgraded } from './fixtures.ts';
import { articlePorts } from '../support/site-data.ts';

const LATIN = /[0-9]/;
const PERSIAN = /[۰-۹]/;

test.describe('Persian counts in Persian digits', () => {
  test('the likely-dormant list: its caption, page numbers, title and intro', async ({ page }) => {
    await page.goto('/fa/ports/dormant/2/');
    const caption = page.locator('main table caption');
    await expect(caption).toHaveText(/صفحهٔ [۰-۹]+ از [۰-۹]+/);
    await expect(caption).not.toHaveText(LATIN);
    const pages = page.getByRole('navigation', { name: fa['dormant.pages'] }).locator('ol a');
    for (const text of await pages.allTextContents()) expect(text.trim()).toMatch(/^[۰-۹]+$/);
    await expect(page).toHaveTitle(/\([۰-۹]+\)/);
    await expect(page.locator('main > p').first()).toHaveText(PERSIAN);
    await expect(page.locator('main > p').first()).not.toHaveText(LATIN);
  });

  test('the feedback widget’s character count, before and while typing', async ({ page }) => {
    await page.goto(`/fa/ports/${articlePorts()[0]!}/`);
    const count = page.locator('#feedback-count');
    await expect(count).toHaveText(/^[۰-۹]+ از [۰-۹٬]+ /);
    await expect(count).not.toHaveText(LATIN);
    await upgraded(page, 'feedback-widget');
    await page.getByText(fa['feedback.more']).click();
    await page.locator('#feedback-comment').fill('سلام دنیا');
    await expect(count).toHaveText(/^۹ از /);
    await expect(count).not.toHaveText(LATIN);
  });

  test('the range page counts in Persian, and keeps its port numbers and ranges Latin', async ({ page }) => {
    await page.goto('/fa/ports/range/3500-3599/');
    const intro = page.locator('main > p').first();
    await expect(intro).toHaveText(PERSIAN);
    const labels = await page.locator('.verdict-filter label').allTextContents();
    expect(labels.length).toBeGreaterThan(0);
    for (const label of labels) {
      expect(label).toMatch(/\([۰-۹٬]+\)/);
    }
    await expect(page.locator('h1')).toHaveText(/3500–3599/);
    await expect(page.locator('main table tbody th a').first()).toHaveText(/^\d+$/);
  });
});

const LOCALES = [
  { locale: 'fa', t: fa },
  { locale: 'bg', t: bg },
] as const;

/**
 * Every link on the page to a page that exists only in English (outside the language switcher, which names each
 * language in itself): its hreflang, and whether the marker follows it or a table's caption says it once.
 */
async function englishOnlyLinks(page: Page, locale: string, marker: string, tableNote: string) {
  return page.locator('a[href^="/"]').evaluateAll(
    (links, { locale, marker, tableNote }) =>
      links
        .filter((a) => !a.closest('nav.languages'))
        .map((a) => ({ a, path: new URL((a as HTMLAnchorElement).href).pathname }))
        // Pages, not JSON; those in the reader's language are under their prefix.
        .filter(({ path }) => !path.endsWith('.json') && !path.startsWith(`/${locale}/`))
        .map(({ a, path }) => {
          const next = a.nextElementSibling;
          const marked =
            [...a.querySelectorAll('.in-english')].some((m) => m.textContent.trim() === marker) ||
            (next?.classList.contains('in-english') === true && next.textContent.trim() === marker);
          const caption = a.closest('table')?.querySelector('caption')?.textContent ?? '';
          return {
            path,
            hreflang: a.getAttribute('hreflang'),
            said: marked || caption.includes(tableNote),
          };
        }),
    { locale, marker, tableNote },
  );
}

for (const { locale, t } of LOCALES) {
  test.describe(`/${locale}/: links to English-only pages`, () => {
    const paths = [
      '/',
      '/ports/',
      ...articlePorts().map((port) => `/ports/${port}/`),
      '/ports/range/3500-3599/',
      '/ports/dormant/',
      '/search/',
    ];
    for (const path of paths) {
      test(`${path}: each carries hreflang="en" and says “${t['link.english']}”`, async ({ page }) => {
        await page.goto(`/${locale}${path}`);
        const links = await englishOnlyLinks(page, locale, t['link.english'], t['link.english.table']);
        // Every page has the footer's pages about the site, which are in English only.
        expect(links.filter((l) => l.path.startsWith('/about/')).length).toBeGreaterThan(0);
        for (const link of links) {
          expect(link.hreflang, link.path).toBe('en');
          expect(link.said, link.path).toBe(true);
        }
      });
    }
  });
}
