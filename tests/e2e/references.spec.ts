/**
 * Issue 24, findings 8 and 9, for an article's references: numbered in the order the text cites them, back-links a
 * finger can hit, and English reference lines that keep their punctuation in a right-to-left page.
 */
import { expect, test } from './fixtures.ts';
import { articlePorts } from '../support/site-data.ts';

for (const port of articlePorts()) {
  test.describe(`the article on port ${port}`, () => {
    test('numbers its citations in reading order: [1] first, and each new source the next number', async ({ page }) => {
      await page.goto(`/ports/${port}/`);
      const numbers = (await page.locator('article sup.cite a').allTextContents()).map((text) =>
        Number(text.replace(/\D/g, '')),
      );
      expect(numbers.length).toBeGreaterThan(0);
      const firsts = numbers.filter((n, i) => numbers.indexOf(n) === i);
      expect(firsts).toEqual(firsts.map((_, i) => i + 1));
      // The reference list is in the same order: the n-th entry is the one [n] links to.
      const items = page.getByRole('region', { name: 'References' }).getByRole('listitem');
      for (const link of await page.locator('article sup.cite a').all()) {
        const n = Number((await link.textContent())!.replace(/\D/g, ''));
        const target = (await link.getAttribute('href'))!.slice(1);
        await expect(items.nth(n - 1)).toHaveAttribute('id', target);
      }
    });

    test('its “jump back” links are targets of at least 24 × 24 px, and lead back to the citation', async ({
      page,
    }) => {
      await page.goto(`/ports/${port}/`);
      const back = page.getByRole('region', { name: 'References' }).getByRole('link', { name: /Jump back/ });
      expect(await back.count()).toBeGreaterThan(0);
      for (const link of await back.all()) {
        const box = (await link.boundingBox())!;
        expect(box.width, (await link.getAttribute('href'))!).toBeGreaterThanOrEqual(24);
        expect(box.height).toBeGreaterThanOrEqual(24);
      }
      const first = back.first();
      const anchor = (await first.getAttribute('href'))!;
      await first.click();
      await expect(page.locator(anchor)).toBeInViewport();
    });

    test('in Persian, each reference’s English title, full stop and publisher read left to right', async ({ page }) => {
      await page.goto(`/fa/ports/${port}/`);
      const items = page.locator('.references > li');
      expect(await items.count()).toBeGreaterThan(0);
      for (const item of await items.all()) {
        const layout = await item.evaluate((li) => {
          const cite = li.querySelector('cite')!;
          const isolate = cite.parentElement!;
          // The text right after the title: ". Publisher".
          const after = cite.nextSibling!;
          const range = document.createRange();
          range.setStart(after, 0);
          range.setEnd(after, 1);
          const dot = range.getBoundingClientRect();
          const title = [...cite.getClientRects()].at(-1)!;
          return {
            dir: getComputedStyle(isolate).direction,
            lang: isolate.closest('[lang]')?.getAttribute('lang'),
            text: `${cite.textContent}${after.textContent}`,
            sameLine: Math.abs(dot.top - title.top) < 4,
            dotAfterTitle: dot.left >= title.right - 1,
          };
        });
        expect(layout.dir, layout.text).toBe('ltr');
        expect(layout.lang, layout.text).toBe('en');
        expect(layout.text).toMatch(/^.+\. \S/);
        // Where the full stop shares the title's last line, it is on its right, as English puts it.
        if (layout.sameLine) expect(layout.dotAfterTitle, layout.text).toBe(true);
      }
    });
  });
}
