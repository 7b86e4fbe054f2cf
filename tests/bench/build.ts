/**
 * `npm run bench:build`: builds the full site (every registry page plus the search index) and prints pages,
 * seconds, pages per second, peak memory, index size and the compressed weight of a typical registry page.
 * Targets on a 2-core machine: ≤ 60 s, ≤ 2 GB peak RSS, a registry page ≤ 14 KB compressed.
 */
import { build } from 'astro';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT } from '../support/server.ts';

function sizeOf(dir: string): number {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0);
}

// Astro's own build API, in this process, so its peak memory is this process's (Pagefind's indexer is a
// separate binary and is not counted).
process.chdir(ROOT);
const started = performance.now();
await build({ root: ROOT, logLevel: 'warn' });
const seconds = (performance.now() - started) / 1000;
const peakKb = process.resourceUsage().maxRSS;

const client = join(ROOT, 'dist');
const pages = readdirSync(client, { recursive: true }).filter((name) => String(name).endsWith('.html')).length;
const registryPage = readFileSync(join(client, 'ports/3520/index.html'));
const css = [...registryPage.toString().matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g)].map((m) =>
  readFileSync(join(client, m[1]!)),
);
console.table({
  'HTML pages': pages,
  seconds: Number(seconds.toFixed(1)),
  'pages/s': Math.round(pages / seconds),
  'peak RSS MB (build process)': Math.round(peakKb / 1024),
  'search index MB': Number((sizeOf(join(client, 'pagefind')) / 1048576).toFixed(1)),
  'registry page HTML+CSS gzip KB': Number(
    ([registryPage, ...css].reduce((sum, b) => sum + gzipSync(b).length, 0) / 1024).toFixed(1),
  ),
});
