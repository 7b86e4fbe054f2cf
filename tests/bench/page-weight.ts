/**
 * First-load weight of built pages: the HTML plus every stylesheet and script it loads before the reader does
 * anything (no Pagefind, no lazy chunks), compressed as a server would send it.
 *
 *   node tests/bench/page-weight.ts [--budget 14336] [path ...]
 *
 * With --budget, exits 1 when any page's gzip total is over it. Paths are site paths (/ports/3515/); without
 * them, a representative set of pages is measured.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const CLIENT = resolve(import.meta.dirname, '../../dist');
const { values, positionals } = parseArgs({ options: { budget: { type: 'string' } }, allowPositionals: true });
const budget = values.budget === undefined ? undefined : Number(values.budget);
const paths = positionals.length > 0 ? positionals : ['/', '/ports/', '/ports/3515/', '/ports/3521/', '/404.html'];

if (!existsSync(CLIENT)) {
  console.error('No build in dist: run `npm run build` first.');
  process.exit(2);
}

function fileFor(path: string): string {
  return join(CLIENT, path.endsWith('/') ? `${path}index.html` : path);
}

/** Same-origin assets the page fetches on load: stylesheets, module scripts and their static imports. */
function eagerAssets(html: string): string[] {
  const found = new Set<string>();
  const add = (url: string) => {
    if (url.startsWith('/') && !url.startsWith('//')) found.add(url);
  };
  for (const m of html.matchAll(/<link\b[^>]*rel="(?:stylesheet|modulepreload)"[^>]*href="([^"]+)"/g)) add(m[1]!);
  for (const m of html.matchAll(/<script\b[^>]*src="([^"]+)"/g)) add(m[1]!);
  // Static imports inside inline or external modules are fetched at once too; dynamic import() is not.
  const queue = [...found];
  const inline = [...html.matchAll(/<script\b[^>]*type="module"[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  const scan = (code: string) => {
    for (const m of code.matchAll(/(?:^|[;\s])import\s*(?:[\w*{}\s,]+from\s*)?["']([^"']+)["']/g)) {
      const url = m[1]!;
      if (url.startsWith('/') && !found.has(url)) {
        found.add(url);
        queue.push(url);
      }
    }
  };
  inline.forEach(scan);
  while (queue.length > 0) {
    const url = queue.shift()!;
    if (url.endsWith('.js')) scan(readFileSync(join(CLIENT, url), 'utf8'));
  }
  return [...found];
}

const rows = paths.map((path) => {
  const html = readFileSync(fileFor(path));
  const assets = eagerAssets(html.toString('utf8'));
  const bodies = [html, ...assets.map((url) => readFileSync(join(CLIENT, url)))];
  const sum = (f: (b: Buffer) => number) => bodies.reduce((total, b) => total + f(b), 0);
  return {
    path,
    files: bodies.length,
    raw: sum((b) => b.length),
    gzip: sum((b) => gzipSync(b, { level: 9 }).length),
    brotli: sum((b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length),
  };
});

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
console.table(
  Object.fromEntries(
    rows.map((r) => [r.path, { files: r.files, raw: kb(r.raw), gzip: kb(r.gzip), brotli: kb(r.brotli) }]),
  ),
);
if (budget !== undefined) {
  const over = rows.filter((r) => r.gzip > budget);
  for (const r of over) console.error(`${r.path}: ${r.gzip} bytes gzip, over the budget of ${budget}`);
  console.log(over.length === 0 ? `All ${rows.length} pages within ${kb(budget)} gzip.` : '');
  process.exitCode = over.length === 0 ? 0 : 1;
}
