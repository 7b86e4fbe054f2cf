/**
 * Builds the Pagefind search index inside `astro build`, from the pages just written (the hook's `dir`, dist/),
 * so the index can never be older than the site.
 */
import type { AstroIntegration } from 'astro';
import { fileURLToPath } from 'node:url';
import * as pagefind from 'pagefind';

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
      },
    },
  };
}
