/**
 * Port numbers through the production server (issue 24, findings 3 and 4): every number has a page that answers
 * 200 with its answer in the HTML, in every locale, and a form sent without JavaScript lands on the port it names.
 * Which ports have pages and articles is read from the build (dist/ports.json), never assumed.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { listOf } from '../../src/lib/ports/range.ts';
import { DIST, startServer, type RunningServer } from '../support/server.ts';

let server: RunningServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});

const get = (path: string, init: RequestInit = {}) => fetch(`${server.origin}${path}`, { redirect: 'manual', ...init });

const built = (
  JSON.parse(readFileSync(join(DIST, 'ports.json'), 'utf8')) as { ports: { port: number; article?: unknown }[] }
).ports;
const pages = new Set(built.map((entry) => entry.port));
/** The first number from `from` up without a page of its own. */
function withoutPage(from: number): number {
  let n = from;
  while (pages.has(n)) n++;
  return n;
}
/** The edges the reader audit tried, each moved to the nearest number without a page where it has one. */
const NUMBERS = [...new Set([0, 1023, 60000, 65535].map((n) => (pages.has(n) ? withoutPage(n) : n)))].filter(
  (n) => n <= 65535,
);
const article = built.find((entry) => entry.article)!.port;
const registryOnly = built.find(
  (entry) => !entry.article && !existsSync(join(DIST, 'fa', 'ports', String(entry.port))),
)!.port;

describe('a number without a page', () => {
  for (const port of NUMBERS) {
    test(`/ports/${port}/ answers 200 with the number's answer in the HTML, as it reads without JavaScript`, async () => {
      assert.equal(existsSync(join(DIST, 'ports', String(port), 'index.html')), false);
      const response = await get(`/ports/${port}/`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
      const html = await response.text();
      assert.match(html, new RegExp(`<h1 id="title">Port ${port}</h1>`));
      assert.match(html, new RegExp(`<title>Port ${port} · `));
      assert.match(html, /<p class="lead" data-lead>[^<]+<\/p>/);
      assert.match(html, /<dd data-status>[^<]+<\/dd>/);
      // The page's script has nothing to add, so nothing moves as it loads.
      assert.match(html, /<number-answer data-answered /);
      // Nothing left to fill after the element's settings (which keep their templates for the script).
      assert.doesNotMatch(html.slice(html.indexOf('data-home')), /<template>|data-fallback|\{port\}|\{first\}/);
      // The check commands are in the page, for this number.
      assert.match(html, new RegExp(`<code>[^<]*${port}[^<]*</code>`));
      // Its block's page is linked, and exists.
      const { first, last } = listOf(port);
      assert.ok(html.includes(`href="/ports/range/${first}-${last}/"`));
      assert.ok(existsSync(join(DIST, 'ports', 'range', `${first}-${last}`, 'index.html')));
    });
  }

  test('the answer is in each locale, in its language', async () => {
    const port = NUMBERS.at(-1)!;
    for (const locale of ['fa', 'bg']) {
      const response = await get(`/${locale}/ports/${port}/`);
      assert.equal(response.status, 200);
      const html = await response.text();
      assert.match(html, new RegExp(`<html lang="${locale}"`));
      assert.match(html, /<number-answer data-answered /);
      assert.ok(html.includes(`href="/${locale}/ports/range/${listOf(port).slug}/"`));
    }
  });

  test('a translated address of a port whose page is English only says so and links the English page', async () => {
    const response = await get(`/fa/ports/${registryOnly}/`);
    assert.equal(response.status, 200);
    const html = await response.text();
    assert.ok(html.includes(`<a href="/ports/${registryOnly}/" hreflang="en">`), html.slice(0, 300));
  });

  test('HEAD has GET’s headers, and the validator answers 304', async () => {
    const path = `/ports/${NUMBERS[0]!}/`;
    const headers = { 'Accept-Encoding': 'br' };
    const [head, full] = await Promise.all([get(path, { method: 'HEAD', headers }), get(path, { headers })]);
    assert.equal(head.headers.get('content-length'), full.headers.get('content-length'));
    assert.equal(head.headers.get('etag'), full.headers.get('etag'));
    assert.equal(full.headers.get('content-encoding'), 'br');
    assert.ok(full.headers.get('content-security-policy'));
    const again = await get(path, { headers: { ...headers, 'If-None-Match': full.headers.get('etag')! } });
    assert.equal(again.status, 304);
  });

  for (const path of [
    '/ports/65536/',
    '/ports/022/',
    '/ports/abc/',
    '/fa/ports/nope/',
    '/no-such-page/',
    '/xx/ports/22/',
  ]) {
    test(`${path} is still the 404 page`, async () => {
      assert.equal((await get(path)).status, 404);
    });
  }
});

describe('forms sent without JavaScript', () => {
  const portOf = (location: string | null) => location && new URL(location, server.origin).pathname;
  const cases: [path: string, location: string][] = [
    [`/search/?q=${article}`, `/ports/${article}/`],
    [`/fa/search/?q=${article}`, `/fa/ports/${article}/`],
    [`/search/?q=port+${article}%2Ftcp`, `/ports/${article}/`],
    [`/search/?q=${NUMBERS[0]!}`, `/ports/${NUMBERS[0]!}/`],
    [`/bg/search/?q=${NUMBERS[0]!}`, `/bg/ports/${NUMBERS[0]!}/`],
    // A registry-only page is English: the search box opens it too.
    [`/fa/search/?q=${registryOnly}`, `/ports/${registryOnly}/`],
    [`/ports/?port=${article}`, `/ports/${article}/`],
    [`/fa/ports/?port=${article}`, `/fa/ports/${article}/`],
    // Names the names index is sure of (src/lib/search/names.ts), as the header search pre-selects them.
    ['/search/?q=dns', '/ports/53/'],
    ['/search/?q=ssh+22', '/ports/22/'],
    ['/search/?q=remote+desktop', '/ports/3389/'],
  ];
  for (const [path, location] of cases) {
    test(`${path} is redirected to ${location}`, async () => {
      const response = await get(path);
      assert.equal(response.status, 303);
      assert.equal(portOf(response.headers.get('location')), location);
      assert.equal(response.headers.get('cache-control'), 'no-cache');
    });
  }

  for (const path of [
    '/search/?q=backplane',
    '/search/?q=corosync',
    `/search/?q=${article}&status=in-use`,
    '/search/?q=70000',
    '/search/',
    '/ports/?port=abc',
    '/ports/',
  ]) {
    test(`${path} is the page as built`, async () => {
      assert.equal((await get(path)).status, 200);
    });
  }
});
