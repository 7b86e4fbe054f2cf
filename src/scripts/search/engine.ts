/**
 * The search both search UIs share (src/scripts/site-search.ts, src/scripts/search-page.ts), in two steps. First
 * the answers the small static shards hold: a port number from `/lookup/N.json`, a name from `/names/N.json`
 * (src/lib/search/names.ts) with its pages' titles and verdicts from the lookup shards — a few KB, shown as soon
 * as they arrive. Then Pagefind's full-text results, which cost a hundred KB or more on a first search. Nothing is
 * fetched until the first query or focus. Browser code without a framework; view.ts turns an outcome into result
 * elements.
 */
import type { VerdictValue } from '../../lib/dormancy.ts';
import { parsePortQuery } from '../../lib/ports/query.ts';
import { rangeOf, type PortRange } from '../../lib/ports/range.ts';
import { lookupShard, type LookupEntry, type LookupGap, type LookupShard } from '../../lib/search/lookup.ts';
import { parseNameQuery, resolveName, type NameMatch, type NameShard } from '../../lib/search/names.ts';
import { rankHits } from '../../lib/search/rank.ts';

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
  /** The port's dormancy verdict. */
  verdict?: VerdictValue;
  /** Found by a name that is not the page's own: a known use's or a former one ("mssql" → Microsoft SQL Server). */
  matched?: { name: string; former: boolean };
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
  /** Pages the query names (a service, a known use, a title), strongest first; the answer, if any, first. */
  named: Hit[];
  /** Full-text results, once Pagefind has them. */
  hits: Hit[];
  /**
   * The query asks for one page, the first result: a port number's, or the one a name means when the names
   * index is sure of it ("dns" → 53). Enter opens it.
   */
  answered: boolean;
  /** Full-text results are still to come. */
  partial: boolean;
}

/**
 * Results a list shows at most. Each costs a small file: a page found by name its lookup shard (shared with its
 * neighbours), a full-text result its Pagefind fragment; so full text fills what the names leave, reading a couple
 * more than it shows for the pages already listed.
 */
const MAX_RESULTS = 10;
/** Pages found by name shown at most. */
const MAX_NAMED = 6;
const MIN_HITS = 4;

let pagefind: Promise<Pagefind> | undefined;

export function loadPagefind(): Promise<Pagefind> {
  // A runtime URL, so the bundler leaves Pagefind's own files (built after the pages) alone.
  const url = '/pagefind/pagefind.js';
  pagefind ??= (import(/* @vite-ignore */ url) as Promise<Pagefind>).then(async (engine) => {
    await engine.options({ excerptLength: 24, ranking: { termSimilarity: 1.5, pageLength: 0.5 } });
    await engine.init();
    return engine;
  });
  pagefind.catch(() => {
    pagefind = undefined;
  });
  return pagefind;
}

const files = new Map<string, Promise<unknown>>();

/** A shard, fetched once per page; a failed fetch is tried again by the next query. */
function fetchShard<T>(url: string): Promise<T> {
  let pending = files.get(url) as Promise<T> | undefined;
  if (!pending) {
    pending = fetch(url).then((response) => {
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      return response.json() as Promise<T>;
    });
    files.set(url, pending);
    pending.catch(() => files.delete(url));
  }
  return pending;
}

const lookup = (port: number) => fetchShard<LookupShard>(`/lookup/${lookupShard(port)}.json`);
const names = (shard: number) => fetchShard<NameShard>(`/names/${shard}.json`);

function entryHit(port: number, entry: Omit<LookupEntry, 'port'>): Hit {
  return {
    url: entry.url,
    title: entry.title,
    port: String(port),
    service: entry.service,
    ...(entry.localized ? { localized: true } : {}),
    ...(entry.registered ? { registered: entry.registered } : {}),
    verdict: entry.verdict,
  };
}

export async function lookupPort(port: number): Promise<NumberOutcome> {
  const data = await lookup(port);
  const entry = data.entries[port];
  if (entry) return { kind: 'page', port, hit: entryHit(port, entry) };
  const gap = data.gaps.find(([first, last]) => port >= first && port <= last);
  if (gap) return gap[3] ? { kind: 'gap', port, status: gap[2], note: gap[3] } : { kind: 'gap', port, status: gap[2] };
  const { range, first, last } = rangeOf(port);
  return { kind: 'none', port, range, first, last };
}

/** A page a name found, with what matched when that is not the page's own name. */
async function namedHit(match: NameMatch): Promise<Hit | undefined> {
  const entry = (await lookup(match.port)).entries[match.port];
  if (!entry) return undefined;
  const hit = entryHit(match.port, entry);
  return match.name ? { ...hit, matched: { name: match.name, former: match.via === 'former' } } : hit;
}

/**
 * Whether a page found by name passes the search page's filters. Its range and verdict are known here; its
 * protocols and the kinds of its uses are not, so with those filters only the full-text results answer.
 */
function passes(hit: Hit, filters: Filters): boolean {
  const { range = [], status = [], ...others } = filters;
  if (Object.values(others).some((values) => values.length > 0)) return false;
  if (range.length > 0 && !range.includes(rangeOf(Number(hit.port)).range)) return false;
  return status.length === 0 || (hit.verdict !== undefined && status.includes(hit.verdict));
}

/**
 * The first step of a query: what the lookup and names shards say, without the full-text index. Callers drop
 * outcomes whose query is no longer the one in the field.
 */
export async function quickSearch(query: string, filters: Filters = {}): Promise<Outcome> {
  const text = query.trim();
  const outcome: Outcome = { query, named: [], hits: [], answered: false, partial: text !== '' };
  const parsed = parsePortQuery(text);
  if (parsed.kind === 'out-of-range') return { ...outcome, number: { kind: 'not-port', value: parsed.value } };
  if (parsed.kind === 'port') return { ...outcome, number: await lookupPort(parsed.port), answered: true };
  const name = parseNameQuery(text);
  if (!name) return outcome;
  const resolved = resolveName(name, await names(name.shard));
  const found = await Promise.all(resolved.matches.slice(0, MAX_NAMED).map(namedHit));
  const named = found.filter((hit): hit is Hit => hit !== undefined && passes(hit, filters));
  return {
    ...outcome,
    named,
    answered: resolved.answer !== undefined && named[0]?.port === String(resolved.answer),
  };
}

/**
 * The second step: Pagefind's full-text results for the query (for a number, for the number alone). A page the
 * first step already shows stays where it is and gains its excerpt; the others follow it.
 */
export async function fullSearch(first: Outcome, filters: Filters = {}): Promise<Outcome> {
  const done = { ...first, partial: false };
  const number = first.number;
  if (number?.kind === 'not-port' || !first.query.trim()) return done;
  const text = number ? String(number.port) : first.query.trim();
  const engine = await loadPagefind();
  const response = await engine.search(text, { filters });
  const room = Math.max(MIN_HITS, MAX_RESULTS - first.named.length - (number ? 1 : 0));
  const found = await Promise.all(response.results.slice(0, room + 2).map((result) => result.data()));
  const excerpts = new Map(found.map((data) => [data.url, data.excerpt]));
  const withExcerpt = (hit: Hit): Hit => {
    const excerpt = excerpts.get(hit.url);
    return excerpt && !hit.excerpt ? { ...hit, excerpt } : hit;
  };
  const named = first.named.map(withExcerpt);
  const shown = new Set(named.map((hit) => hit.url));
  if (number?.kind === 'page') {
    shown.add(number.hit.url);
    done.number = { ...number, hit: withExcerpt(number.hit) };
  }
  const hits = found
    .filter((data) => !shown.has(data.url))
    .map((data): Hit => ({
      url: data.url,
      title: data.meta['title'] ?? data.url,
      ...(data.meta['port'] ? { port: data.meta['port'] } : {}),
      ...(data.meta['service'] ? { service: data.meta['service'] } : {}),
      ...(data.meta['localized'] ? { localized: true } : {}),
      ...(data.meta['verdict'] ? { verdict: data.meta['verdict'] as VerdictValue } : {}),
      excerpt: data.excerpt,
    }));
  return { ...done, named, hits: rankHits(hits, text).slice(0, room) };
}
