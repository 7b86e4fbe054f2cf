/** Collection queries in one place, so pages agree on order and shape. */
import { readFileSync } from 'node:fs';
import { getCollection, type CollectionEntry } from 'astro:content';
import { parse } from 'csv-parse/sync';
import type { Verdict } from '../lib/dormancy.ts';
import { portStates, type PortState } from '../lib/verdicts.ts';
import { loadEvidence, type Evidence, type PortEvidence } from '../lib/evidence.ts';
import { formerNames, type PortHistory } from '../lib/history/changes.ts';
import { MAX_PORT } from '../lib/ports/number.ts';
import { blockOf, BLOCK_SIZE, listOf, LIST_SIZE, rangeOf } from '../lib/ports/range.ts';
import {
  checkAgreement,
  liveRegistrations,
  registrations,
  type Registration,
  type RegistryEntry,
  type RegistryGap,
} from '../lib/registry.ts';
import type { LookupEntry, LookupGap } from '../lib/search/lookup.ts';
import type { PortNames } from '../lib/search/names.ts';
import { portNames } from '../lib/search/port-names.ts';
import { groupUses, type KnownUse } from '../lib/uses.ts';
import type { Locale } from '../i18n/locales.ts';
import { localeHref, portLink, type LocalizedLink } from '../i18n/urls.ts';
import { getPortHistory, getTimeline } from './history.ts';

export type PortEntry = CollectionEntry<'ports'>;

/** Where the vendored evidence extracts live (content/evidence/README.md); tests may point elsewhere. */
const EVIDENCE_DIR = process.env['DORMANT_PORTS_EVIDENCE'] ?? 'content/evidence';
let evidence: Evidence | undefined;
const loadedEvidence = () => (evidence ??= loadEvidence(EVIDENCE_DIR));
const evidenceFor = (port: number): PortEvidence => loadedEvidence().get(port);

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

let states: Promise<Map<number, PortState>> | undefined;

/** Every port's known uses and verdict (src/lib/verdicts.ts), from the same inputs the verdict's tests read. */
function getPortStates(): Promise<Map<number, PortState>> {
  states ??= (async () => {
    const [dataset, articles, registry] = await Promise.all([
      getCollection('uses'),
      getPortPages(),
      getRegistryEntries(),
    ]);
    return portStates({
      registry,
      history: getTimeline().ports,
      evidence: loadedEvidence(),
      articles: articles.map((article) => article.data),
      dataset: dataset.map((entry) => entry.data),
    });
  })();
  return states;
}

/** A sourced use that an article about another port documents on this one (Netrek's 2592, told on 3521). */
export interface Mention {
  name: string;
  /** The port of the article that documents it. */
  article: number;
}

/** One page of the site: an article, a registry entry, or both for the same port. */
export interface PortView {
  port: number;
  article?: PortEntry;
  registry?: RegistryEntry;
  evidence: PortEvidence;
  /** What is known to run on the port, from every source (src/lib/uses.ts). */
  uses: KnownUse[];
  verdict: Verdict;
  /** Unofficial uses that articles about other ports document on this one. */
  mentions: Mention[];
  /** Articles about other ports that cite IANA's entry for this one (3521's on Netrek's game port, 2592). */
  citedBy: number[];
  /** What the registry's history says of the port (src/lib/history/). */
  history?: PortHistory;
}

/** The ports whose IANA entry an article cites, other than its own. */
function citedPorts(article: PortEntry): number[] {
  const ports = article.data.references.flatMap((ref) => {
    const match = /service-names-port-numbers\.xhtml\?search=(\d{1,5})$/.exec(ref.url);
    return match ? [Number(match[1])] : [];
  });
  return [...new Set(ports)].filter((port) => port !== article.data.port);
}

let views: Promise<PortView[]> | undefined;

/** Every page under /ports/N/, by port number. */
export function getPortViews(): Promise<PortView[]> {
  views ??= (async () => {
    const [articles, all] = await Promise.all([getPortPages(), getPortStates()]);
    const byPort = new Map(articles.map((article) => [article.data.port, article]));
    const cited = new Map<number, number[]>();
    for (const article of articles) {
      for (const port of citedPorts(article)) cited.set(port, [...(cited.get(port) ?? []), article.data.port]);
    }
    return [...all.values()].map(({ port, entry, uses: here, verdict }) => {
      const article = byPort.get(port);
      const found = evidenceFor(port);
      const history = getPortHistory(port);
      const told: Mention[] = here.flatMap((use) =>
        use.origin === 'article' && use.article !== port && use.evidence === 'documented'
          ? [{ name: use.name, article: use.article! }]
          : [],
      );
      return {
        port,
        evidence: found,
        uses: here,
        verdict,
        mentions: told,
        // An article that documents a use here is listed with the use; the others that cite the entry, alone.
        citedBy: (cited.get(port) ?? []).filter((by) => !told.some((mention) => mention.article === by)),
        ...(article ? { article } : {}),
        ...(entry ? { registry: entry } : {}),
        ...(history ? { history } : {}),
      };
    });
  })();
  return views;
}

/** Every page under /ports/N/ with the pages either side of it, for the routes' getStaticPaths. */
export async function getPortRoutes(filter: (view: PortView) => boolean = () => true) {
  const all = await getPortViews();
  const neighbour = (view: PortView | undefined) =>
    view && {
      port: view.port,
      title: pageTitle(view),
      kind: view.article ? ('article' as const) : ('registry' as const),
    };
  return all.flatMap((view, i) =>
    filter(view) ? [{ view, prev: neighbour(all[i - 1]), next: neighbour(all[i + 1]) }] : [],
  );
}

/** IANA's registrations on the port, rows that differ only by protocol taken together, in IANA's order. */
export const pageRegistrations = (view: PortView): Registration[] => registrations(view.registry?.rows ?? []);

/**
 * What a page is called after "Port N:": the article's title, else IANA's service name, else (for a number that
 * lost its service) the former one, else IANA's description.
 */
export function pageTitle(view: PortView): string {
  const first = liveRegistrations(view.registry?.rows ?? [])[0] ?? pageRegistrations(view)[0];
  const former = view.history?.removed && view.history.former[0]?.service;
  return (
    view.article?.data.title ??
    first?.service ??
    (former ? `formerly ${former}` : undefined) ??
    first?.description ??
    // A number IANA never assigned goes by what runs there.
    groupUses(view.uses).find((group) => group.current)?.name ??
    `Port ${view.port}`
  );
}

export type PageKind = 'article' | 'registry';

let kinds: Promise<Map<number, PageKind>> | undefined;

/**
 * Where a port number mentioned on a page should lead: its page if it has one (in the reader's language where it
 * exists), else its row on the range page, which says what IANA records for it. (The 404 page answers for such a
 * number too, but a link should not knowingly lead to a 404.)
 */
export async function getNumberLinks(): Promise<(locale: Locale, port: number) => LocalizedLink> {
  const [pageKinds, gaps] = await Promise.all([(kinds ??= getPageKinds()), getRegistryGaps()]);
  return (locale, port) => {
    const kind = pageKinds.get(port);
    if (kind) return portLink(locale, port, kind);
    const gap = gaps.find((g) => port >= g.first && port <= g.last);
    const row = gap ? `#gap-${gap.first}` : '';
    return { href: `${localeHref(locale, `/ports/range/${listOf(port).slug}/`)}${row}` };
  };
}

/** The page before or after another, for the links between neighbouring ports. */
export interface Neighbour {
  port: number;
  title: string;
  kind: PageKind;
}

/** Which numbers have a page, and of which kind: articles exist in every locale, registry pages in English. */
export async function getPageKinds(): Promise<Map<number, PageKind>> {
  return new Map((await getPortViews()).map((view) => [view.port, view.article ? 'article' : 'registry']));
}

export interface Block {
  first: number;
  last: number;
  slug: string;
  views: PortView[];
  /** IANA's unassigned and reserved numbers inside the block. */
  gaps: RegistryGap[];
  dormant: number;
  /** A block of 1,000's pages of a hundred numbers, which list its rows; none for such a page itself. */
  parts: Block[];
}

/**
 * Every number from 0 to 65535 in spans of `size` (blockOf, listOf), empty ones too (60000–60999 has only IANA's
 * dynamic range): a link to any number's block must never lead to a 404.
 */
function spans(views: PortView[], gaps: RegistryGap[], size: number, of: typeof blockOf): Block[] {
  const byFirst = Map.groupBy(views, (view) => of(view.port).first);
  return Array.from({ length: Math.floor(MAX_PORT / size) + 1 }, (_, n) => {
    const { first, last, slug } = of(n * size);
    const inside = byFirst.get(first) ?? [];
    return {
      first,
      last,
      slug,
      views: inside,
      gaps: gaps.filter((gap) => gap.last >= first && gap.first <= last),
      dormant: inside.filter((v) => v.verdict.verdict === 'likely-dormant').length,
      parts: [],
    };
  });
}

/** Assigned ports in blocks of 1,000, each with its pages of a hundred, for browsing without a 6,000-entry list. */
export async function getBlocks(): Promise<Block[]> {
  const [all, gaps] = await Promise.all([getPortViews(), getRegistryGaps()]);
  const lists = spans(all, gaps, LIST_SIZE, listOf);
  return spans(all, gaps, BLOCK_SIZE, blockOf).map((block) => ({
    ...block,
    parts: lists.filter((list) => list.first >= block.first && list.last <= block.last),
  }));
}

export interface BlockRoute {
  block: Block;
  prev?: Block | undefined;
  next?: Block | undefined;
  /** For a page of a hundred: the block of 1,000 it belongs to. */
  parent?: Block | undefined;
}

/** Every block and every page of a hundred, each with its neighbours of the same size, for the range routes. */
export async function getBlockRoutes(): Promise<BlockRoute[]> {
  const blocks = await getBlocks();
  const lists = blocks.flatMap((block) => block.parts.map((list) => ({ list, parent: block })));
  return [
    ...blocks.map((block, i) => ({ block, prev: blocks[i - 1], next: blocks[i + 1] })),
    ...lists.map(({ list, parent }, i) => ({
      block: list,
      parent,
      prev: lists[i - 1]?.list,
      next: lists[i + 1]?.list,
    })),
  ];
}

// The date the tables show: a number that lost its service may keep its registration date on IANA's own row.
const registeredOf = (view: PortView) =>
  (liveRegistrations(view.registry?.rows ?? [])[0] ?? pageRegistrations(view)[0])?.registered ?? '';

let dormant: Promise<PortView[]> | undefined;

/** Ports whose verdict is "likely dormant", by registration date, oldest first; ties by port number. */
export function getDormantPorts(): Promise<PortView[]> {
  // Every page of the list, in every locale, asks for it: sort once, each port's date read once.
  dormant ??= getPortViews().then((views) =>
    views
      .filter((view) => view.verdict.verdict === 'likely-dormant')
      .map((view) => ({ view, date: registeredOf(view) }))
      .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.view.port - b.view.port))
      .map(({ view }) => view),
  );
  return dormant;
}

/**
 * When the site's data was read: the day of the registry copy it was built from (the newest version in the
 * registry's history) and the newest day a list was extracted (content/evidence/sources.json). Pages say both.
 */
export function getDataDates(): { registry: string; lists: string } {
  const { sources } = loadedEvidence();
  const lists = Object.values(sources ?? {})
    .map((source) => source.generated)
    .sort()
    .at(-1);
  return { registry: getTimeline().versions.at(-1)?.date ?? '', lists: lists ?? '' };
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
    // What runs there, each with its source (src/lib/uses.ts); the sources' licences are in `sources` of the file.
    uses: view.uses.map(({ name, vendor, kind, evidence, protocols, ports, note, origin, source }) => ({
      name,
      ...(vendor ? { vendor } : {}),
      kind,
      evidence,
      protocols,
      ports,
      ...(note ? { note } : {}),
      origin,
      source: Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined)),
    })),
    dormancy: {
      verdict: view.verdict.verdict,
      reasons: view.verdict.reasons.map(({ signal, value, source }) => ({ signal, value, source })),
    },
  };
}

/**
 * Where every figure in the JSON files comes from, with the attribution each source's licence asks for: IANA's
 * registry, the evidence extracts (content/evidence/sources.json), the known-uses dataset and the articles.
 */
export function dataSources() {
  const { sources } = loadedEvidence();
  const extract = (name: keyof NonNullable<typeof sources>, attribution: string, licence: string) => ({
    attribution,
    licence,
    ...(sources?.[name]
      ? { package: sources[name].package, version: sources[name].version, read: sources[name].generated }
      : {}),
  });
  return {
    registry: {
      attribution: 'IANA Service Name and Transport Protocol Port Number Registry',
      licence: 'CC0-1.0',
      url: 'https://www.iana.org/assignments/service-names-port-numbers/',
    },
    nmap: extract(
      'nmapFrequencies',
      'Port open-frequencies from Nmap’s nmap-services, © Nmap Software LLC',
      'Nmap Public Source License (facts only, see /about/data/)',
    ),
    wireshark: extract(
      'wireshark',
      'Default port registrations of Wireshark, © Gerald Combs and contributors',
      'GPL-2.0-or-later',
    ),
    netbase: extract(
      'netbase',
      'Debian netbase /etc/services, © Peter Tobias, Anthony Towns and Marco d’Itri',
      'GPL-2.0-only',
    ),
    firewalld: extract('firewalld', 'firewalld service definitions, © the firewalld authors', 'GPL-2.0-or-later'),
    shorewall: extract('shorewall', 'Shorewall macros, © Thomas M. Eastep and contributors', 'GPL-2.0-only'),
    ndpi: extract('ndpi', 'nDPI default protocol ports, © ntop', 'LGPL-3.0-or-later'),
    uses: {
      attribution: 'Dormant Ports known-uses dataset (content/uses/); each use names its source',
      licence: 'CC-BY-4.0',
    },
    articles: { attribution: 'Dormant Ports articles', licence: 'CC-BY-4.0' },
  };
}

/** What an exact number lookup finds (src/lib/search/lookup.ts): one entry per page, by port number. */
export async function getLookupEntries(): Promise<LookupEntry[]> {
  return (await getPortViews()).map((view) => {
    const first = liveRegistrations(view.registry?.rows ?? [])[0];
    const registered = first?.registered;
    // What runs there, as the page lists it (strongest first), a few names per port: the shards are fetched per
    // hundred numbers and must stay small. Malware is always kept, for the listener check's flag.
    const groups = groupUses(view.uses);
    const uses = [
      ...groups.slice(0, LOOKUP_USES),
      ...groups.slice(LOOKUP_USES).filter((g) => g.kind === 'malware'),
    ].map((group) => ({ name: group.name, kind: group.kind }));
    return {
      port: view.port,
      // Articles go by their title; registry pages by IANA's name and description, as the registry reads.
      title:
        view.article?.data.title ??
        (first?.service && first.description ? `${first.service}: ${first.description}` : pageTitle(view)),
      service: first?.service ?? '',
      url: `/ports/${view.port}/`,
      // Articles have a page in every locale; the browser maps their URL to the reader's.
      ...(view.article ? { localized: true as const } : {}),
      ...(registered ? { registered } : {}),
      verdict: view.verdict.verdict,
      ...(uses.length > 0 ? { uses } : {}),
    };
  });
}

/**
 * What each page can be found by name (src/lib/search/names.ts): IANA's service names and descriptions, the
 * article's title, the known uses' names and aliases (current uses first), and the names IANA once gave the port.
 */
export async function getSearchNames(): Promise<PortNames[]> {
  return (await getPortViews()).map((view) =>
    portNames({
      port: view.port,
      rows: view.registry?.rows ?? [],
      title: view.article?.data.title,
      uses: view.uses,
      former: formerNames(view.history),
    }),
  );
}

/** How many uses a lookup entry names (all of them are on the port's page). */
const LOOKUP_USES = 3;

/** The blocks IANA lists without a service, for number lookups, with IANA's first note on them. */
export async function getLookupGaps(): Promise<LookupGap[]> {
  return (await getRegistryGaps()).map(({ first, last, status, notes }) =>
    notes[0] ? [first, last, status, notes[0]] : [first, last, status],
  );
}

/** One labelled port of content/evidence/evaluation.csv, with the verdict the site gives it. */
export interface Labelled {
  port: number;
  protocol: string;
  service: string;
  label: 'in-use' | 'dormant';
  evidence: string;
  source: string;
  verdict: Verdict['verdict'] | undefined;
}

/**
 * The labelled ports the verdict is measured against (content/evidence/README.md, "Evaluation set"), each with the
 * verdict the site gives it, so /about/dormancy/ states the current figures, not those of the day it was written.
 */
export async function getEvaluation(): Promise<Labelled[]> {
  const views = new Map((await getPortViews()).map((view) => [view.port, view]));
  const rows = parse<Record<string, string>>(readFileSync(`${EVIDENCE_DIR}/evaluation.csv`, 'utf8'), {
    columns: true,
  });
  return rows.map((row) => ({
    port: Number(row['port']),
    protocol: row['protocol'] ?? '',
    service: row['service'] ?? '',
    label: row['label'] === 'dormant' ? 'dormant' : 'in-use',
    evidence: row['evidence'] ?? '',
    source: row['source'] ?? '',
    verdict: views.get(Number(row['port']))?.verdict.verdict,
  }));
}

/** The pages under /about/, in their order. */
export async function getAboutPages() {
  return (await getCollection('about')).sort((a, b) => a.data.order - b.data.order);
}
