/**
 * The known-uses dataset: every `*.yaml` file of a folder (content/uses/ unless told otherwise) is a list of
 * entries, each checked against `knownUseSchema` (src/schema.ts) by the content layer, so a bad entry fails the
 * build naming its file, its id and the field. Ids are unique across the whole folder.
 */
import type { Loader } from 'astro/loaders';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parse } from 'yaml';

export function knownUses(dir: string): Loader {
  return {
    name: 'known-uses',
    load: async (context) => {
      const root = resolve(dir);
      const files = (await readdir(root)).filter((name) => name.endsWith('.yaml')).sort();
      const seen = new Map<string, string>();
      context.store.clear();
      for (const name of files) {
        const filePath = join(root, name);
        const shown = relative(process.cwd(), filePath);
        let entries: unknown;
        try {
          entries = parse(await readFile(filePath, 'utf8'));
        } catch (error) {
          throw new Error(`${shown}: not valid YAML: ${(error as Error).message}`, { cause: error });
        }
        if (!Array.isArray(entries)) throw new Error(`${shown}: expected a list of uses, each starting with "- id:"`);
        for (const [i, entry] of entries.entries()) {
          const id = (entry as { id?: unknown } | null)?.id;
          if (typeof id !== 'string' || id === '') {
            throw new Error(`${shown}: entry ${i + 1}: id: every use needs an id, e.g. "id: db-postgresql"`);
          }
          const other = seen.get(id);
          if (other) throw new Error(`${shown}: entry ${i + 1}: id: "${id}" is already used in ${other}`);
          seen.set(id, shown);
          const data = await context.parseData({ id, data: entry as Record<string, unknown>, filePath: shown });
          context.store.set({ id, data, digest: context.generateDigest(entry as Record<string, unknown>) });
        }
      }
      context.logger.info(`${seen.size} known uses from ${files.length} files`);
    },
  };
}
