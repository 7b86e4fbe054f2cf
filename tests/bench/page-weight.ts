/**
 * `npm run bench:weight`: what a first visit to each kind of page costs on the wire, measured against the real
 * production server over HTTP/1.1: the HTML plus every stylesheet and script it loads before the reader does
 * anything (lazy chunks, Pagefind and the favicon aside), status line and headers included, bodies as the
 * server sends them to a browser that accepts Brotli (after its thorough compression has replaced the quick one).
 *
 *   node tests/bench/page-weight.ts [--budget 10000] [--requests 3] [--round-trip 14600] [path ...]
 *
 * With a budget, exits 1 when any page is over it (bytes, or requests). Without paths, it measures an article,
 * a registry page, the home page, the search page, the /check/ page and the registry's change pages (/changes/ and its largest
 * month) in every locale (a registry-only port has its English page only, so the translated rows use the
 * article and the range page instead; a port that lost its service, such as 47, is a registry page too), plus a
 * range page and a 404.
 * The longest article (3521) is held to --round-trip instead when given: what fits in a first TCP round trip
 * (an initial window of 10 segments of 1,460 bytes, RFC 6928). In Persian or Bulgarian chrome it is about 600
 * bytes over 10,000, all of it the article's own text and the translated words around it.
 */
import { readdirSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LOCALES, localePrefix } from '../../src/i18n/locales.ts';
import { DIST, startServer } from '../support/server.ts';
import { registryOnlyPort } from '../support/site-data.ts';

const { values, positionals } = parseArgs({
  options: { budget: { type: 'string' }, requests: { type: 'string' }, 'round-trip': { type: 'string' } },
  allowPositionals: true,
});
const budget = values.budget === undefined ? undefined : Number(values.budget);
const maxRequests = values.requests === undefined ? undefined : Number(values.requests);
const roundTrip = values['round-trip'] === undefined ? undefined : Number(values['round-trip']);

/** The page kinds the budget is for, in every locale; the others are printed for information. */
const BUDGETED = ['article', 'registry', 'home', 'search', 'check', 'changes', 'change month'];

/** The month with the most changes in the build, `/changes/YYYY/MM/`: the heaviest page of its kind. */
function largestMonth(): string {
  const root = join(DIST, 'changes');
  const months = readdirSync(root)
    .filter((year) => /^\d{4}$/.test(year))
    .flatMap((year) => readdirSync(join(root, year)).map((month) => `${year}/${month}`));
  const size = (month: string) => statSync(join(root, month, 'index.html')).size;
  return `/changes/${months.sort((a, b) => size(b) - size(a))[0]!}/`;
}
const pages =
  positionals.length > 0
    ? positionals.map((path) => ({ kind: 'page', path }))
    : [
        ...LOCALES.flatMap((locale) => {
          const p = localePrefix(locale);
          return [
            { kind: 'article', path: `${p}/ports/3515/` },
            { kind: 'long article', path: `${p}/ports/3521/` },
            ...(locale === 'en'
              ? [
                  { kind: 'registry', path: `/ports/${registryOnlyPort()}/` },
                  { kind: 'registry', path: '/ports/80/' },
                ]
              : []),
            { kind: 'home', path: `${p}/` },
            { kind: 'search', path: `${p}/search/` },
            { kind: 'check', path: `${p}/check/` },
            { kind: 'changes', path: `${p}/changes/` },
            { kind: 'change month', path: `${p}${largestMonth()}` },
          ];
        }),
        { kind: 'registry', path: '/ports/47/' },
        { kind: 'range', path: '/ports/range/3000-3999/' },
        { kind: '404', path: '/ports/5938/' },
      ];

interface Fetched {
  status: number;
  /** Status line and headers as they crossed the wire. */
  headBytes: number;
  bodyBytes: number;
  body: Buffer;
  encoding: string | undefined;
}

function get(origin: string, path: string): Promise<Fetched> {
  return new Promise((done, fail) => {
    const req = request(`${origin}${path}`, { headers: { 'Accept-Encoding': 'br, gzip' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const lines = [`HTTP/1.1 ${res.statusCode} ${res.statusMessage}`];
        for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
        const body = Buffer.concat(chunks);
        done({
          status: res.statusCode ?? 0,
          headBytes: Buffer.byteLength(`${lines.join('\r\n')}\r\n\r\n`),
          bodyBytes: body.length,
          body,
          encoding: res.headers['content-encoding'],
        });
      });
    });
    req.on('error', fail);
    req.end();
  });
}

/** The server compresses a file quickly first and thoroughly a moment later; measure what it settles on. */
async function settled(origin: string, path: string): Promise<Fetched> {
  let last = await get(origin, path);
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const next = await get(origin, path);
    if (next.bodyBytes === last.bodyBytes && i >= 2) return next;
    last = next;
  }
  return last;
}

async function decoded(page: Fetched): Promise<string> {
  const { brotliDecompressSync, gunzipSync } = await import('node:zlib');
  if (page.encoding === 'br') return brotliDecompressSync(page.body).toString('utf8');
  if (page.encoding === 'gzip') return gunzipSync(page.body).toString('utf8');
  return page.body.toString('utf8');
}

/** Stylesheets and module scripts the page asks for at once (dynamic import() is not fetched up front). */
function eagerAssets(html: string): string[] {
  const found = new Set<string>();
  for (const m of html.matchAll(/<link\b[^>]*rel="(?:stylesheet|modulepreload|preload)"[^>]*href="([^"]+)"/g)) {
    found.add(m[1]!);
  }
  for (const m of html.matchAll(/<script\b[^>]*src="([^"]+)"/g)) found.add(m[1]!);
  return [...found].filter((url) => url.startsWith('/') && !url.startsWith('//'));
}

/** Static imports of a module are fetched with it. */
function staticImports(code: string): string[] {
  return [...code.matchAll(/(?:^|[;\s}])import\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+)["']/g)]
    .map((m) => m[1]!)
    .filter((url) => url.startsWith('/') || url.startsWith('./'));
}

const server = await startServer();
try {
  const rows = [];
  let failed = false;
  for (const { kind, path } of pages) {
    const page = await settled(server.origin, path);
    const html = await decoded(page);
    const queue = eagerAssets(html);
    const seen = new Set(queue);
    const parts: (Fetched & { url: string })[] = [{ url: path, ...page }];
    while (queue.length > 0) {
      const url = queue.shift()!;
      const asset = await settled(server.origin, url);
      parts.push({ url, ...asset });
      if (url.endsWith('.js')) {
        for (const imported of staticImports(await decoded(asset))) {
          const absolute = new URL(imported, `http://x${url}`).pathname;
          if (!seen.has(absolute)) {
            seen.add(absolute);
            queue.push(absolute);
          }
        }
      }
    }
    const sum = (pick: (p: Fetched & { url: string }) => number) => parts.reduce((total, p) => total + pick(p), 0);
    const bytes = sum((p) => p.headBytes + p.bodyBytes);
    const limit = kind === 'long article' ? (roundTrip ?? budget) : BUDGETED.includes(kind) ? budget : undefined;
    const over =
      (kind === 'long article' || BUDGETED.includes(kind)) &&
      ((limit !== undefined && bytes > limit) || (maxRequests !== undefined && parts.length > maxRequests));
    failed ||= over;
    rows.push({
      page: path,
      kind,
      status: page.status,
      requests: parts.length,
      'HTML B': page.headBytes + page.bodyBytes,
      'CSS B': sum((p) => (p.url.endsWith('.css') ? p.headBytes + p.bodyBytes : 0)),
      'JS B': sum((p) => (p.url.endsWith('.js') ? p.headBytes + p.bodyBytes : 0)),
      'headers B': sum((p) => p.headBytes),
      'total B': bytes,
      ...(budget !== undefined ? { budget: over ? 'OVER' : limit === undefined ? '' : `ok (≤ ${limit})` } : {}),
    });
  }
  console.table(rows);
  if (budget !== undefined || maxRequests !== undefined) {
    console.log(
      failed
        ? `Over budget: a first load must be at most ${budget ?? '∞'} B (the longest article ${roundTrip ?? budget ?? '∞'} B) in at most ${maxRequests ?? '∞'} requests.`
        : `Every budgeted page is within ${budget ?? '∞'} B (the longest article ${roundTrip ?? budget ?? '∞'} B) and ${maxRequests ?? '∞'} requests.`,
    );
  }
  process.exitCode = failed ? 1 : 0;
} finally {
  await server.stop();
}
