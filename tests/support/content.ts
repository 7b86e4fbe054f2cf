/**
 * The site's content read as the build reads it, without Astro: articles' frontmatter and the known-uses dataset
 * parsed through their schemas (src/schema.ts), IANA's registry with its history, and the evidence extracts. Tests that compute
 * what the pages say (the verdict's evaluation) start here, so a valid new article or use never breaks them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { loadEvidence } from '../../src/lib/evidence.ts';
import { formerlyAssigned } from '../../src/lib/history/changes.ts';
import { loadTimeline } from '../../src/lib/history/load.ts';
import { parseRegistry } from '../../src/lib/registry.ts';
import type { PortNames } from '../../src/lib/search/names.ts';
import { portNames } from '../../src/lib/search/port-names.ts';
import { portStates, type SiteInputs } from '../../src/lib/verdicts.ts';
import { knownUseSchema, portSchema, type KnownUseEntry, type PortFrontmatter } from '../../src/schema.ts';

export const ROOT = resolve(import.meta.dirname, '../..');

/** Every article's frontmatter, parsed and defaulted by the schema. */
export function readArticles(dir = join(ROOT, 'content/ports')): PortFrontmatter[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.mdx'))
    .map((name) => {
      const text = readFileSync(join(dir, name), 'utf8');
      const front = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text)?.[1] ?? '';
      return portSchema.parse(parse(front));
    })
    .sort((a, b) => a.port - b.port);
}

/** Every entry of the known-uses dataset, parsed by its schema. */
export function readDataset(dir = join(ROOT, 'content/uses')): KnownUseEntry[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .flatMap((name) =>
      (parse(readFileSync(join(dir, name), 'utf8')) as unknown[]).map((entry) => knownUseSchema.parse(entry)),
    );
}

const SNAPSHOT = join(ROOT, 'content/registry/service-names-port-numbers.csv');
const HISTORY = join(ROOT, 'content/registry/history.csv');

/** The registry's history as the loader reads it (src/loaders/iana-registry.ts). */
export const readTimeline = () => loadTimeline(HISTORY, SNAPSHOT);

/** IANA's registry, with a page for each number its history saw lose its service, as the build has. */
export function readRegistry() {
  return parseRegistry(readFileSync(SNAPSHOT, 'utf8'), formerlyAssigned(readTimeline()));
}

/** Everything the verdicts are computed from, as src/data/ports.ts gathers it for the build. */
export function siteInputs(): SiteInputs {
  return {
    registry: readRegistry().entries,
    history: readTimeline().ports,
    evidence: loadEvidence(join(ROOT, 'content/evidence')),
    articles: readArticles(),
    dataset: readDataset(),
  };
}

/** Every page's search names, as src/data/ports.ts (getSearchNames) gathers them for the names shards. */
export function siteSearchNames(): PortNames[] {
  const titles = new Map(readArticles().map((article) => [article.port, article.title]));
  return [...portStates(siteInputs()).values()].map((state) =>
    portNames({ port: state.port, rows: state.entry?.rows ?? [], title: titles.get(state.port), uses: state.uses }),
  );
}
