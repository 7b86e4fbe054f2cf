/**
 * Every port's known uses and verdict, from the site's inputs: IANA's registry, the evidence extracts, the
 * articles' frontmatter and the known-uses dataset. The build (src/data/ports.ts) and the verdict's evaluation
 * (tests/unit/dormancy.test.ts) both call this, so the test measures exactly what the pages say.
 */
import { articleFacts, dormancy, type Verdict } from './dormancy.ts';
import type { Evidence } from './evidence.ts';
import type { PortHistory } from './history/changes.ts';
import type { RegistryEntry } from './registry.ts';
import { articleUses, assessUses, listedUses, usesByPort, type KnownUse } from './uses.ts';

/** An article's frontmatter, as far as uses and the verdict need it. */
export type ArticleInput = Parameters<typeof articleUses>[0] & { status: 'dormant' | 'squatted' | 'active' };

/** One entry of the known-uses dataset, as the schema gives it (src/schema.ts, knownUseSchema). */
export interface DatasetUse extends Omit<KnownUse, 'origin' | 'source' | 'article'> {
  source: Omit<KnownUse['source'], 'read'> & { read: Date };
}

export interface SiteInputs {
  registry: readonly RegistryEntry[];
  /** The registry's history per port, where there is one (src/lib/history/). */
  history?: ReadonlyMap<number, PortHistory>;
  evidence: Evidence;
  articles: readonly ArticleInput[];
  dataset: readonly DatasetUse[];
}

/** Every known use: the articles', the dataset's, then the vendored lists'. */
export function knownUses({ articles, dataset, evidence }: Omit<SiteInputs, 'registry'>): KnownUse[] {
  return [
    ...articles.flatMap((article) => articleUses(article)),
    ...dataset.map((use): KnownUse => ({
      ...use,
      origin: 'dataset',
      source: { ...use.source, read: use.source.read.toISOString().slice(0, 10) },
    })),
    ...listedUses(evidence.listings, evidence.sources),
  ];
}

export interface PortState {
  port: number;
  entry?: RegistryEntry | undefined;
  uses: KnownUse[];
  verdict: Verdict;
}

/**
 * Every port that gets a page, with its uses and verdict: each number IANA assigns, each article's, and each
 * number IANA never assigned on which something current is documented (25565, Minecraft) — old decoders and
 * firewall macros alone do not make a page.
 */
export function portStates(inputs: SiteInputs): Map<number, PortState> {
  const uses = knownUses(inputs);
  const usesOn = usesByPort(uses);
  const entries = new Map(inputs.registry.map((entry) => [entry.port, entry]));
  const articles = new Map(inputs.articles.map((article) => [article.port, article]));
  // Documented and article uses make a page even when only reported; a list entry, only when it is current there.
  const used = [...usesOn].filter(
    ([port, list]) =>
      list.some((use) => use.origin === 'article' || use.origin === 'dataset') ||
      assessUses(list, port).some((a) => a.current),
  );
  const ports = [...new Set([...entries.keys(), ...articles.keys(), ...used.map(([port]) => port)])].sort(
    (a, b) => a - b,
  );
  const states = new Map<number, PortState>();
  for (const port of ports) {
    const entry = entries.get(port);
    const article = articles.get(port);
    const here = usesOn.get(port) ?? [];
    const verdict = dormancy(port, entry?.rows ?? [], inputs.evidence.get(port), {
      article: article && articleFacts(article),
      uses: here,
      history: inputs.history?.get(port),
    });
    states.set(port, { port, entry, uses: here, verdict });
  }
  return states;
}
