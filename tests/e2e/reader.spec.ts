/**
 * Issue 14, "What a reader sees": ports that link to each other, an answer for every number, tables that fit a
 * phone, copy that reads right, and a screenshot set of every page type for review.
 */
import type { Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { en } from '../../src/i18n/en.ts';
import { MAX_PORT } from '../../src/lib/ports/number.ts';
import { DIST } from '../support/server.ts';
import {
  listSlug,
  builtPorts,
  NO_DOCUMENTED_PORT,
  portDocumentedByAnArticle,
  registryOnlyPort,
  serviceOf,
} from '../support/site-data.ts';
import { axeViolations, expect, test, upgraded } from './fixtures.ts';

const region = (page: Page, name: string) => page.getByRole('region', { name });
// Ports taken from the build (tests/support/site-data.ts), so that a new article never makes them wrong: a plain
// registry page, and a page without an article on which an article documents a use (3522, from the 3521 article).
const REGISTRY = registryOnlyPort();
const DOCUMENTED = portDocumentedByAnArticle();
/** "June 2002", as a page writes IANA's YYYY-MM. */
const month = (date: string) =>
  new Date(`${date.slice(0, 7)}-01T00:00:00Z`).toLocaleDateString('en', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
/** "3500–3599", as breadcrumbs and range headings write the page of a hundred that lists a port. */
const listLabel = (port: number) => listSlug(port).replace('-', '–');

test.describe('ports that link to each other', () => {
  test('a port an article documents a use on says it is in use, and links that article', async ({ page }) => {
    test.skip(!DOCUMENTED, NO_DOCUMENTED_PORT);
    const { port, use, article } = DOCUMENTED!;
    await page.goto(`/ports/${port}/`);
    await expect(region(page, 'Dormancy verdict')).toContainText('In use.');
    const mentions = region(page, 'In our articles');
    await expect(mentions.getByRole('link')).toHaveText([`${use}, documented in the article on port ${article}`]);
    await expect(mentions.getByRole('link')).toHaveAttribute('href', `/ports/${article}/`);
  });

  test('2592, Netrek’s registered game port, links the article that cites it', async ({ page }) => {
    await page.goto('/ports/2592/');
    await expect(region(page, 'In our articles').getByRole('link')).toHaveAttribute('href', '/ports/3521/');
  });

  test('the port numbers in an article’s use cards and text are links', async ({ page }) => {
    await page.goto('/ports/3521/');
    const card = page.getByRole('article', { name: 'Netrek metaserver' });
    const use = builtPorts()
      .find((p) => p.port === 3521)!
      .uses!.find((u) => u.name === 'Netrek metaserver')!;
    expect(use.ports.length).toBeGreaterThan(1);
    for (const port of use.ports.map(String)) {
      await expect(card.getByRole('link', { name: port, exact: true })).toHaveAttribute('href', `/ports/${port}/`);
    }
    const prose = page.locator('.prose');
    await expect(prose.getByRole('link', { name: '2592', exact: true })).toHaveAttribute('href', '/ports/2592/');
  });

  test('every port page links the ports either side and its block', async ({ page }) => {
    await page.goto('/ports/3521/');
    const nearby = page.getByRole('navigation', { name: 'Nearby ports' });
    const ports = builtPorts();
    const at = ports.findIndex((p) => p.port === 3521);
    const [prev, next] = [ports[at - 1]!, ports[at + 1]!];
    await expect(nearby.locator('a[rel="prev"]')).toHaveAttribute('href', `/ports/${prev.port}/`);
    if (!prev.article) await expect(nearby.locator('a[rel="prev"]')).toContainText(serviceOf(prev.port));
    await expect(nearby.locator('a[rel="next"]')).toHaveAttribute('href', `/ports/${next.port}/`);
    await expect(nearby.getByRole('link', { name: 'Ports 3500–3599' })).toHaveAttribute(
      'href',
      '/ports/range/3500-3599/',
    );
    await nearby.locator('a[rel="next"]').click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^Port 3522: /);
  });

  test('IANA’s references link their RFCs, and its multi-line notes keep their lines (port 63)', async ({ page }) => {
    await page.goto('/ports/63/');
    const notes = region(page, 'Registration').locator('dd.notes').first();
    await expect(notes).toBeVisible();
    expect(await notes.evaluate((dd) => getComputedStyle(dd).whiteSpace)).toBe('pre-line');
    const lines = await notes.evaluate((dd) => {
      const range = document.createRange();
      range.selectNodeContents(dd);
      return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    });
    expect(lines).toBeGreaterThanOrEqual(2);
    await page.goto('/ports/80/');
    await expect(region(page, 'Registration').getByRole('link', { name: 'RFC 9110' }).first()).toHaveAttribute(
      'href',
      /rfc-editor\.org\/rfc\/rfc9110/,
    );
  });

  test('a page of a hundred where IANA lists nothing says which range it is in, not an empty table', async ({
    page,
  }) => {
    await page.goto(`/ports/range/${listSlug(MAX_PORT)}/`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Ports ${listSlug(MAX_PORT).replace('-', '–')}`);
    await expect(page.getByText(en['range.dynamic.explain'])).toBeVisible();
    await expect(page.getByRole('table')).toHaveCount(0);
    await expect(page.getByRole('group', { name: en['range.filter'] })).toHaveCount(0);
    expect(await axeViolations(page)).toEqual([]);
  });

  test('the JSON of every port is linked from every page and from its block', async ({ page, request }) => {
    await page.goto('/ports/range/3000-3999/');
    const json = page.getByRole('link', { name: 'The block’s facts as JSON.' });
    await expect(json).toHaveAttribute('href', '/ports/range/3000-3999.json');
    // A page of a hundred links the JSON of the block of 1,000 it is part of.
    await page.goto('/ports/range/3500-3599/');
    const blockJson = page.getByRole('link', { name: 'Ports 3000–3999 as JSON.' });
    await expect(blockJson).toHaveAttribute('href', '/ports/range/3000-3999.json');
    // A sentence of its own after the count, not run into it ("registry.Ports").
    await expect(page.getByRole('paragraph').filter({ has: blockJson })).toContainText(
      /registry\. Ports 3000–3999 as JSON\.$/,
    );
    const block = (await (await request.get('/ports/range/3000-3999.json')).json()) as { ports: { port: number }[] };
    expect(block.ports.map((p) => p.port)).toContain(3515);
    // The old one-port address still answers, from the block, on this server.
    const one = (await (await request.get('/ports/3515.json')).json()) as { port: number; article: unknown };
    expect(one.port).toBe(3515);
    expect(one.article).toBeTruthy();
    await expect(page.getByRole('contentinfo').getByRole('link', { name: 'Every port as JSON' })).toBeVisible();
  });
});

/**
 * A number IANA lists as unassigned and the build gives no page (known uses give some numbers one), and the first
 * number of its unassigned stretch, from the lookup shard the answer itself is read from.
 */
const UNASSIGNED = (() => {
  // User ports only (the assertions name that range), from 1024 up.
  for (let shardNo = 11; shardNo < 491; shardNo++) {
    const shard = JSON.parse(readFileSync(join(DIST, `lookup/${shardNo}.json`), 'utf8')) as {
      entries: Record<string, unknown>;
      gaps: [number, number, string][];
    };
    for (const [first, last, status] of shard.gaps) {
      if (status !== 'unassigned') continue;
      for (let port = first; port <= last; port++) {
        if (shard.entries[port]) continue;
        const list = Math.floor(port / 100) * 100;
        return { port, gap: first, block: `${list}–${list + 99}`, slug: `${list}-${list + 99}` };
      }
    }
  }
  throw new Error('no unassigned user port without a page');
})();

test.describe('an answer for every number', () => {
  test('an unassigned number gets its range, IANA’s status, check commands and the feedback widget', async ({
    page,
    consoleErrors,
  }) => {
    consoleErrors.allow(/status of 404/);
    // The production server answers every number: 200, with the answer already in the page.
    const response = await page.goto(`/ports/${UNASSIGNED.port}/`);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Port ${UNASSIGNED.port}`);
    await expect(page).toHaveTitle(`Port ${UNASSIGNED.port} · Dormant Ports`);
    await expect(page.locator('[data-lead]')).toHaveText(
      `IANA lists port ${UNASSIGNED.port} as unassigned: no service is registered on it, so it has no page of its own here.`,
    );
    const facts = page.locator('.number-facts');
    await expect(facts).toContainText('User ports 1024–49151');
    await expect(facts).toContainText('Unassigned');
    await expect(facts.getByRole('link', { name: `Ports ${UNASSIGNED.block}` })).toHaveAttribute(
      'href',
      `/ports/range/${UNASSIGNED.slug}/`,
    );
    await expect(
      facts
        .getByRole('link')
        .filter({ hasText: /^Port \d+/ })
        .first(),
    ).toBeVisible();
    const crumbs = page.getByRole('navigation', { name: 'Breadcrumbs' });
    await expect(crumbs.getByRole('listitem')).toHaveText([
      'Home',
      'Ports',
      UNASSIGNED.block,
      `Port ${UNASSIGNED.port}`,
    ]);

    await upgraded(page, 'check-commands');
    await page.getByRole('tab', { name: 'Linux' }).click();
    await expect(page.getByRole('tabpanel', { name: 'Linux' })).toContainText(
      `sudo ss -tulnp 'sport = :${UNASSIGNED.port}'`,
    );

    await upgraded(page, 'feedback-widget');
    const posted = page.waitForRequest((r) => r.url().endsWith('/api/feedback') && r.method() === 'POST');
    await page
      .getByRole('region', { name: 'Was this page helpful?' })
      .getByRole('button', { name: 'Helpful', exact: true })
      .click();
    expect((await posted).postDataJSON()).toMatchObject({ port: UNASSIGNED.port, rating: 'helpful', locale: 'en' });
    expect(await axeViolations(page)).toEqual([]);
  });

  test('without JavaScript the same address answers, and leads to the number on its range page', async ({
    pageWithoutJs: page,
  }) => {
    const response = await page.goto(`/ports/${UNASSIGNED.port}/`);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Port ${UNASSIGNED.port}`);
    await page
      .locator('.number-facts')
      .getByRole('link', { name: `Ports ${UNASSIGNED.block}` })
      .click();
    await expect(page.locator(`#gap-${UNASSIGNED.gap}`)).toContainText('Unassigned');
  });

  test('in Persian the answer is in Persian, and a registry-only port points to its English page', async ({
    page,
    consoleErrors,
  }) => {
    consoleErrors.allow(/status of 404/);
    await page.goto(`/fa/ports/${UNASSIGNED.port}/`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`درگاه ${UNASSIGNED.port}`);
    await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
    await page.goto(`/fa/ports/${REGISTRY}/`);
    await expect(page.locator('main a[hreflang="en"]')).toHaveAttribute('href', `/ports/${REGISTRY}/`);
  });
});

test.describe('tables on a phone', () => {
  for (const path of ['/ports/', '/ports/range/3000-3999/', '/ports/range/3500-3599/', '/ports/dormant/']) {
    test(`${path} is readable at 320 px: no sideways scroll, every port number on screen`, async ({ page }) => {
      await page.setViewportSize({ width: 320, height: 700 });
      await page.goto(path);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      for (const table of await page.locator('main table').all()) {
        const box = await table.boundingBox();
        expect(box!.x + box!.width).toBeLessThanOrEqual(320);
        const first = table.locator('tbody th').first();
        const cell = await first.boundingBox();
        expect(cell!.x).toBeGreaterThanOrEqual(0);
        expect(cell!.x + cell!.width).toBeLessThanOrEqual(320);
      }
    });
  }

  test('a service name never breaks at its hyphen (must-backplane)', async ({ page }) => {
    await page.setViewportSize({ width: 320, height: 700 });
    await page.goto('/ports/');
    const name = page.locator('main table code', { hasText: 'must-backplane' }).first();
    const lines = await name.evaluate((code) => code.getClientRects().length);
    expect(lines).toBe(1);
  });
});

test.describe('copy and detail', () => {
  test('a full registration date reads “on 31 July 2012”, a month “in June 2002”', async ({ page }) => {
    await page.goto('/ports/271/');
    await expect(page.locator('meta[name="description"]')).toHaveAttribute(
      'content',
      /[Rr]egistered with IANA on 31 July 2012/,
    );
    await page.goto(`/ports/${REGISTRY}/`);
    const registered = builtPorts().find((p) => p.port === REGISTRY)!.registry[0]!.registered!;
    await expect(page.locator('.lead')).toContainText(new RegExp(`[Rr]egistered with IANA in ${month(registered)}`));
  });

  test('the search result for 22 names ssh once, without doubled brackets', async ({ page }) => {
    await page.goto('/');
    await page.locator('#site-search-q').fill('22');
    const first = page.getByRole('listbox', { name: 'Search results' }).getByRole('option').first();
    await expect(first).toContainText('Port 22 — ssh: The Secure Shell (SSH) Protocol');
  });

  test('the home page’s heading and lead say different things', async ({ page }) => {
    await page.goto('/');
    const heading = await page.getByRole('heading', { level: 1 }).textContent();
    const lead = await page.locator('.home-lead').textContent();
    expect(lead).not.toContain(heading!.trim());
    expect(lead!.split(' ')[0]).not.toBe(heading!.split(' ')[0]);
  });

  test('an article shows one status, and its range as a labelled line, not a second chip', async ({ page }) => {
    await page.goto('/ports/3521/');
    const header = page.getByRole('article').locator('header').first();
    await expect(header.locator('.status-badge')).toHaveCount(1);
    await expect(header.locator('.range')).toHaveText(/^Range: User ports 1024–49151/);
  });

  test('a registry page links the guide to writing the port up', async ({ page }) => {
    await page.goto('/ports/5432/');
    const note = region(page, 'Not written up yet');
    await expect(note).toContainText('Nobody has written up port 5432 yet');
    await note.getByRole('link', { name: 'How to add a port page' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Adding a port page');
  });

  test('breadcrumbs start at Home on every kind of page', async ({ page, consoleErrors }) => {
    consoleErrors.allow(/status of 404/);
    for (const [path, trail] of [
      ['/ports/', ['Home', 'Ports']],
      ['/ports/3515/', ['Home', 'Ports', '3500–3599', 'Port 3515']],
      [`/ports/${REGISTRY}/`, ['Home', 'Ports', listLabel(REGISTRY), `Port ${REGISTRY}`]],
      ['/ports/range/3000-3999/', ['Home', 'Ports', '3000–3999']],
      ['/ports/range/3500-3599/', ['Home', 'Ports', '3000–3999', '3500–3599']],
      ['/ports/dormant/', ['Home', 'Ports', 'Likely dormant registrations']],
      ['/about/data/', ['Home', 'About the site', 'Where the data comes from']],
    ] as const) {
      await page.goto(path);
      await expect(page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('listitem'), path).toHaveText([
        ...trail,
      ]);
    }
  });

  test('the header leads to the sections, the footer to the pages about the site', async ({ page }) => {
    await page.goto('/ports/3515/');
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link')).toHaveText([
      'Ports',
      'Likely dormant',
      'Search',
    ]);
    expect(await page.getByRole('contentinfo').getByRole('link').count()).toBeGreaterThanOrEqual(5);
  });

  test('on a phone the system tabs fit one row and PowerShell commands wrap only between words', async ({ page }) => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto('/ports/3515/');
    await upgraded(page, 'check-commands');
    const tabs = page.getByRole('tab');
    // The element draws its tabs once its stylesheet has arrived.
    await expect(tabs).toHaveCount(4);
    const tops = new Set(await tabs.evaluateAll((all) => all.map((t) => Math.round(t.getBoundingClientRect().top))));
    expect(tops.size).toBe(1);
    await page.getByRole('tab', { name: 'PowerShell' }).click();
    const code = page.getByRole('tabpanel', { name: 'PowerShell' }).locator('pre').first();
    // Every word of the command sits on one line: no line break inside "Get-NetTCPConnection".
    const split = await code.evaluate((element) => {
      const broken: string[] = [];
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      for (let text = walker.nextNode(); text; text = walker.nextNode()) {
        for (const word of (text.textContent ?? '').matchAll(/\S+/g)) {
          const range = document.createRange();
          range.setStart(text, word.index);
          range.setEnd(text, word.index + word[0].length);
          if (new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1) broken.push(word[0]);
        }
      }
      return broken;
    });
    expect(split).toEqual([]);
  });
});

// Not compared pixel by pixel: saved for people to look at (test-results/screenshots/, see CONTRIBUTING.md).
test.describe('screenshots for review', () => {
  const pages = [
    ['home', '/'],
    ['article', '/ports/3521/'],
    ['registry', `/ports/${REGISTRY}/`],
    ['range', '/ports/range/3500-3599/'],
    ['search', '/search/?q=netrek+game'],
    ['number', `/ports/${UNASSIGNED.port}/`],
    ['article-fa', '/fa/ports/3515/'],
    ['article-bg', '/bg/ports/3521/'],
  ] as const;
  for (const width of [375, 1280]) {
    test(`every page type at ${width} px, light and dark`, async ({ page, consoleErrors }) => {
      test.slow();
      consoleErrors.allow(/status of 404/);
      const dir = join(test.info().project.outputDir, 'screenshots');
      mkdirSync(dir, { recursive: true });
      await page.setViewportSize({ width, height: 900 });
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        for (const [name, path] of pages) {
          await page.goto(path);
          if (name === 'search') await expect(page.locator('search-page li').first()).toBeVisible();
          await page.screenshot({ path: join(dir, `${name}-${width}-${colorScheme}.png`), fullPage: true });
        }
        // The header search with its list open.
        await page.goto('/ports/');
        await page.locator('#site-search-q').fill('mysql');
        await expect(page.getByRole('option').first()).toBeVisible();
        await page.screenshot({ path: join(dir, `search-dropdown-${width}-${colorScheme}.png`) });
      }
    });
  }
});
