/**
 * The second step of `npm run build`: the Pagefind search index of the build in dist/ (or the folder given),
 * made after `astro build` has finished (src/integrations/pagefind.ts says why).
 *
 *   node src/cli/search-index.ts [dist]
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { indexSite } from '../integrations/pagefind.ts';

const site = resolve(process.argv[2] ?? 'dist');
if (!existsSync(resolve(site, 'index.html'))) {
  console.error(`search-index: no build in ${site}; run \`astro build\` first.`);
  process.exit(1);
}
const started = performance.now();
try {
  const { pages, stripped } = await indexSite(site);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`search-index: indexed ${pages} pages in ${seconds} s; took the index-only markup out of ${stripped}`);
} catch (error) {
  console.error(`search-index: ${(error as Error).message}`);
  process.exit(1);
}
