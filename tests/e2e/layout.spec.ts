/**
 * Issue 24, finding 9 (layout): a range page filters its rows by verdict without JavaScript.
 */
import { axeViolations, expect, test } from './fixtures.ts';
import { builtPorts } from './site-data.ts';

test.describe('a range page’s verdict filter', () => {
  const block = { first: 3000, last: 3999 };
  const ports = builtPorts().filter((p) => p.port >= block.first && p.port <= block.last);
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
