/**
 * Issue 24, finding 5: the check commands also find a machine connecting out to the port, each system's command
 * for it says so, and the tabs open on the reader's own system and keep the one they chose across pages. (That
 * the commands find real connections is tests/unit/check-commands.test.ts.)
 */
import { axeViolations, expect, test, upgraded } from './fixtures.ts';
import { articlePorts, registryOnlyPort } from '../support/site-data.ts';

const port = registryOnlyPort();

const USER_AGENTS = {
  windows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
  macos:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
  linux: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
} as const;
const TAB = { windows: 'Windows (cmd)', macos: 'macOS', linux: 'Linux' } as const;

test.describe('the check commands', () => {
  test('every system has a command for connections out to the port, labelled as such', async ({
    pageWithoutJs: page,
  }) => {
    await page.goto(`/ports/${port}/`);
    const section = page.getByRole('region', { name: `Check what uses port ${port}` });
    const command = (label: string) =>
      section
        .getByRole('listitem')
        .filter({ hasText: new RegExp(`^${label}`) })
        .locator('pre');
    const out = section.getByRole('listitem').filter({ hasText: `Connections out to port ${port}` });
    // Linux (ss), Windows (netstat's foreign column) and PowerShell; macOS's lsof reads both ends at once.
    await expect(out.locator('pre')).toHaveText([
      new RegExp(`^sudo ss -t?u?np 'dport = :${port}'$`),
      `netstat -ano | findstr /R /C:"^ *TCP  *[^ ][^ ]*  *[^ ]*:${port} "`,
      new RegExp(`^Get-NetTCPConnection -RemotePort ${port} `),
    ]);
    await expect(command(`TCP port ${port} at either end`)).toHaveText(`sudo lsof -nP -iTCP:${port}`);
    await expect(command(`Port ${port} at either end`)).toHaveText(`sudo lsof -nP -i :${port}`);
    await expect(command(`Listening on port ${port}`)).toHaveText(new RegExp(`'sport = :${port}'$`));
  });

  for (const os of ['windows', 'macos', 'linux'] as const) {
    test(`open on the reader's own system: ${TAB[os]} for a browser that says it runs on ${os}`, async ({
      browser,
      consoleErrors,
    }) => {
      const context = await browser.newContext({ userAgent: USER_AGENTS[os] });
      const page = await context.newPage();
      consoleErrors.watch(page);
      await page.goto(`/ports/${port}/`);
      await upgraded(page, 'check-commands');
      await expect(page.getByRole('tab', { name: TAB[os] })).toHaveAttribute('aria-selected', 'true');
      await expect(page.getByRole('tabpanel', { name: TAB[os] })).toBeVisible();
      await context.close();
    });
  }

  test('the system a reader picks is kept on the next page, in localStorage and not in a cookie', async ({
    page,
    context,
  }) => {
    await page.goto(`/ports/${port}/`);
    await upgraded(page, 'check-commands');
    await page.getByRole('tab', { name: 'PowerShell' }).click();
    const article = articlePorts()[0]!;
    await page.goto(`/ports/${article}/`);
    await upgraded(page, 'check-commands');
    await expect(page.getByRole('tab', { name: 'PowerShell' })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByRole('tabpanel', { name: 'PowerShell' })).toContainText(
      `Get-NetTCPConnection -RemotePort ${article}`,
    );
    expect(await context.cookies()).toEqual([]);
  });

  test('the tabs, copy buttons and lists pass axe, and Copy copies the command for connections out', async ({
    page,
    context,
  }) => {
    // axe over a whole registry page takes a while on two shared cores.
    test.slow();
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto(`/ports/${port}/`);
    await upgraded(page, 'check-commands');
    await page.getByRole('tab', { name: 'Linux' }).click();
    const item = page
      .getByRole('tabpanel', { name: 'Linux' })
      .getByRole('listitem')
      .filter({ hasText: `Connections out to port ${port}` });
    await item.getByRole('button', { name: /^Copy sudo ss/ }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(
      new RegExp(`^sudo ss -t?u?np 'dport = :${port}'$`),
    );
    expect(await axeViolations(page)).toEqual([]);
  });
});
