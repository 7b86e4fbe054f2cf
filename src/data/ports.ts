/** Collection queries in one place, so pages agree on order and shape. */
import { getCollection, type CollectionEntry } from 'astro:content';
import { articleFacts, dormancy, mentionsByPort, type Mention, type Verdict } from '../lib/dormancy.ts';
import { loadEvidence, type Evidence, type PortEvidence } from '../lib/evidence.ts';
import { MAX_PORT } from '../lib/ports/number.ts';
import { rangeOf } from '../lib/ports/range.ts';
import {
  checkAgreement,
  liveRegistrations,
  registrations,
  type Registration,
  type RegistryEntry,
  type RegistryGap,
} from '../lib/registry.ts';
import type { LookupEntry, LookupGap } from '../lib/search/lookup.ts';

export type PortEntry = CollectionEntry<'ports'>;

/** Where the vendored evidence extracts live (content/evidence/README.md); tests may point elsewhere. */
const EVIDENCE_DIR = process.env['DORMANT_PORTS_EVIDENCE'] ?? 'content/evidence';
let evidence: Evidence | undefined;
const evidenceFor = (port: number): PortEvidence => (evidence ??= loadEvidence(EVIDENCE_DIR)).get(port);

let pages: Promise<PortEntry[]> | undefined;

/** Every port article, by port number, each checked against IANA's registry where it states the registration. */
export function getPortPages(): Promise<PortEntry[]> {
  pages ??= (async () => {
    const [entries, registry] = await Promise.all([getCollection('ports'), getRegistryEntries()]);
    const byPort = new Map(registry.map((entry) => [entry.port, entry]));
    for (const entry of entries) {
      const { iana, port } = entry.data;
      if (iana) checkAgreement(entry.filePath ?? `content/ports/${entry.id}.mdx`, port, iana, byPort.get(port));
    }
    return entries.sort((a, b) => a.data.port - b.data.port);
  })();
  return pages;
}

/** Every port a row of IANA's registry assigns, by port number. */
export async function getRegistryEntries(): Promise<RegistryEntry[]> {
  return (await getCollection('registry')).map((entry) => entry.data).sort((a, b) => a.port - b.port);
}

/** Numbers no row assigns, with IANA's status and notes for them. */
export async function getRegistryGaps(): Promise<RegistryGap[]> {
  return (await getCollection('registryGaps')).map((entry) => entry.data).sort((a, b) => a.first - b.first);
}

/** One page of the site: an article, a registry entry, or both for the same port. */
export interface PortView {
  port: number;
  article?: PortEntry;
  registry?: RegistryEntry;
  evidence: PortEvidence;
  verdict: Verdict;
  /** Unofficial uses that articles about other ports document on this one. */
  mentions: Mention[];
}

let views: Promise<PortView[]> | undefined;

/** Every page under /ports/N/, by port number. */
export function getPortViews(): Promise<PortView[]> {
  views ??= (async () => {
    const [articles, registry] = await Promise.all([getPortPages(), getRegistryEntries()]);
    const byPort = new Map(articles.map((article) => [article.data.port, article]));
    const ports = new Set([...registry.map((entry) => entry.port), ...byPort.keys()]);
    const entries = new Map(registry.map((entry) => [entry.port, entry]));
    const mentions = mentionsByPort(articles.map((article) => article.data));
    return [...ports]
      .sort((a, b) => a - b)
      .map((port) => {
        const article = byPort.get(port);
        const entry = entries.get(port);
        const found = evidenceFor(port);
        const told = mentions.get(port) ?? [];
        const verdict = dormancy(port, entry?.rows ?? [], found, article && articleFacts(article.data), told);
        return {
          port,
          evidence: found,
          verdict,
          mentions: told,
          ...(article ? { article } : {}),
          ...(entry ? { registry: entry } : {}),
        };
      });
  })();
  return views;
}

/** IANA's registrations on the port, rows that differ only by protocol taken together, in IANA's order. */
export const pageRegistrations = (view: PortView): Registration[] => registrations(view.registry?.rows ?? []);

/** What a page is called after "Port N:": the article's title, else IANA's service name, else its description. */
export function pageTitle(view: PortView): string {
  const first = liveRegistrations(view.registry?.rows ?? [])[0] ?? pageRegistrations(view)[0];
  return view.article?.data.title ?? first?.service ?? first?.description ?? `Port ${view.port}`;
}

export const BLOCK_SIZE = 1000;

export interface Block {
  first: number;
  last: number;
  slug: string;
  views: PortView[];
  /** IANA's unassigned and reserved numbers inside the block. */
  gaps: RegistryGap[];
  dormant: number;
}

/** Assigned ports in blocks of 1,000, for browsing without a 6,000-entry list. */
export async function getBlocks(): Promise<Block[]> {
  const [all, gaps] = await Promise.all([getPortViews(), getRegistryGaps()]);
  const blocks = new Map<number, PortView[]>();
  for (const view of all) {
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
      gaps: gaps.filter((gap) => gap.last >= first && gap.first <= last),
      dormant: views.filter((v) => v.verdict.verdict === 'likely-dormant').length,
    };
  });
}

const registeredOf = (view: PortView) => liveRegistrations(view.registry?.rows ?? [])[0]?.registered ?? '';

/** Ports whose verdict is "likely dormant", by registration date, oldest first; ties by port number. */
export async function getDormantPorts(): Promise<PortView[]> {
  return (await getPortViews())
    .filter((view) => view.verdict.verdict === 'likely-dormant')
    .sort((a, b) => {
      const [x, y] = [registeredOf(a), registeredOf(b)];
      return x < y ? -1 : x > y ? 1 : a.port - b.port;
    });
}

/** The shape of one port in the JSON files (documented on /about/api/). */
export function portFacts(view: PortView) {
  const article = view.article?.data;
  const range = rangeOf(view.port);
  return {
    port: view.port,
    url: `/ports/${view.port}/`,
    range: range.range,
    // Every row IANA lists for the number, as IANA gives it.
    registry: view.registry?.rows ?? [],
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
    dormancy: {
      verdict: view.verdict.verdict,
      reasons: view.verdict.reasons.map(({ signal, value, source }) => ({ signal, value, source })),
    },
  };
}

/** What an exact number lookup finds (src/lib/search/lookup.ts): one entry per page, by port number. */
export async function getLookupEntries(): Promise<LookupEntry[]> {
  return (await getPortViews()).map((view) => {
    const first = liveRegistrations(view.registry?.rows ?? [])[0];
    const registered = first?.registered;
    return {
      port: view.port,
      // Articles go by their title; registry pages by IANA's name and description, as the registry reads.
      title:
        view.article?.data.title ??
        (first?.service ? `${first.service} (${first.description ?? ''})` : pageTitle(view)),
      service: first?.service ?? '',
      url: `/ports/${view.port}/`,
      ...(registered ? { registered } : {}),
    };
  });
}

/** The blocks IANA lists without a service, for number lookups, with IANA's first note on them. */
export async function getLookupGaps(): Promise<LookupGap[]> {
  return (await getRegistryGaps()).map(({ first, last, status, notes }) =>
    notes[0] ? [first, last, status, notes[0]] : [first, last, status],
  );
}

/** The pages under /about/, in their order. */
export async function getAboutPages() {
  return (await getCollection('about')).sort((a, b) => a.data.order - b.data.order);
}
