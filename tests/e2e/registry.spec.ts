import { axeViolations, expect, test } from './fixtures.ts';

test.describe('registry pages', () => {
  test('a port without an article shows IANA’s facts, its range, the dormancy verdict and an honest note', async ({
    page,
  }) => {
    await page.goto('/ports/3520/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Port 3520: galileolog');
    const facts = page.getByRole('region', { name: 'Registration' });
    await expect(facts).toContainText('Netvion Galileo Log Port');
    await expect(facts).toContainText('Ray Caruso');
    await expect(facts).toContainText('June 2002');
    await expect(page.getByText('User ports 1024–49151', { exact: false })).toBeVisible();
    const verdict = page.getByRole('region', { name: 'Dormancy check' });
    await expect(verdict).toContainText('Likely dormant');
    await expect(verdict.getByRole('listitem')).toHaveCount(5);
    await expect(page.getByRole('region', { name: 'Not written up yet' })).toContainText('content/ports/3520.mdx');
    await expect(page.getByRole('tablist', { name: 'Operating system' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Was this page helpful?' })).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);
  });

  test('a registration with a reference document is not flagged, and the page says which sign failed', async ({
    page,
  }) => {
    await page.goto('/ports/80/');
    const verdict = page.getByRole('region', { name: 'Dormancy check' });
    await expect(verdict).toContainText('Not flagged as dormant');
    await expect(verdict.locator('li[data-holds="no"]').first()).toBeVisible();
  });

  test('an article page still shows its article, and no registry verdict', async ({ page }) => {
    await page.goto('/ports/3515/');
    await expect(page.getByRole('heading', { name: 'What IANA records' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Dormancy check' })).toHaveCount(0);
    await expect(page.getByRole('region', { name: 'Registration' })).toContainText('May 2002');
  });

  test('the port index browses the registry by range, with counts', async ({ page }) => {
    // axe over a table of several hundred rows takes a while on two cores.
    test.slow();
    await page.goto('/ports/');
    const blocks = page.getByRole('table', { name: 'Assigned ports in blocks of 1,000' });
    const row = blocks.getByRole('row').filter({ has: page.getByRole('link', { name: '3000–3999' }) });
    await expect(row.getByRole('cell').first()).toHaveText(/^\d{2,3}$/);
    await row.getByRole('link', { name: '3000–3999' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ports 3000–3999');
    const table = page.getByRole('table');
    const galileo = table.getByRole('row').filter({ has: page.getByRole('link', { name: '3520', exact: true }) });
    await expect(galileo).toContainText('galileolog');
    await expect(galileo).toContainText('Yes');
    await expect(
      table.getByRole('row').filter({ has: page.getByRole('link', { name: '3515', exact: true }) }),
    ).toContainText('Article');
    expect(await axeViolations(page)).toEqual([]);
  });

  test('the likely-dormant list is paginated and sorts by registration date both ways', async ({ page }) => {
    test.slow();
    const dates = () =>
      page
        .getByRole('table')
        .getByRole('row')
        .locator('td time')
        .evaluateAll((times) => times.map((time) => time.getAttribute('datetime') ?? ''));
    await page.goto('/ports/dormant/');
    const oldest = await dates();
    expect(oldest).toHaveLength(100);
    expect(oldest, 'oldest first').toEqual([...oldest].sort());
    const pages = page.getByRole('navigation', { name: 'Pages' });
    await expect(pages.getByRole('link', { name: '1', exact: true })).toHaveAttribute('aria-current', 'page');
    await pages.getByRole('link', { name: /Next page/ }).click();
    await expect(page).toHaveURL(/\/ports\/dormant\/2\/$/);
    const second = await dates();
    expect(second[0]! >= oldest.at(-1)!, 'page 2 continues after page 1').toBe(true);
    await page
      .getByRole('navigation', { name: 'Sort by registration date' })
      .getByRole('link', { name: 'newest first' })
      .click();
    await expect(page).toHaveURL(/\/ports\/dormant\/newest\/$/);
    const newest = await dates();
    expect(newest, 'newest first').toEqual([...newest].sort().reverse());
    expect(newest[0]! > oldest[0]!, 'the newest page starts later than the oldest').toBe(true);
    expect(await axeViolations(page)).toEqual([]);
  });

  test('each page’s facts are published as JSON, and the whole dataset as one file', async ({ request }) => {
    const one = (await (await request.get('/ports/3520.json')).json()) as {
      port: number;
      services: { service: string; registered: string }[];
      dormancy: { candidate: boolean };
    };
    expect(one).toMatchObject({
      port: 3520,
      services: [{ service: 'galileolog', registered: '2002-06' }],
      dormancy: { candidate: true },
    });
    const article = (await (await request.get('/ports/3515.json')).json()) as {
      article: { title: string; status: string };
    };
    expect(article.article).toMatchObject({ title: 'MUST Backplane', status: 'squatted' });
    const all = (await (await request.get('/ports.json')).json()) as { count: number; ports: { port: number }[] };
    expect(all.count).toBe(6342);
    expect(all.ports).toHaveLength(6342);
    expect(all.ports.some((p) => p.port === 3521)).toBe(true);
  });
});
