/**
 * `npm run bench:search`: time to first result and bytes fetched for a fixed list of queries, typed into the
 * header search of a built port page in Chromium. "Cold" is a fresh browser context (nothing cached, Pagefind
 * not loaded); "warm" is the next query on the same page. Needs a build (`npm run build`).
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

/** Types `query` and waits until the popup shows a result or a notice; returns ms and search bytes fetched. */
async function measure(page: Page, query: string, bytes: { n: number }) {
  const field = page.getByRole('combobox', { name: 'Search ports' });
  await field.fill('');
  await page.locator('site-search .popup').evaluate((el) => {
    el.setAttribute('hidden', '');
  });
  bytes.n = 0;
  const started = performance.now();
  await field.fill(query);
  await page.locator('site-search .popup:not([hidden])').waitFor();
  await page.waitForFunction(
    (q) =>
      (document.querySelector('#site-search-q') as HTMLInputElement).value === q &&
      !!document.querySelector('site-search [data-status]')?.textContent,
    query,
  );
  return { ms: performance.now() - started, bytes: bytes.n };
}

function track(page: Page, bytes: { n: number }) {
  page.on('response', async (response) => {
    if (!/\/(pagefind|lookup)\//.test(response.url())) return;
    try {
      bytes.n += (await response.body()).length;
    } catch {
      // A body that is gone (redirect, aborted) adds nothing.
    }
  });
}

const rows: Record<string, { 'cold ms': number; 'cold KB': number; 'warm ms': number; 'warm KB': number }> = {};
try {
  const warmContext = await browser.newContext();
  const warmPage = await warmContext.newPage();
  const warmBytes = { n: 0 };
  track(warmPage, warmBytes);
  await warmPage.goto(`${server.origin}/ports/3515/`);
  await measure(warmPage, 'port', warmBytes); // loads Pagefind once, so later queries are warm

  for (const query of QUERIES) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const bytes = { n: 0 };
    track(page, bytes);
    await page.goto(`${server.origin}/ports/3515/`);
    await page.waitForLoadState('networkidle');
    const cold = await measure(page, query, bytes);
    await context.close();
    const warm = await measure(warmPage, query, warmBytes);
    rows[query] = {
      'cold ms': Math.round(cold.ms),
      'cold KB': Number((cold.bytes / 1024).toFixed(1)),
      'warm ms': Math.round(warm.ms),
      'warm KB': Number((warm.bytes / 1024).toFixed(1)),
    };
  }
  await warmContext.close();
} finally {
  await browser.close();
  await server.stop();
}
console.log('Time from typing to first result (or notice), and search files fetched (uncompressed bytes):');
console.table(rows);
