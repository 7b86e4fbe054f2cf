/**
 * Content-layer loaders for IANA's port registry CSV: `registry` (one entry per assigned port number, and per
 * number the registry's history saw lose its service) and `registryGaps` (blocks IANA lists as unassigned or
 * reserved). Both read the same snapshot, parsed once.
 */
import type { Loader, LoaderContext } from 'astro/loaders';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formerlyAssigned } from '../lib/history/changes.ts';
import { loadTimeline } from '../lib/history/load.ts';
import { parseRegistry, RegistryFormatError, type Registry } from '../lib/registry.ts';

const parsed = new Map<string, Promise<Registry>>();

function load(path: string, historyPath: string): Promise<Registry> {
  const file = resolve(path);
  let registry = parsed.get(file);
  if (!registry) {
    registry = readFile(file, 'utf8').then(
      (csv) => parseRegistry(csv, formerlyAssigned(loadTimeline(historyPath, file))),
      (error: unknown) => {
        throw new Error(`${file}: cannot read the IANA registry snapshot (${(error as Error).message})`, {
          cause: error,
        });
      },
    );
    registry = registry.catch((error: unknown) => {
      parsed.delete(file);
      if (error instanceof RegistryFormatError) throw new Error(`${file}: ${error.message}`, { cause: error });
      throw error;
    });
    parsed.set(file, registry);
  }
  return registry;
}

async function fill(context: LoaderContext, items: { id: string; data: Record<string, unknown> }[]) {
  context.store.clear();
  for (const item of items) {
    const data = await context.parseData(item);
    context.store.set({ id: item.id, data, digest: context.generateDigest(item.data) });
  }
}

export function registryPorts(path: string, historyPath: string): Loader {
  return {
    name: 'iana-registry-ports',
    load: async (context) => {
      const registry = await load(path, historyPath);
      await fill(
        context,
        registry.entries.map((entry) => ({ id: String(entry.port), data: { ...entry } })),
      );
      context.logger.info(`${registry.entries.length} port pages from ${registry.rows} registry rows`);
    },
  };
}

export function registryGaps(path: string, historyPath: string): Loader {
  return {
    name: 'iana-registry-gaps',
    load: async (context) => {
      const registry = await load(path, historyPath);
      await fill(
        context,
        registry.gaps.map((gap) => ({ id: `${gap.first}-${gap.last}`, data: { ...gap } })),
      );
    },
  };
}
