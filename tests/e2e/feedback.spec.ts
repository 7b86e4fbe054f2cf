import type { Page } from '@playwright/test';
import { axeViolations, expect, test } from './fixtures.ts';

const widget = (page: Page) => page.getByRole('region', { name: 'Was this page helpful?' });
const face = (page: Page, name: string) => widget(page).getByRole('button', { name, exact: true });

test.describe('the feedback widget', () => {
  for (const name of ['Not helpful', 'Somewhat', 'Helpful']) {
    test(`a reader can vote “${name}” and is thanked`, async ({ page }) => {
      await page.goto('/ports/3515/');
      const response = page.waitForResponse(
        (r) => r.url().endsWith('/api/feedback') && r.request().method() === 'POST',
      );
      await face(page, name).click();
      expect((await response).status()).toBe(200);
      await expect(face(page, name)).toHaveAttribute('aria-pressed', 'true');
      await expect(widget(page).getByRole('status')).toHaveText(/Thank you! Your vote is saved/);
    });
  }

  test('a reader can add a comment with reasons, watching the character count', async ({ page }) => {
    await page.goto('/ports/3521/');
    await face(page, 'Somewhat').click();
    await expect(widget(page).getByRole('status')).toHaveText(/Thank you/);
    const comment = widget(page).getByRole('textbox', { name: 'Comment' });
    await expect(comment).toBeVisible();
    const text = 'The Windows command needs an elevated prompt.';
    await comment.fill(text);
    await expect(widget(page).getByText(`${text.length} of 1000 characters`)).toBeVisible();
    await widget(page).getByRole('checkbox', { name: 'A command did not work' }).check();
    const response = page.waitForResponse((r) => r.url().endsWith('/api/feedback'));
    await widget(page).getByRole('button', { name: 'Send comment' }).click();
    const sent = (await response).request().postDataJSON() as Record<string, unknown>;
    expect(sent).toMatchObject({
      port: 3521,
      rating: 'somewhat',
      comment: 'The Windows command needs an elevated prompt.',
      reasons: ['command-failed'],
    });
    await expect(widget(page).getByRole('status')).toHaveText('Thank you for the comment.');
    expect(await axeViolations(page)).toEqual([]);
  });

  test('a reader can change the vote, and a reload shows the vote remembered', async ({ page }) => {
    await page.goto('/ports/3521/');
    await face(page, 'Helpful').click();
    await expect(face(page, 'Helpful')).toHaveAttribute('aria-pressed', 'true');
    await face(page, 'Not helpful').click();
    await expect(face(page, 'Not helpful')).toHaveAttribute('aria-pressed', 'true');
    await expect(face(page, 'Helpful')).toHaveAttribute('aria-pressed', 'false');
    await page.reload();
    await expect(face(page, 'Not helpful')).toHaveAttribute('aria-pressed', 'true');
    // Votes are remembered per page.
    await page.goto('/ports/3515/');
    await expect(face(page, 'Not helpful')).toHaveAttribute('aria-pressed', 'false');
  });

  test('says so when the vote could not be saved', async ({ page, consoleErrors }) => {
    consoleErrors.allow(/status of 503/);
    await page.route('**/api/feedback', (route) =>
      route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"down"}' }),
    );
    await page.goto('/ports/3515/');
    await face(page, 'Helpful').click();
    await expect(widget(page).getByRole('status')).toHaveText(
      'Your vote could not be saved just now. Please try again in a little while.',
    );
    await expect(face(page, 'Helpful')).toHaveAttribute('aria-pressed', 'false');
  });

  test('voting does not move the page', async ({ page }) => {
    await page.goto('/ports/3515/');
    // The thank-you line is laid out (invisible) before the vote, so showing it shifts nothing below.
    const line = widget(page).locator('[data-thanks]');
    const footer = page.getByRole('contentinfo');
    const top = (locator: typeof line) => locator.evaluate((el) => el.getBoundingClientRect().top + window.scrollY);
    const before = [await top(line), await top(footer)];
    await face(page, 'Helpful').click();
    await expect(line).toHaveText(/Thank you/);
    await widget(page)
      .locator('details')
      .evaluate((d) => {
        d.removeAttribute('open');
      });
    expect([await top(line), await top(footer)]).toEqual(before);
  });

  test('works without JavaScript: the form posts and the page thanks the reader', async ({ pageWithoutJs: page }) => {
    await page.goto('/ports/3515/');
    await widget(page).getByText('Tell us more (optional)').click();
    await widget(page).getByRole('textbox', { name: 'Comment' }).fill('Posted without JavaScript.');
    await face(page, 'Helpful').click();
    await expect(page).toHaveURL(/\/ports\/3515\/\?voted=helpful#feedback$/);
    await expect(widget(page).getByText('Thank you! Your vote is saved.', { exact: false })).toBeVisible();
  });
});
