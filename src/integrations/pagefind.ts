/**
 * The Pagefind search index, made from a finished build (dist/) so it can never be older than the pages: Pagefind
 * reads the pages' `data-pagefind-*` markup and writes dist/pagefind/. Then the markup is taken out of the pages:
 * only the indexer reads it, and every reader would download it (about 110 bytes of a port page's first load).
 * It runs as its own step after `astro build` (`npm run build`), not inside it: Pagefind's process then no
 * longer adds its memory to the build's at its peak.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as pagefind from 'pagefind';

/** The hidden holder of a page's meta fields and filters (src/layouts/PortLayout.astro), and every attribute. */
const INDEX_ONLY =
  /<div hidden>(?:<i data-pagefind-(?:meta|filter)="[^"]*"><\/i>)+<\/div>| data-pagefind-[a-z-]+(?:="[^"]*")?/g;

function check(step: string, errors: string[]): void {
  if (errors.length > 0) throw new Error(`Pagefind ${step} failed:\n${errors.join('\n')}`);
}

export interface IndexedSite {
  pages: number;
  stripped: number;
}

export async function indexSite(site: string): Promise<IndexedSite> {
  const { index, errors } = await pagefind.createIndex({ forceLanguage: 'en' });
  check('createIndex', errors);
  if (!index) throw new Error('Pagefind returned no index');
  let pages: number;
  try {
    const added = await index.addDirectory({ path: site });
    check('indexing', added.errors);
    if (added.page_count === 0) throw new Error(`Pagefind found no pages to index in ${site}`);
    pages = added.page_count;
    const written = await index.writeFiles({ outputPath: join(site, 'pagefind') });
    check('writing', written.errors);
  } finally {
    await pagefind.close();
  }
  return { pages, stripped: await stripIndexMarkup(site) };
}

async function stripIndexMarkup(site: string): Promise<number> {
  const files = (await readdir(site, { recursive: true })).filter((file) => file.endsWith('.html'));
  let changed = 0;
  let next = 0;
  // A few files at a time, so the reads and writes overlap on libuv's thread pool.
  const worker = async () => {
    while (next < files.length) {
      const path = join(site, files[next++]!);
      const html = await readFile(path, 'utf8');
      const lean = html.replace(INDEX_ONLY, '');
      if (lean !== html) {
        await writeFile(path, lean);
        changed++;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return changed;
}
