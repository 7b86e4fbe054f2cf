import type { Page } from '@playwright/test';
import { axeViolations, expect, test, upgraded } from './fixtures.ts';

const widget = (page: Page) => page.getByRole('region', { name: 'Was this page helpful?' });
const face = (page: Page, name: string) => widget(page).getByRole('button', { name, exact: true });
const status = (page: Page) => widget(page).getByRole('status');

/** Opens a port page with the widget's script running (it loads when the widget comes near the viewport). */
async function open(page: Page, path = '/ports/3515/') {
  await page.goto(path);
  await upgraded(page, 'feedback-widget');
  // The script shows the Send button (a no-JavaScript reader sends the comment with a face).
  await expect(page.locator('feedback-widget .send:not([hidden])')).toBeAttached();
}

test.describe('the feedback widget', () => {
  for (const name of ['Not helpful', 'Somewhat', 'Helpful']) {
    test(`a reader can vote “${name}” and is thanked`, async ({ page }) => {
      await open(page);
      const response = page.waitForResponse(
        (r) => r.url().endsWith('/api/feedback') && r.request().method() === 'POST',
      );
      await face(page, name).click();
      expect((await response).status()).toBe(200);
      await expect(face(page, name)).toHaveAttribute('aria-pressed', 'true');
      await expect(status(page)).toHaveText(/Thank you! Your vote is saved/);
    });
  }

  test('each face is drawn in the page, with its name in words: no emoji font needed', async ({ page }) => {
    await page.goto('/ports/3515/');
    for (const name of ['Not helpful', 'Somewhat', 'Helpful']) {
      await expect(face(page, name).locator('svg')).toBeVisible();
      await expect(face(page, name)).toHaveText(name);
    }
  });

  test('before a vote there is no empty line under the faces', async ({ page }) => {
    await open(page);
    await expect(status(page)).toBeHidden();
    const faces = await widget(page).locator('.faces').boundingBox();
    const more = await widget(page).getByText('Tell us more (optional)').boundingBox();
    // Only the group's own margin between the faces and the next control.
    expect(more!.y - (faces!.y + faces!.height)).toBeLessThan(24);
  });

  test('a reader can add a comment with reasons; afterwards the form is cleared', async ({ page }) => {
    await open(page, '/ports/3521/');
    await face(page, 'Somewhat').click();
    await expect(status(page)).toHaveText(/Thank you/);
    await widget(page).getByText('Tell us more (optional)').click();
    const comment = widget(page).getByRole('textbox', { name: 'Comment' });
    const text = 'The Windows command needs an elevated prompt.';
    await comment.fill(text);
    await expect(widget(page).getByText(`${text.length} of 1,000 characters`)).toBeVisible();
    await widget(page).getByRole('checkbox', { name: 'A command did not work' }).check();
    const response = page.waitForResponse((r) => r.url().endsWith('/api/feedback'));
    await widget(page).getByRole('button', { name: 'Send comment' }).click();
    const sent = (await response).request().postDataJSON() as Record<string, unknown>;
    expect(sent).toMatchObject({
      port: 3521,
      rating: 'somewhat',
      comment: 'The Windows command needs an elevated prompt.',
      reasons: ['command-failed'],
      locale: 'en',
    });
    await expect(status(page)).toHaveText('Thank you for the comment.');
    await expect(widget(page).locator('textarea')).toHaveValue('');
    await expect(widget(page).locator('details')).not.toHaveAttribute('open');
    await expect(widget(page).locator('.send')).toBeEnabled();
    expect(await axeViolations(page)).toEqual([]);
  });

  test('“Send comment” before choosing a face says what to do and sends nothing', async ({ page }) => {
    await open(page);
    const posts: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/api/feedback')) posts.push(request.method());
    });
    await widget(page).getByText('Tell us more (optional)').click();
    await widget(page).getByRole('textbox', { name: 'Comment' }).fill('Where is the Windows command?');
    await widget(page).getByRole('button', { name: 'Send comment' }).click();
    await expect(status(page)).toHaveText('Choose an answer above first; your comment is sent with it.');
    expect(posts).toEqual([]);
  });

  test('“What was wrong?” is not asked after “Helpful”', async ({ page }) => {
    await open(page);
    await widget(page).getByText('Tell us more (optional)').click();
    await expect(widget(page).getByRole('group', { name: /Anything wrong/ })).toBeVisible();
    await face(page, 'Helpful').click();
    await expect(face(page, 'Helpful')).toHaveAttribute('aria-pressed', 'true');
    await expect(widget(page).getByRole('group', { name: /Anything wrong/ })).toBeHidden();
  });

  test('a slow save says “Saving…” and holds the buttons; the earlier error goes', async ({ page, consoleErrors }) => {
    consoleErrors.allow(/status of 503/);
    let answer = 503;
    await page.route('**/api/feedback', async (route) => {
      if (answer === 503) return route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"x"}' });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return route.continue();
    });
    await open(page);
    await face(page, 'Helpful').click();
    await expect(status(page)).toHaveText(/could not be saved/);
    answer = 200;
    await face(page, 'Somewhat').click();
    await expect(status(page)).toHaveText('Saving…');
    await expect(face(page, 'Helpful')).toBeDisabled();
    await expect(page.locator('feedback-widget')).toHaveAttribute('aria-busy', '');
    await expect(status(page)).toHaveText(/Thank you! Your vote is saved/, { timeout: 10_000 });
    await expect(face(page, 'Helpful')).toBeEnabled();
  });

  test('says so when the vote could not be saved', async ({ page, consoleErrors }) => {
    consoleErrors.allow(/status of 503/);
    await page.route('**/api/feedback', (route) =>
      route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"down"}' }),
    );
    await open(page);
    await face(page, 'Helpful').click();
    await expect(status(page)).toHaveText('Your vote could not be saved just now. Please try again in a little while.');
    await expect(face(page, 'Helpful')).toHaveAttribute('aria-pressed', 'false');
  });

  test('says so when the reader’s network has voted enough on the page today', async ({ page, consoleErrors }) => {
    consoleErrors.allow(/status of 429/);
    await page.route('**/api/feedback', (route) =>
      route.fulfill({ status: 429, contentType: 'application/json', body: '{"error":"limit"}' }),
    );
    await open(page);
    await face(page, 'Helpful').click();
    await expect(status(page)).toHaveText(/Enough readers on your network/);
  });

  test('a reader can change the vote, and a reload shows the vote remembered', async ({ page }) => {
    await open(page, '/ports/3521/');
    await face(page, 'Helpful').click();
    await expect(face(page, 'Helpful')).toHaveAttribute('aria-pressed', 'true');
    await face(page, 'Not helpful').click();
    await expect(face(page, 'Not helpful')).toHaveAttribute('aria-pressed', 'true');
    await expect(face(page, 'Helpful')).toHaveAttribute('aria-pressed', 'false');
    await page.reload();
    await upgraded(page, 'feedback-widget');
    await expect(face(page, 'Not helpful')).toHaveAttribute('aria-pressed', 'true');
    // Votes are remembered per page.
    await open(page, '/ports/3515/');
    await expect(face(page, 'Not helpful')).toHaveAttribute('aria-pressed', 'false');
  });

  test('works without JavaScript: the form posts, the page thanks the reader and marks the face', async ({
    pageWithoutJs: page,
  }) => {
    await page.goto('/ports/3515/');
    await widget(page).getByText('Tell us more (optional)').click();
    await widget(page).getByRole('textbox', { name: 'Comment' }).fill('Posted without JavaScript.');
    await face(page, 'Helpful').click();
    await expect(page).toHaveURL(/\/ports\/3515\/\?voted=helpful#voted-helpful$/);
    await expect(widget(page).getByText('Thank you! Your vote is saved.', { exact: false })).toBeVisible();
    const background = (name: string) => face(page, name).evaluate((b) => getComputedStyle(b).backgroundColor);
    expect(await background('Helpful')).not.toBe(await background('Somewhat'));
  });
});
