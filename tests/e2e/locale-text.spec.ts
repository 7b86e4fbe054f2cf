/**
 * Issue 24, finding 8: a Persian page writes its counts in one digit system (Persian digits, as formatCount does;
 * port numbers and port ranges stay Latin, CONTRIBUTING.md).
 */
import { fa } from '../../src/i18n/fa.ts';
import { expect, test, upgraded } from './fixtures.ts';
import { articlePorts } from './site-data.ts';

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
});
