import { axeViolations, expect, test, upgraded } from './fixtures.ts';

test.describe('a port page', () => {
  test('port 3515 shows its registration facts from IANA', async ({ page }) => {
    await page.goto('/ports/3515/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Port 3515: MUST Backplane');
    const facts = page.getByRole('region', { name: 'Registration' });
    await expect(facts.getByRole('definition').nth(0)).toHaveText('must-backplane');
    await expect(facts).toContainText('Rick Stefanik');
    await expect(facts).toContainText('May 2002');
    await expect(facts).toContainText('TCP, UDP');
    await expect(facts.getByRole('link', { name: 'Port 3515 in IANA’s registry' })).toHaveAttribute(
      'href',
      /service-names-port-numbers\.xhtml\?search=3515$/,
    );
    await expect(page.getByText('Registered', { exact: true }).first()).toBeVisible();
  });

  test('port 3515 labels both malware claims as not yet sourced', async ({ page }) => {
    await page.goto('/ports/3515/');
    const uses = page.getByRole('region', { name: 'Unofficial uses' });
    for (const name of ['Backdoor.Win32.Mazben', 'W32.Spybot worm variants']) {
      const use = uses.getByRole('article', { name });
      await expect(use).toContainText('Malware');
      await expect(use).toContainText('Reported, not yet sourced');
    }
  });

  test('port 3521 shows the Netrek metaserver as sourced, with numbered references that lead to the list', async ({
    page,
  }) => {
    await page.goto('/ports/3521/');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Port 3521: Telequip Labs MC3SS');
    await expect(page.getByRole('region', { name: 'Registration' })).toContainText('Telequip Labs MC3SS');
    await expect(page.getByRole('region', { name: 'Registration' })).toContainText('Michael Sparks');

    const netrek = page
      .getByRole('region', { name: 'Unofficial uses' })
      .getByRole('article', { name: /Netrek metaserver/ });
    await expect(netrek).toContainText('Game');
    await expect(netrek).toContainText('Sourced');
    await expect(netrek).not.toContainText('not yet sourced');
    await expect(netrek).toContainText('2592');

    const kwbot = page.getByRole('article', { name: /Kwbot/ });
    await expect(kwbot).toContainText('Reported, not yet sourced');

    // A use's citation number leads to its entry in the references, whose back-link returns to the citation.
    const citation = netrek.getByRole('link', { name: /^\[\d+\]$/ }).first();
    const target = (await citation.getAttribute('href')) ?? '';
    await citation.click();
    await expect(page).toHaveURL(new RegExp(`${target}$`));
    const entry = page.locator(target);
    await expect(entry).toBeInViewport();
    await expect(entry.locator('cite')).not.toBeEmpty();
    await expect(entry.getByRole('link', { name: /Jump back to citation/ }).first()).toBeVisible();
  });

  test('the reference list is numbered and every reference has a link and an access date', async ({ page }) => {
    await page.goto('/ports/3521/');
    const items = page.getByRole('region', { name: 'References' }).getByRole('listitem');
    expect(await items.count()).toBeGreaterThan(5);
    for (const item of await items.all()) {
      await expect(item.locator('a[href^="http"]')).toHaveCount(1);
      // No reference claims a day it was read on that nobody recorded.
      await expect(item).not.toContainText('2026-11-22');
    }
  });

  test('breadcrumbs run Home › Ports › range › port and mark the current page', async ({ page }) => {
    await page.goto('/ports/3521/');
    const crumbs = page.getByRole('navigation', { name: 'Breadcrumbs' });
    await expect(crumbs.getByRole('listitem')).toHaveText(['Home', 'Ports', '3500–3599', 'Port 3521']);
    await expect(crumbs.getByRole('link', { name: '3500–3599' })).toHaveAttribute('href', '/ports/range/3500-3599/');
    await expect(crumbs.locator('[aria-current="page"]')).toHaveText('Port 3521');
    await crumbs.getByRole('link', { name: 'Ports' }).click();
    await expect(page).toHaveURL(/\/ports\/$/);
  });

  test('the check commands switch by operating system and remember the choice', async ({ page }) => {
    await page.goto('/ports/3515/');
    await upgraded(page, 'check-commands');
    const tabs = page.getByRole('tablist', { name: 'Operating system' });
    await tabs.getByRole('tab', { name: 'PowerShell' }).click();
    const panel = page.getByRole('tabpanel', { name: 'PowerShell' });
    await expect(panel).toBeVisible();
    await expect(panel).toContainText('Get-NetTCPConnection -LocalPort 3515');
    await expect(page.getByRole('tabpanel', { name: 'Linux' })).toBeHidden();

    // Arrow keys move between tabs, as the ARIA tabs pattern expects.
    await tabs.getByRole('tab', { name: 'PowerShell' }).focus();
    await page.keyboard.press('ArrowLeft');
    await expect(tabs.getByRole('tab', { name: 'Windows (cmd)' })).toBeFocused();
    await expect(page.getByRole('tabpanel', { name: 'Windows (cmd)' })).toContainText(
      'netstat -ano | findstr /R /C:"^ *[TU][CD]P  *[^ ]*:3515 "',
    );

    await page.reload();
    await upgraded(page, 'check-commands');
    await expect(page.getByRole('tab', { name: 'Windows (cmd)' })).toHaveAttribute('aria-selected', 'true');
  });

  test('the copy button puts the command on the clipboard', async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto('/ports/3515/');
    await upgraded(page, 'check-commands');
    await page.getByRole('tab', { name: 'Linux' }).click();
    const line = page
      .getByRole('tabpanel', { name: 'Linux' })
      .getByRole('listitem')
      .filter({ hasText: "sudo ss -tulnp 'sport = :3515'" });
    const button = line.getByRole('button');
    await expect(button).toHaveAccessibleName("Copy sudo ss -tulnp 'sport = :3515'");
    await button.click();
    await expect(button).toHaveText('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("sudo ss -tulnp 'sport = :3515'");
    await expect(page.getByRole('status').filter({ hasText: 'Copied' })).toHaveCount(1);
  });

  test('every check command is readable without JavaScript', async ({ pageWithoutJs: page }) => {
    await page.goto('/ports/3515/');
    for (const os of ['Linux', 'macOS', 'Windows (cmd)', 'PowerShell']) {
      await expect(page.getByRole('heading', { name: os, level: 3 })).toBeVisible();
    }
    await expect(page.getByText('Get-NetUDPEndpoint -LocalPort 3515', { exact: false })).toBeVisible();
    await expect(page.getByText('tasklist /FI "PID eq <PID>"')).toBeVisible();
    await expect(page.getByRole('button', { name: /^Copy sudo/ }).first()).toBeHidden();
  });

  test('carries its description, canonical URL, OpenGraph tags and structured data', async ({ page }) => {
    await page.goto('/ports/3515/');
    await expect(page.locator('link[rel="canonical"]')).toHaveAttribute('href', /\/ports\/3515\/$/);
    await expect(page.locator('meta[name="description"]')).toHaveAttribute('content', /MUST Backplane/);
    await expect(page.locator('meta[property="og:title"]')).toHaveAttribute('content', 'Port 3515: MUST Backplane');
    const data = await page.locator('script[type="application/ld+json"]').allTextContents();
    const graphs = data.map((text) => JSON.parse(text) as { '@context': string; '@graph': { '@type': string }[] });
    expect(graphs.map((graph) => graph['@context'])).toEqual(['https://schema.org']);
    const types = graphs.flatMap((graph) => graph['@graph']).map((item) => item['@type']);
    expect(types).toEqual(['TechArticle', 'BreadcrumbList']);
  });

  test('shows when it was last reviewed', async ({ page }) => {
    await page.goto('/ports/3521/');
    await expect(page.getByText(/Last reviewed/)).toContainText(/\d{4}/);
    await expect(page.locator('time[datetime]').last()).toHaveAttribute('datetime', /^\d{4}-\d{2}-\d{2}$/);
  });

  for (const path of ['/ports/3515/', '/ports/3521/']) {
    test(`${path} has no axe violations, in light and dark, with the tabs upgraded`, async ({ page }) => {
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        await page.goto(path);
        await upgraded(page, 'check-commands');
        await expect(page.getByRole('tablist')).toBeVisible();
        expect(await axeViolations(page)).toEqual([]);
      }
    });
  }
});
