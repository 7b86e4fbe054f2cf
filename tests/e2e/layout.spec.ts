/**
 * Issue 24, finding 9 (layout): a range page filters its rows by verdict without JavaScript, and no page makes a
 * phone scroll sideways.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/content.ts';
import { axeViolations, expect, test } from './fixtures.ts';
import { articlePorts, builtPorts, registryOnlyPort } from '../support/site-data.ts';

test.describe('a range page’s verdict filter', () => {
  // A page of a hundred with ports of every verdict, from the build, so that each radio has rows to show.
  const VERDICTS = ['likely-dormant', 'in-use', 'unknown'];
  const inside = (first: number) => builtPorts().filter((p) => p.port >= first && p.port <= first + 99);
  const first = Array.from({ length: 656 }, (_, n) => n * 100).find((at) =>
    VERDICTS.every((verdict) => inside(at).some((p) => p.dormancy.verdict === verdict)),
  )!;
  const block = { first, last: first + 99 };
  const ports = inside(first);
  const count = (verdict: string) => ports.filter((p) => p.dormancy.verdict === verdict).length;

  test('without JavaScript, choosing a verdict leaves only its rows, and “All” brings every row back', async ({
    pageWithoutJs: page,
  }) => {
    test.slow();
    await page.goto(`/ports/range/${block.first}-${block.last}/`);
    const filter = page.getByRole('group', { name: 'Show ports by verdict' });
    const rows = page.locator('main table tbody tr');
    const total = await rows.count();
    const visible = () => rows.evaluateAll((all) => all.filter((row) => row.getClientRects().length > 0).length);
    for (const [name, verdict] of [
      ['Likely dormant', 'likely-dormant'],
      ['In use', 'in-use'],
      ['Unknown', 'unknown'],
    ] as const) {
      const radio = filter.getByRole('radio', { name: new RegExp(`^${name} \\(${count(verdict)}\\)$`) });
      await radio.check();
      expect(await visible(), name).toBe(count(verdict));
      const shown = await rows.evaluateAll((all) =>
        all
          .filter((row) => row.getClientRects().length > 0)
          .map((row) => row.querySelector('[data-verdict]')?.textContent),
      );
      expect(new Set(shown), name).toEqual(new Set(count(verdict) > 0 ? [name] : []));
    }
    await filter.getByRole('radio', { name: /^All/ }).check();
    expect(await visible()).toBe(total);
  });

  test('the filter is a labelled radio group a keyboard can use, with no axe violations', async ({ page }) => {
    test.slow();
    await page.goto(`/ports/range/${block.first}-${block.last}/`);
    const filter = page.getByRole('group', { name: 'Show ports by verdict' });
    await filter.getByRole('radio', { name: /^All/ }).focus();
    await page.keyboard.press('ArrowRight');
    await expect(filter.getByRole('radio', { name: /^Likely dormant/ })).toBeChecked();
    await expect(page.locator('main table tbody tr:visible [data-verdict]').first()).toHaveText('Likely dormant');
    expect(await axeViolations(page)).toEqual([]);
  });
});

test.describe('phones do not scroll sideways', () => {
  const about = readdirSync(join(ROOT, 'content/about'))
    .filter((name) => name.endsWith('.mdx'))
    .map((name) => `/about/${name.replace(/\.mdx$/, '')}/`);
  const paths = [
    ...about,
    '/about/',
    ...articlePorts().flatMap((port) => [`/ports/${port}/`, `/fa/ports/${port}/`, `/bg/ports/${port}/`]),
    `/ports/${registryOnlyPort()}/`,
    // The registry page that lists the most known uses, with their sources' titles and paths.
    `/ports/${[...builtPorts()].sort((a, b) => (b.uses?.length ?? 0) - (a.uses?.length ?? 0))[0]!.port}/`,
    '/fa/ports/range/3000-3999/',
    '/fa/ports/range/3500-3599/',
  ];
  for (const path of paths) {
    test(`${path} at 375 px`, async ({ page }) => {
      await page.setViewportSize({ width: 375, height: 800 });
      await page.goto(path);
      const overflow = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth - window.innerWidth,
        // What sticks out, if anything: the widest elements past the viewport's edge.
        wide: [...document.querySelectorAll('main *')]
          .filter((e) => {
            const box = e.getBoundingClientRect();
            return box.right > window.innerWidth + 1 || box.left < -1;
          })
          .filter((e) => !e.closest('.table-scroll, [role="tablist"]'))
          .slice(0, 3)
          .map((e) => `${e.tagName.toLowerCase()}.${e.className}: ${e.getBoundingClientRect().width}px`),
      }));
      expect(overflow.wide, path).toEqual([]);
      expect(overflow.page, path).toBeLessThanOrEqual(0);
    });
  }
});
