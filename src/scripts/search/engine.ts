/**
 * The search engine both search UIs share (SiteSearch.astro, SearchPage.astro): an exact port-number lookup
 * from the static shards (`/lookup/N.json`) first, then Pagefind's full-text results. Nothing is fetched until
 * the first query or focus: Pagefind's files are loaded by `loadPagefind()`, shards by `lookupPort()`.
 * Browser code without a framework; `view.ts` turns an outcome into result elements.
 */
import { parsePortQuery } from '../../lib/ports/query.ts';
import { rangeOf, type PortRange } from '../../lib/ports/range.ts';
import { lookupShard, type LookupGap, type LookupShard } from '../../lib/search/lookup.ts';

interface PagefindResultData {
  url: string;
  excerpt: string;
  meta: Record<string, string | undefined>;
}
interface PagefindResponse {
  results: { id: string; data: () => Promise<PagefindResultData> }[];
}
interface Pagefind {
  options(options: Record<string, unknown>): Promise<void>;
  init(): Promise<void> | void;
  search(query: string, options?: { filters?: Filters }): Promise<PagefindResponse>;
}

export type Filters = Record<string, string[]>;

export interface Hit {
  url: string;
  title: string;
  port?: string;
  service?: string;
  /** Pagefind's excerpt: page text with matches between `<mark>` and `</mark>`. */
  excerpt?: string;
  /** IANA registration date, for exact number matches. */
  registered?: string;
  /** The page exists in every locale (articles, and the 404 page's answer); else in English only. */
  localized?: boolean;
}

/** What a query that names a port number found, before any full-text result. */
export type NumberOutcome =
  | { kind: 'page'; port: number; hit: Hit }
  | { kind: 'gap'; port: number; status: LookupGap[2]; note?: string }
  | { kind: 'none'; port: number; range: PortRange; first: number; last: number }
  | { kind: 'not-port'; value: string };

export interface Outcome {
  query: string;
  number?: NumberOutcome;
  hits: Hit[];
  /** The first hit names exactly the service the reader typed ("mysql", "mc3ss", "postgres"): open it on Enter. */
  named?: boolean;
}

const MAX_HITS = 10;
/** Results read from Pagefind before ranking, so an exact name ranked lower by Pagefind still comes first. */
const READ_HITS = 20;

/**
 * How well a hit's service names match the query: 0 for the name itself ("mysql" → mysql, not mysqlx), 1 for a
 * name it begins ("postgres" → postgresql), 2 otherwise.
 */
export function nameRank(service: string | undefined, query: string): number {
  const wanted = query.trim().toLowerCase();
  const names = (service ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  if (names.includes(wanted)) return 0;
  if (wanted.length >= 4 && names.some((name) => name.startsWith(wanted))) return 1;
  return 2;
}
let pagefind: Promise<Pagefind> | undefined;

export function loadPagefind(): Promise<Pagefind> {
  // A runtime URL, so the bundler leaves Pagefind's own files (built after the pages) alone.
  const url = '/pagefind/pagefind.js';
  pagefind ??= (import(/* @vite-ignore */ url) as Promise<Pagefind>).then(async (engine) => {
    await engine.options({ excerptLength: 24, ranking: { termSimilarity: 1.5, pageLength: 0.5 } });
    await engine.init();
    return engine;
  });
  return pagefind;
}

const shards = new Map<number, Promise<LookupShard | null>>();

async function shard(n: number): Promise<LookupShard | null> {
  let pending = shards.get(n);
  if (!pending) {
    pending = fetch(`/lookup/${n}.json`).then((r) => (r.ok ? (r.json() as Promise<LookupShard>) : null));
    shards.set(n, pending);
  }
  return pending;
}

export async function lookupPort(port: number): Promise<NumberOutcome> {
  const data = await shard(lookupShard(port));
  const entry = data?.entries[port];
  if (entry) {
    const hit: Hit = {
      url: entry.url,
      title: entry.title,
      port: String(port),
      service: entry.service,
      ...(entry.localized ? { localized: true } : {}),
    };
    return { kind: 'page', port, hit: entry.registered ? { ...hit, registered: entry.registered } : hit };
  }
  const gap = data?.gaps.find(([first, last]) => port >= first && port <= last);
  if (gap) return gap[3] ? { kind: 'gap', port, status: gap[2], note: gap[3] } : { kind: 'gap', port, status: gap[2] };
  const { range, first, last } = rangeOf(port);
  return { kind: 'none', port, range, first, last };
}

/** Runs one query. Callers drop outcomes whose query is no longer the one in the field. */
export async function search(query: string, filters: Filters = {}): Promise<Outcome> {
  const text = query.trim();
  const parsed = parsePortQuery(text);
  let number: NumberOutcome | undefined;
  let fullText = text;
  if (parsed.kind === 'port') {
    number = await lookupPort(parsed.port);
    fullText = String(parsed.port);
  } else if (parsed.kind === 'out-of-range') {
    return { query, number: { kind: 'not-port', value: parsed.value }, hits: [] };
  }
  let hits: Hit[] = [];
  if (fullText) {
    const engine = await loadPagefind();
    const response = await engine.search(fullText, { filters });
    const found = await Promise.all(response.results.slice(0, READ_HITS).map((result) => result.data()));
    for (const data of found) {
      if (number?.kind === 'page' && data.url === number.hit.url) continue;
      const rank = nameRank(data.meta['service'], fullText);
      if (rank === 2 && !matchesQuery(data.excerpt, fullText)) continue;
      hits.push({
        url: data.url,
        title: data.meta['title'] ?? data.url,
        ...(data.meta['port'] ? { port: data.meta['port'] } : {}),
        ...(data.meta['service'] ? { service: data.meta['service'] } : {}),
        ...(data.meta['localized'] ? { localized: true } : {}),
        excerpt: data.excerpt,
      });
    }
    // Sorting is stable: within a rank, Pagefind's order stands.
    hits = hits.sort((a, b) => nameRank(a.service, fullText) - nameRank(b.service, fullText)).slice(0, MAX_HITS);
  }
  const named = !number && hits[0] !== undefined && nameRank(hits[0].service, fullText) < 2;
  return { query, hits, ...(number ? { number } : {}), ...(named ? { named } : {}) };
}

/**
 * Pagefind always returns something: for a word it does not know it falls back to the nearest prefix, so
 * "xylophone" finds "xyClient" (Pagefind issues #702 and #780). A result counts only if a highlighted word
 * starts with a query word, or a query word starts with a highlighted word of four letters or more (stems).
 */
export function matchesQuery(excerpt: string, query: string): boolean {
  const terms = query
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((term) => term.length >= 2);
  // A highlight can be a dotted name such as "Backdoor.Win32.Mazben"; each part counts as a word.
  const marked = [...excerpt.matchAll(/<mark>(.*?)<\/mark>/g)].flatMap((m) =>
    m[1]!.toLowerCase().split(/[^\p{L}\p{N}]+/u),
  );
  return marked.some((word) =>
    terms.some((term) => word.startsWith(term) || (word.length >= 4 && term.startsWith(word))),
  );
}
