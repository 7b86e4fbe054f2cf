/**
 * Issue 25, /check/: a reader pastes a machine's socket list and sees every listening port explained, flagged
 * ones first, in English, Persian and Bulgarian, without the text leaving the browser. What a row should say is
 * read from the build's own lookup shards, not assumed: articles come and go, and verdicts with them.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIRequestContext, Page, Request } from '@playwright/test';
import { bg } from '../../src/i18n/bg.ts';
import { en } from '../../src/i18n/en.ts';
import { fa } from '../../src/i18n/fa.ts';
import { localePrefix, type Locale } from '../../src/i18n/locales.ts';
import type { Dictionary, UIKey } from '../../src/i18n/ui.ts';
import { formatCount } from '../../src/lib/dates.ts';
import type { LookupShard } from '../../src/lib/search/lookup.ts';
import { axeViolations, expect, test, upgraded } from './fixtures.ts';

const LOCALES = [
  { locale: 'en', t: en },
  { locale: 'fa', t: fa },
  { locale: 'bg', t: bg },
] as const satisfies readonly { locale: Locale; t: Dictionary }[];

type Entry = LookupShard['entries'][string];

/** Real `ss -tulpn` output from tests/fixtures/listeners/: 22, 3515, 35150, 3520, 3546, 49160 and more. */
const SS = readFileSync(join(import.meta.dirname, '../fixtures/listeners/linux/ss-tulpn.txt'), 'utf8');
const ssLine = (port: number) =>
  `tcp   LISTEN 0      128                    0.0.0.0:${port}       0.0.0.0:*    users:(("probe",pid=4242,fd=3))`;
const JUNK = 'this line is not socket output';

/**
 * Why a port open on every interface deserves a look, restated from the wording: a likely-dormant or
 * squatted port, malware reports, or a number registered to nothing. As keys of the `check.flag.*` strings.
 */
function reasons(entry: Entry | undefined): UIKey[] {
  if (!entry) return ['check.flag.unregistered'];
  const uses = entry.uses ?? [];
  const has = (kind: string) => uses.some((use) => use.kind === kind);
  const found: UIKey[] = [];
  if (has('malware')) found.push('check.flag.malware');
  if (entry.verdict === 'likely-dormant') found.push('check.flag.dormant');
  else if (has('unofficial') && !has('default')) found.push('check.flag.squatted');
  return found;
}

/** The ports of the ss sample, which the picked ports must not be. */
const IN_SAMPLE = new Set([
  22, 69, 323, 546, 3306, 3515, 3520, 3521, 3546, 4444, 5000, 5353, 5432, 6379, 8000, 8443, 35150, 49160, 60000,
]);

const shards = new Map<number, LookupShard>();
async function shard(request: APIRequestContext, n: number): Promise<LookupShard> {
  let found = shards.get(n);
  if (!found) {
    found = (await (await request.get(`/lookup/${n}.json`)).json()) as LookupShard;
    shards.set(n, found);
  }
  return found;
}
const entryOf = async (request: APIRequestContext, port: number) =>
  (await shard(request, Math.floor(port / 100))).entries[port];

/** The first port in the registered range whose entry fits, without known uses so nothing else can flag it. */
async function pick(request: APIRequestContext, verdict: Entry['verdict']): Promise<number> {
  for (let n = 11; n < 490; n++) {
    const found = Object.entries((await shard(request, n)).entries).find(
      ([port, entry]) => entry.verdict === verdict && !entry.uses && !IN_SAMPLE.has(Number(port)),
    );
    if (found) return Number(found[0]);
  }
  throw new Error(`no ${verdict} port in the lookup shards`);
}

/** Every request the page makes from now on. */
function watch(page: Page): Request[] {
  const seen: Request[] = [];
  page.on('request', (request) => seen.push(request));
  return seen;
}

const box = (page: Page, t: Dictionary) => page.getByRole('textbox', { name: t['check.label'] });
const table = (page: Page, t: Dictionary) => page.getByRole('table', { name: t['check.caption'] });
const rowOf = (page: Page, t: Dictionary, port: number) =>
  table(page, t)
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: String(port), exact: true }) });

for (const { locale, t } of LOCALES) {
  const prefix = localePrefix(locale);
  test.describe(`${prefix}/check/`, () => {
    test('pasting ss output lists every listener, flags what deserves a look first, and links each port', async ({
      page,
      request,
    }) => {
      const dormant = await pick(request, 'likely-dormant');
      const inUse = await pick(request, 'in-use');
      const sample = `${SS}${ssLine(dormant)}\n${ssLine(inUse)}\n${JUNK}\n`;
      const requests = watch(page);
      await page.goto(`${prefix}/check/`);
      await upgraded(page, 'listener-check');
      await box(page, t).fill(sample);
      await expect(table(page, t)).toBeVisible();

      // The numbers the issue names, judged from the data: 3515 flagged, 22 not, 35150 a port of its own.
      const expected = new Map<number, UIKey[]>();
      for (const port of [22, 3515, 3520, 3546, dormant, inUse])
        expected.set(port, reasons(await entryOf(request, port)));
      expect(expected.get(3515)).not.toEqual([]);
      expect(expected.get(22)).toEqual([]);
      expect(expected.get(dormant)).toEqual(['check.flag.dormant']);
      expect(expected.get(inUse)).toEqual([]);
      for (const [port, keys] of expected) {
        const row = rowOf(page, t, port);
        await expect(row, `port ${port}`).toHaveCount(1);
        if (keys.length === 0) {
          await expect(row).not.toHaveAttribute('data-flagged');
          await expect(row.getByRole('cell').first()).toHaveText(t['check.flag.no']);
        } else {
          await expect(row).toHaveAttribute('data-flagged', /\S/);
          for (const key of keys) await expect(row, `port ${port}`).toContainText(t[key]);
        }
      }
      await expect(rowOf(page, t, 49160)).toContainText(t['check.flag.dynamic']);

      // 35150 is loopback-only, unregistered: its own row, not 3515's, and not flagged.
      const row35150 = rowOf(page, t, 35150);
      await expect(row35150).toContainText(t['check.scope.loopback']);
      await expect(row35150).not.toHaveAttribute('data-flagged');
      const entry35150 = await entryOf(request, 35150);
      await expect(row35150.getByRole('link', { name: '35150', exact: true })).toHaveAttribute(
        'href',
        entry35150 && !entry35150.localized ? entry35150.url : `${prefix}/ports/35150/`,
      );

      // Links: an article in the reader's language, a registry page in English (said so), all with Latin digits.
      await expect(rowOf(page, t, 3515).getByRole('link', { name: '3515', exact: true })).toHaveAttribute(
        'href',
        `${prefix}/ports/3515/`,
      );
      const ssh = rowOf(page, t, 22).getByRole('link', { name: '22', exact: true });
      await expect(ssh).toHaveAttribute('href', '/ports/22/');
      if (locale !== 'en') await expect(ssh).toHaveAttribute('hreflang', 'en');

      // Flagged rows come first.
      const flags = await table(page, t)
        .locator('tbody tr')
        .evaluateAll((rows) => rows.map((row) => row.hasAttribute('data-flagged')));
      expect(flags.indexOf(false)).toBeGreaterThan(flags.lastIndexOf(true));

      // The counts, in the locale's digits, announced by the status region.
      const protocols = await table(page, t)
        .locator('tbody tr td:nth-child(3)')
        .evaluateAll((cells) => cells.map((cell) => cell.textContent));
      const tcp = protocols.filter((p) => p === t['protocol.tcp']).length;
      const status = page.getByRole('status').filter({ hasText: formatCount(tcp, locale) });
      await expect(status).toContainText(formatCount(flags.length, locale));
      await expect(status).toContainText(formatCount(flags.filter(Boolean).length, locale));
      // The line it could not read is shown, not dropped.
      await expect(page.getByRole('region', { name: t['check.unread.title'] })).toContainText(JUNK);

      // Nothing left the page: every request went to this site, to read, and none carried the text.
      expect(page.url()).toMatch(new RegExp(`${prefix}/check/$`));
      const origin = new URL(page.url()).origin;
      for (const sent of requests) {
        expect(new URL(sent.url()).origin, sent.url()).toBe(origin);
        expect(sent.method(), sent.url()).toBe('GET');
        expect(sent.url()).not.toContain('29398');
      }
      const stored = await page.evaluate(() =>
        [localStorage, sessionStorage].flatMap((store) => Object.keys(store).map((key) => store.getItem(key))).join(),
      );
      expect(stored).not.toContain('29398');
    });

    test('while it reads a paste, the page requests nothing but this site’s lookup shards', async ({ page }) => {
      await page.goto(`${prefix}/check/`);
      await upgraded(page, 'check-commands');
      await expect(page.getByRole('tab')).toHaveCount(4);
      await upgraded(page, 'listener-check');
      // The first keystroke brings the reading code and the page's words.
      await box(page, t).fill(JUNK);
      await expect(page.getByRole('region', { name: t['check.unread.title'] })).toBeVisible();
      const requests = watch(page);
      await box(page, t).fill(SS);
      await expect(rowOf(page, t, 3515)).toBeVisible();
      const origin = new URL(page.url()).origin;
      expect(requests.length).toBeGreaterThan(0);
      for (const sent of requests) {
        const url = new URL(sent.url());
        expect(`${sent.method()} ${url.origin}`, sent.url()).toBe(`GET ${origin}`);
        expect(url.pathname, sent.url()).toMatch(/^\/lookup\/\d+\.json$/);
        expect(url.search).toBe('');
      }
    });
  });
}

test('typed from the keyboard, the table follows; Tab leads from the box to the first port', async ({ page }) => {
  await page.goto('/check/');
  await upgraded(page, 'listener-check');
  await box(page, en).focus();
  await page.keyboard.insertText(SS);
  await expect(table(page, en)).toBeVisible();
  const first = await table(page, en).locator('tbody tr th a').first().textContent();
  await page.keyboard.press('Tab');
  await expect(page.locator(':focus')).toHaveText(first!);
  // Emptying the box empties the results and the status.
  await box(page, en).fill('');
  await expect(table(page, en)).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: /\S/ })).toHaveCount(0);
});

test('Windows, PowerShell and macOS output pasted together is read line by line', async ({ page }) => {
  const read = (path: string) => readFileSync(join(import.meta.dirname, '../fixtures/listeners', path), 'utf8');
  await page.goto('/check/');
  await upgraded(page, 'listener-check');
  await box(page, en).fill(
    [read('windows/netstat-ano.txt'), read('powershell/select-object.txt'), read('macos/netstat-an.txt')].join('\n'),
  );
  // IPv4 and IPv6 sockets of one port are one row; TCP and UDP are separate rows.
  await expect(rowOf(page, en, 135)).toHaveCount(1);
  await expect(rowOf(page, en, 135)).toContainText('All interfaces');
  await expect(rowOf(page, en, 3521)).toContainText('UDP');
  await expect(rowOf(page, en, 5353)).toHaveCount(1);
  await expect(rowOf(page, en, 49159)).toContainText('Specific address');
  await expect(page.getByRole('region', { name: en['check.unread.title'] })).toHaveCount(0);
});

// Screenshots are for people to look at (test-results/screenshots/), not compared pixel by pixel.
for (const { locale, t } of LOCALES) {
  for (const width of [375, 1280]) {
    test(`${localePrefix(locale)}/check/ with results is readable at ${width} px, light and dark: no sideways scroll, no axe violations`, async ({
      page,
    }) => {
      test.slow();
      const dir = join(test.info().project.outputDir, 'screenshots');
      mkdirSync(dir, { recursive: true });
      await page.setViewportSize({ width, height: 900 });
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        await page.goto(`${localePrefix(locale)}/check/`);
        await upgraded(page, 'listener-check');
        await box(page, t).fill(`${SS}${JUNK}\n`);
        await expect(table(page, t)).toBeVisible();
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, colorScheme).toBeLessThanOrEqual(0);
        expect(await axeViolations(page), colorScheme).toEqual([]);
        await page.screenshot({ path: join(dir, `check-${locale}-${width}-${colorScheme}.png`), fullPage: true });
      }
    });
  }
}

test('in Persian the chrome is right-to-left and the commands, box and addresses left-to-right', async ({ page }) => {
  await page.goto('/fa/check/');
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await upgraded(page, 'listener-check');
  await box(page, fa).fill(SS);
  await expect(table(page, fa)).toBeVisible();
  for (const element of [box(page, fa), page.locator('pre').first(), rowOf(page, fa, 3515).locator('.addresses')]) {
    expect(await element.evaluate((e) => getComputedStyle(e).direction)).toBe('ltr');
  }
  await expect(page.locator('pre').first()).toHaveText(/^sudo ss -tulpn$/);
});

test('without JavaScript the page gives the commands, explains the output and links the port pages', async ({
  pageWithoutJs: page,
}) => {
  await page.goto('/check/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(en['check.title']);
  await expect(page.getByText(en['check.nojs'])).toBeVisible();
  await expect(page.getByText('sudo ss -tulpn')).toBeVisible();
  await expect(page.getByText('netstat -ano', { exact: true })).toBeVisible();
  const manual = page.getByRole('region', { name: en['check.manual'] });
  await expect(manual).toContainText('0.0.0.0:3515');
  await manual.getByRole('link', { name: '/ports/3515/' }).click();
  await expect(page).toHaveURL(/\/ports\/3515\/$/);
});

test('the home page and every port page’s check commands lead to /check/', async ({ page }) => {
  for (const path of ['/', '/ports/3520/', '/ports/3515/', '/fa/ports/3515/']) {
    await page.goto(path);
    const t = path.startsWith('/fa/') ? fa : en;
    await page.getByRole('link', { name: t['check.link'] }).click();
    await expect(page).toHaveURL(new RegExp(`${path.startsWith('/fa/') ? '/fa' : ''}/check/$`));
  }
});
