import { builtPorts, NO_DOCUMENTED_PORT, portDocumentedByAnArticle, serviceOf } from '../support/site-data.ts';
import { axeViolations, expect, test, upgraded } from './fixtures.ts';

test.describe('registry pages', () => {
  test('a port without an article shows IANA’s facts, its range, the dormancy verdict and an honest note', async ({
    page,
  }) => {
    // A port without an article on which an article documents a use (tests/support/site-data.ts).
    const documented = portDocumentedByAnArticle();
    test.skip(!documented, NO_DOCUMENTED_PORT);
    const { port, article, use } = documented!;
    const built = builtPorts().find((p) => p.port === port)!;
    const row = built.registry[0]!;
    await page.goto(`/ports/${port}/`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Port ${port}: ${row.service!}`);
    const facts = page.getByRole('region', { name: 'Registration' });
    await expect(facts).toContainText(row.description!);
    await expect(facts).toContainText(row.assignee!.replace(/^\[|\]$/g, '').replaceAll('_', ' '));
    await expect(facts).toContainText(
      new Date(`${row.registered!}-01T00:00:00Z`).toLocaleDateString('en', {
        month: 'long',
        year: 'numeric',
        timeZone: 'UTC',
      }),
    );
    // The use the article documents, with its sources, decides.
    const verdict = page.getByRole('region', { name: 'Dormancy verdict' });
    await expect(verdict).toContainText('In use.');
    await expect(verdict.getByRole('listitem').first()).toContainText(`${use} is documented to run on this port today`);
    await expect(verdict.getByRole('listitem').first().getByRole('link', { name: 'source' })).toHaveAttribute(
      'href',
      `/ports/${article}/`,
    );
    if (built.range === 'user') await expect(verdict).toContainText('registered (user) range, 1024–49151');
    await expect(
      page.getByRole('region', { name: 'Not written up yet' }).getByRole('link', { name: 'How to add a port page' }),
    ).toHaveAttribute('href', '/about/contribute/');
    await upgraded(page, 'check-commands');
    await expect(page.getByRole('tablist', { name: 'Operating system' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Was this page helpful?' })).toBeVisible();
    expect(await axeViolations(page)).toEqual([]);
  });

  test('a likely-dormant port says why, reason by reason, each with its source', async ({ page }) => {
    await page.goto('/ports/3722/');
    const verdict = page.getByRole('region', { name: 'Dormancy verdict' });
    await expect(verdict).toContainText('Likely dormant.');
    for (const words of [
      'Nmap’s internet scans',
      'Wireshark has no decoder',
      'registered (user) range',
      'more than twenty years ago',
      'never modified',
      'cites no specification',
    ]) {
      await expect(verdict.getByRole('listitem').filter({ hasText: words })).toHaveCount(1);
    }
    expect(await verdict.getByRole('link', { name: 'source' }).count()).toBeGreaterThanOrEqual(6);
  });

  test('a port in wide use is called in use, and shows every IANA row as IANA gives it', async ({ page }) => {
    await page.goto('/ports/80/');
    const verdict = page.getByRole('region', { name: 'Dormancy verdict' });
    await expect(verdict).toContainText('In use.');
    await expect(verdict).toContainText('Debian lists it in /etc/services');
    const facts = page.getByRole('region', { name: 'Registration' });
    await expect(facts.getByRole('heading', { name: 'http (SCTP)' })).toBeVisible();
    await expect(facts).toContainText('Randall Stewart');
    await expect(facts.getByRole('link', { name: 'RFC 9260' })).toHaveAttribute(
      'href',
      'https://www.rfc-editor.org/rfc/rfc9260',
    );
    await expect(facts.getByRole('link', { name: 'RFC 9110' }).first()).toBeVisible();
  });

  test('a de-registered row is shown as de-registered, not as live (14001 UDP)', async ({ page }) => {
    await page.goto('/ports/14001/');
    const facts = page.getByRole('region', { name: 'Registration' });
    await expect(facts.getByRole('heading', { name: 'sua (UDP)' })).toBeVisible();
    await expect(facts).toContainText('De-registered');
    await expect(facts.getByRole('heading', { name: 'sua (TCP, SCTP)' })).toBeVisible();
  });

  test('an article page still shows its article, and no registry verdict', async ({ page }) => {
    await page.goto('/ports/3515/');
    await expect(page.getByRole('heading', { name: 'What IANA records' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Dormancy verdict' })).toHaveCount(0);
    await expect(page.getByRole('region', { name: 'Registration' })).toContainText('May 2002');
  });

  test('the port index browses the registry by block and by hundred, with counts', async ({ page }) => {
    await page.goto('/ports/');
    const blocks = page.getByRole('table', { name: 'Assigned ports in blocks of 1,000' });
    const row = blocks.getByRole('row').filter({ has: page.getByRole('link', { name: '3000–3999' }) });
    await expect(row.getByRole('cell').first()).toHaveText(/^\d{2,3}$/);
    await row.getByRole('link', { name: '3000–3999' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ports 3000–3999');
    // The block lists its ten pages of a hundred, each with its counts.
    const parts = page.getByRole('table', { name: 'Ports 3000–3999, a hundred numbers a page' });
    await expect(parts.locator('tbody tr')).toHaveCount(10);
    const ports = builtPorts().filter((p) => p.port >= 3500 && p.port <= 3599);
    const part = parts.getByRole('row').filter({ has: page.getByRole('link', { name: '3500–3599' }) });
    await expect(part.getByRole('cell').first()).toHaveText(String(ports.length));
    await expect(part.getByRole('cell').nth(1)).toHaveText(
      String(ports.filter((p) => p.dormancy.verdict === 'likely-dormant').length),
    );
    await part.getByRole('link', { name: '3500–3599' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ports 3500–3599');
    const table = page.getByRole('table');
    const rowOf = (port: number) =>
      table.getByRole('row').filter({ has: page.getByRole('link', { name: String(port), exact: true }) });
    // A port the build calls in use and one it calls likely dormant, neither with an article.
    const inUse = ports.find((p) => !p.article && p.dormancy.verdict === 'in-use')!;
    await expect(rowOf(inUse.port)).toContainText(serviceOf(inUse.port));
    await expect(rowOf(inUse.port)).toContainText('In use');
    const dormant = ports.find((p) => !p.article && p.dormancy.verdict === 'likely-dormant')!;
    await expect(rowOf(dormant.port)).toContainText(serviceOf(dormant.port));
    await expect(rowOf(dormant.port)).toContainText('Likely dormant');
    for (const article of ports.filter((p) => p.article)) await expect(rowOf(article.port)).toContainText('Article');
    await expect(
      table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: '3546', exact: true }) }),
    ).toContainText('Unassigned');
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
    // Entries without a date of their own (IANA gave none; the registry's history dates them by 2016) open the
    // list, so the first page may show no dates at all; whatever dates it shows are in order.
    await expect(page.getByRole('table').locator('tbody tr')).toHaveCount(100);
    expect(oldest, 'oldest first').toEqual([...oldest].sort());
    const pages = page.getByRole('navigation', { name: 'Pages' });
    await expect(pages.getByRole('link', { name: '1', exact: true })).toHaveAttribute('aria-current', 'page');
    await pages.getByRole('link', { name: /Next page/ }).click();
    await expect(page).toHaveURL(/\/ports\/dormant\/2\/$/);
    const second = await dates();
    expect((second[0] ?? '') >= (oldest.at(-1) ?? ''), 'page 2 continues after page 1').toBe(true);
    await page
      .getByRole('navigation', { name: 'Sort by registration date' })
      .getByRole('link', { name: 'newest first' })
      .click();
    await expect(page).toHaveURL(/\/ports\/dormant\/newest\/$/);
    const newest = await dates();
    expect(newest, 'newest first').toEqual([...newest].sort().reverse());
    expect((newest[0] ?? '') > (oldest[0] ?? ''), 'the newest page starts later than the oldest').toBe(true);
    expect(await axeViolations(page)).toEqual([]);
  });

  test('each page’s facts are published as JSON, and the whole dataset as one file', async ({ request }) => {
    const one = (await (await request.get('/ports/3722.json')).json()) as {
      port: number;
      range: string;
      registry: { service: string; protocol: string; registered: string; status: string }[];
      dormancy: { verdict: string; reasons: { signal: string; value: string; source: string }[] };
    };
    expect(one).toMatchObject({
      port: 3722,
      range: 'user',
      registry: [
        { service: 'xserveraid', protocol: 'tcp', registered: '2003-03', status: 'assigned' },
        { service: 'xserveraid', protocol: 'udp', registered: '2003-03', status: 'assigned' },
      ],
      dormancy: { verdict: 'likely-dormant' },
    });
    expect(one.dormancy.reasons).toContainEqual({
      signal: 'registered',
      value: '2003-03',
      source:
        'https://www.iana.org/assignments/service-names-port-numbers/service-names-port-numbers.xhtml?search=3722',
    });
    const article = (await (await request.get('/ports/3515.json')).json()) as {
      article: { title: string; status: string };
      dormancy: { verdict: string };
    };
    expect(article.article).toMatchObject({ title: 'MUST Backplane', status: 'dormant' });
    expect(article.dormancy.verdict).toBe('likely-dormant');
    const all = (await (await request.get('/ports.json')).json()) as {
      count: number;
      ports: { port: number; registry: { status: string; service?: string }[] }[];
    };
    expect(all.ports).toHaveLength(all.count);
    // The 6,350 numbers a row assigns, and those the registry's history saw lose their service (tests/e2e/history.spec.ts).
    expect(all.ports.filter((p) => p.registry.some((r) => r.status === 'assigned' || r.service))).toHaveLength(6350);
    expect(all.ports.some((p) => p.port === 3521)).toBe(true);
  });
});
