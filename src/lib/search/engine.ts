/**
 * The search engine both search UIs share (SiteSearch.astro, SearchPage.astro): an exact port-number lookup
 * from the static shards (`/lookup/N.json`) first, then Pagefind's full-text results. Nothing is fetched until
 * the first query or focus: Pagefind's files are loaded by `loadPagefind()`, shards by `lookupPort()`.
 * Browser code without a framework; `view.ts` turns an outcome into result elements.
 */
import { parsePortQuery } from '../ports/query.ts';
import { rangeOf, type PortRange } from '../ports/range.ts';
import { lookupShard, type LookupGap, type LookupShard } from './lookup.ts';

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
}

const MAX_HITS = 10;
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
    const hit: Hit = { url: entry.url, title: entry.title, port: String(port), service: entry.service };
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
  const hits: Hit[] = [];
  if (fullText) {
    const engine = await loadPagefind();
    const response = await engine.search(fullText, { filters });
    for (const result of response.results.slice(0, MAX_HITS)) {
      const data = await result.data();
      if (number?.kind === 'page' && data.url === number.hit.url) continue;
      if (!matchesQuery(data.excerpt, fullText)) continue;
      hits.push({
        url: data.url,
        title: data.meta['title'] ?? data.url,
        ...(data.meta['port'] ? { port: data.meta['port'] } : {}),
        ...(data.meta['service'] ? { service: data.meta['service'] } : {}),
        excerpt: data.excerpt,
      });
    }
  }
  return number ? { query, number, hits } : { query, hits };
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
