/**
 * Builds the Pagefind search index inside `astro build`, from the pages just written (the hook's `dir`, dist/),
 * so the index can never be older than the site. Then takes the `data-pagefind-*` markup out of the pages:
 * only the indexer reads it, and every reader would download it (about 110 bytes of a port page's first load).
 */
import type { AstroIntegration } from 'astro';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pagefind from 'pagefind';

/** The hidden holder of a page's meta fields and filters (src/layouts/PortLayout.astro), and every attribute. */
const INDEX_ONLY =
  /<div hidden>(?:<i data-pagefind-(?:meta|filter)="[^"]*"><\/i>)+<\/div>| data-pagefind-[a-z-]+(?:="[^"]*")?/g;

async function stripIndexMarkup(site: string): Promise<number> {
  let changed = 0;
  const files = (await readdir(site, { recursive: true })).filter((file) => file.endsWith('.html'));
  for (const file of files) {
    const path = join(site, file);
    const html = await readFile(path, 'utf8');
    const lean = html.replace(INDEX_ONLY, '');
    if (lean !== html) {
      await writeFile(path, lean);
      changed++;
    }
  }
  return changed;
}

function check(step: string, errors: string[]): void {
  if (errors.length > 0) throw new Error(`Pagefind ${step} failed:\n${errors.join('\n')}`);
}

export default function pagefindIndex(): AstroIntegration {
  return {
    name: 'dormant-ports:pagefind',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const site = fileURLToPath(dir);
        const { index, errors } = await pagefind.createIndex({ forceLanguage: 'en' });
        check('createIndex', errors);
        if (!index) throw new Error('Pagefind returned no index');
        try {
          const added = await index.addDirectory({ path: site });
          check('indexing', added.errors);
          if (added.page_count === 0) throw new Error(`Pagefind found no pages to index in ${site}`);
          const written = await index.writeFiles({ outputPath: fileURLToPath(new URL('pagefind/', dir)) });
          check('writing', written.errors);
          logger.info(`indexed ${added.page_count} pages`);
        } finally {
          await pagefind.close();
        }
        logger.info(`took the index-only markup out of ${await stripIndexMarkup(site)} pages`);
      },
    },
  };
}
