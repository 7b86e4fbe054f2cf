/** Collection queries in one place, so pages agree on order and shape. */
import { getCollection, type CollectionEntry } from 'astro:content';
import { dormancy, type Verdict } from '../lib/dormancy.ts';
import { MAX_PORT } from '../lib/ports/number.ts';
import type { LookupEntry, LookupGap } from '../lib/search/lookup.ts';
import { checkAgreement, type RegistryEntry } from '../lib/registry.ts';
import type { IanaRegistration, PortPage, Registration } from '../schema.ts';

/** A port article with its `iana` resolved (see `resolveIana`). */
export type PortEntry = Omit<CollectionEntry<'ports'>, 'data'> & { data: PortPage };

let pages: Promise<PortEntry[]> | undefined;

/** Every port article, by port number, each checked against (or completed from) IANA's registry. */
export function getPortPages(): Promise<PortEntry[]> {
  pages ??= (async () => {
    const [entries, registry] = await Promise.all([getCollection('ports'), getRegistryEntries()]);
    const byPort = new Map(registry.map((entry) => [entry.port, entry]));
    return entries
      .sort((a, b) => a.data.port - b.data.port)
      .map((entry) => resolveIana(entry, byPort.get(entry.data.port)));
  })();
  return pages;
}

/**
 * An article that writes `iana` must agree with the registry; one that omits it takes the registry's first
 * service for the port. Either way a page never contradicts the snapshot it is built with.
 */
export function resolveIana(entry: CollectionEntry<'ports'>, registry: RegistryEntry | undefined): PortEntry {
  const file = entry.filePath ?? `content/ports/${entry.id}.mdx`;
  const { iana, port } = entry.data;
  if (iana) {
    checkAgreement(file, port, iana, registry);
    return { ...entry, data: { ...entry.data, iana } };
  }
  const service = registry?.services[0];
  if (!service)
    throw new Error(
      `${file}: iana is omitted, but IANA's registry snapshot has no entry for port ${port} to take it from`,
    );
  if (service.protocols.length === 0)
    throw new Error(
      `${file}: iana is omitted, but the registry names no protocol for port ${port}; write iana yourself`,
    );
  const fromRegistry: IanaRegistration = {
    service: service.service,
    description: service.description,
    protocols: service.protocols,
  };
  for (const field of ['assignee', 'contact', 'registered', 'modified', 'reference', 'unauthorizedUse'] as const) {
    const value = service[field];
    if (value !== undefined) fromRegistry[field] = value;
  }
  return { ...entry, data: { ...entry.data, iana: fromRegistry } };
}

/** Every port IANA has assigned, by port number. */
export async function getRegistryEntries(): Promise<RegistryEntry[]> {
  return (await getCollection('registry')).map((entry) => entry.data).sort((a, b) => a.port - b.port);
}

/** Blocks IANA lists as unassigned or reserved. */
export async function getRegistryGaps(): Promise<RegistryEntryGap[]> {
  return (await getCollection('registryGaps')).map((entry) => entry.data).sort((a, b) => a.first - b.first);
}
export type RegistryEntryGap = CollectionEntry<'registryGaps'>['data'];

/** One page of the site: an article, a registry entry, or both for the same port. */
export interface PortView {
  port: number;
  article?: PortEntry;
  registry?: RegistryEntry;
  /** The registry-based dormancy verdict, for ports without an article (an article gives its own status). */
  verdict?: Verdict;
}

/** The registry lists every service on the port; an article page shows them all, its own first. */
export function pageServices({ article, registry }: PortView): Registration[] {
  const own = article?.data.iana.service;
  if (!registry) return article ? [article.data.iana] : [];
  return [...registry.services].sort((a, b) => Number(b.service === own) - Number(a.service === own));
}

let views: Promise<PortView[]> | undefined;

/** Every page under /ports/N/, by port number. */
export function getPortViews(): Promise<PortView[]> {
  views ??= (async () => {
    const [articles, registry] = await Promise.all([getPortPages(), getRegistryEntries()]);
    const byPort = new Map<number, PortView>(
      registry.map((entry) => [entry.port, { port: entry.port, registry: entry, verdict: dormancy(entry) }]),
    );
    for (const article of articles) {
      const entry = byPort.get(article.data.port)?.registry;
      byPort.set(
        article.data.port,
        entry ? { port: article.data.port, article, registry: entry } : { port: article.data.port, article },
      );
    }
    return [...byPort.values()].sort((a, b) => a.port - b.port);
  })();
  return views;
}

export const BLOCK_SIZE = 1000;

export interface Block {
  first: number;
  last: number;
  slug: string;
  views: PortView[];
  candidates: number;
}

/** Assigned ports in blocks of 1,000, for browsing without a 6,000-entry list. */
export async function getBlocks(): Promise<Block[]> {
  const blocks = new Map<number, PortView[]>();
  for (const view of await getPortViews()) {
    const n = Math.floor(view.port / BLOCK_SIZE);
    blocks.set(n, [...(blocks.get(n) ?? []), view]);
  }
  return [...blocks].map(([n, views]) => {
    const first = n * BLOCK_SIZE;
    const last = Math.min(first + BLOCK_SIZE - 1, MAX_PORT);
    return {
      first,
      last,
      slug: `${first}-${last}`,
      views,
      candidates: views.filter((v) => v.verdict?.candidate).length,
    };
  });
}

/** Dormancy candidates by registration date, oldest first; ties by port number. */
export async function getDormancyCandidates(): Promise<PortView[]> {
  const registered = (view: PortView) => view.registry?.services[0]?.registered ?? '';
  return (await getPortViews())
    .filter((view) => view.verdict?.candidate)
    .sort((a, b) => (registered(a) < registered(b) ? -1 : registered(a) > registered(b) ? 1 : a.port - b.port));
}

/** The shape of one port in both JSON files. */
export function portFacts(view: PortView) {
  const article = view.article?.data;
  return {
    port: view.port,
    url: `/ports/${view.port}/`,
    services: view.registry?.services ?? (article ? [article.iana] : []),
    ...(article
      ? {
          article: {
            title: article.title,
            summary: article.summary,
            status: article.status,
            reviewed: article.reviewed.toISOString().slice(0, 10),
            unofficialUses: article.unofficialUses.map(({ name, kind, evidence, ports, period }) => ({
              name,
              kind,
              evidence,
              ports,
              period,
            })),
          },
        }
      : {}),
    ...(view.verdict
      ? {
          dormancy: {
            candidate: view.verdict.candidate,
            signals: Object.fromEntries(view.verdict.signals.map((s) => [s.id, s.holds])),
          },
        }
      : {}),
  };
}

/** What an exact number lookup finds (src/lib/search/lookup.ts): one entry per page, by port number. */
export async function getLookupEntries(): Promise<LookupEntry[]> {
  return (await getPortViews()).map(({ port, article, registry }) => {
    const service = registry?.services[0] ?? article!.data.iana;
    const registered = service.registered;
    return {
      port,
      // Articles go by their title; registry pages by IANA's name and description, as the registry reads.
      title: article?.data.title ?? `${service.service} (${service.description})`,
      service: service.service,
      url: `/ports/${port}/`,
      ...(registered ? { registered } : {}),
    };
  });
}

/** The blocks IANA lists without a service, for number lookups. */
export async function getLookupGaps(): Promise<LookupGap[]> {
  return (await getRegistryGaps()).map(({ first, last, label }) => [first, last, label]);
}

/** The pages under /about/, in their order. */
export async function getAboutPages() {
  return (await getCollection('about')).sort((a, b) => a.data.order - b.data.order);
}
