/**
 * `npm run bench:search`: time to first result and bytes fetched for a fixed list of queries, typed into the
 * header search of a built port page in Chromium. "Cold" is a fresh browser context (nothing cached: the search
 * script, Pagefind and its index all load after the reader focuses the field); "warm" is the next query on a page
 * that has searched before. The times are from the last keystroke; the field waits DEBOUNCE_MS (120 ms) after
 * it before it searches, so the search's own time is printed beside it. Bytes are what crossed the wire for the
 * query: headers and bodies as sent, of the search script, Pagefind, its index and the lookup shards.
 * Targets (issue 16): a service name ≤ 300 ms cold and ≤ 50 ms warm, not counting the debounce. Needs a build.
 */
import { chromium, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { startServer } from '../support/server.ts';

const QUERIES = [
  '3515',
  'udp 3521',
  '3516',
  '70000',
  'mc3ss',
  'must-backplane',
  'Netrek',
  'Kwbot',
  'netrek metaserver directory',
  'xylophonequartz',
];

const executablePath = existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
const server = await startServer();
const browser = await chromium.launch(executablePath ? { executablePath } : {});

const DEBOUNCE_MS = 120;

/** Types `query` and waits until the popup shows a result or a notice; returns ms and search bytes fetched. */
async function measure(page: Page, query: string, bytes: { n: number }) {
  const field = page.locator('#site-search-q');
  await field.fill('');
  // The status line says what was found once the results are shown (src/scripts/site-search.ts).
  await page.evaluate(() => {
    const status = document.querySelector('site-search [role="status"]');
    if (status) status.textContent = '';
  });
  bytes.n = 0;
  const started = performance.now();
  await field.fill(query);
  await page.waitForFunction(() => !!document.querySelector('site-search [role="status"]')?.textContent, null, {
    polling: 'raf',
  });
  return { ms: performance.now() - started, bytes: bytes.n };
}

function track(page: Page, bytes: { n: number }) {
  page.on('requestfinished', async (request) => {
    if (!/\/(pagefind|lookup|_astro)\/|\/i18n\//.test(request.url())) return;
    const sizes = await request.sizes().catch(() => undefined);
    if (sizes) bytes.n += sizes.responseHeadersSize + sizes.responseBodySize;
  });
}

const rows: Record<string, Record<string, number>> = {};
try {
  const warmContext = await browser.newContext();
  const warmPage = await warmContext.newPage();
  const warmBytes = { n: 0 };
  track(warmPage, warmBytes);
  await warmPage.goto(`${server.origin}/ports/3515/`);
  await warmPage.locator('#site-search-q').focus();
  await measure(warmPage, 'port', warmBytes); // loads Pagefind once, so later queries are warm

  for (const query of QUERIES) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const bytes = { n: 0 };
    track(page, bytes);
    await page.goto(`${server.origin}/ports/3515/`);
    await page.waitForLoadState('networkidle');
    await page.locator('#site-search-q').focus();
    const cold = await measure(page, query, bytes);
    await context.close();
    const warm = await measure(warmPage, query, warmBytes);
    rows[query] = {
      'cold ms': Math.round(cold.ms),
      'cold ms − debounce': Math.round(cold.ms - DEBOUNCE_MS),
      'cold KB': Number((cold.bytes / 1024).toFixed(1)),
      'warm ms': Math.round(warm.ms),
      'warm ms − debounce': Math.round(warm.ms - DEBOUNCE_MS),
      'warm KB': Number((warm.bytes / 1024).toFixed(1)),
    };
  }
  await warmContext.close();
} finally {
  await browser.close();
  await server.stop();
}
console.log(
  `From the last keystroke to the first result (or notice), with and without the ${DEBOUNCE_MS} ms debounce, and the KB on the wire for it:`,
);
console.table(rows);
console.log('Targets: a service name ≤ 300 ms cold and ≤ 50 ms warm, without the debounce (printed, not enforced).');
