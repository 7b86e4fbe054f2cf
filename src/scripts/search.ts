/**
 * The search engine both search UIs share: an exact port-number lookup from the static shards
 * (`/lookup/N.json`) first, then Pagefind's full-text results. Nothing is fetched until the first query or
 * focus: Pagefind's files are loaded by `loadPagefind()`, shards by `lookupPort()`.
 */
import type { LookupEntry, LookupGap } from '../data/lookup.ts';
import { format } from '../i18n/format.ts';
import { parsePortQuery } from '../lib/ports/query.ts';
import { rangeOf, type PortRange } from '../lib/ports/range.ts';
import { lookupShard } from '../lib/search/lookup.ts';

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
  | { kind: 'gap'; port: number; label: LookupGap[2] }
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

interface Shard {
  entries: Record<string, Omit<LookupEntry, 'port'>>;
  gaps: LookupGap[];
}
const shards = new Map<number, Promise<Shard | null>>();

async function shard(n: number): Promise<Shard | null> {
  let pending = shards.get(n);
  if (!pending) {
    pending = fetch(`/lookup/${n}.json`).then((r) => (r.ok ? (r.json() as Promise<Shard>) : null));
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
  if (gap) return { kind: 'gap', port, label: gap[2] };
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

/** Appends Pagefind's excerpt to `parent` as text and `<mark>` elements; never as HTML. */
export function appendExcerpt(parent: HTMLElement, excerpt: string): void {
  excerpt.split(/(<mark>.*?<\/mark>)/).forEach((part) => {
    const marked = /^<mark>(.*)<\/mark>$/.exec(part);
    const text = decodeEntities(marked ? marked[1]! : part);
    if (!text) return;
    if (marked) {
      const mark = document.createElement('mark');
      mark.textContent = text;
      parent.append(mark);
    } else {
      parent.append(text);
    }
  });
}

function decodeEntities(text: string): string {
  return text.replace(
    /&(amp|lt|gt|quot|#39|#x27);/g,
    (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" })[name] ?? '',
  );
}

/** UI strings the element reads from its `data-strings` (filled from src/i18n/ui.ts). */
export interface SearchStrings {
  exact: string;
  one: string;
  many: string;
  none: string;
  noPage: string;
  notPort: string;
  gap: string;
  failed: string;
  registered: string;
  ranges: Record<string, string>;
}

/** Text for a number lookup that found no page, or undefined. */
export function numberNotice(outcome: Outcome, s: SearchStrings): string | undefined {
  const n = outcome.number;
  if (!n || n.kind === 'page') return undefined;
  if (n.kind === 'not-port') return format(s.notPort, { value: n.value });
  if (n.kind === 'gap') return format(s.gap, { port: n.port, label: n.label.toLowerCase() });
  return format(s.noPage, {
    port: n.port,
    range: (s.ranges[n.range] ?? n.range).toLowerCase(),
    first: n.first,
    last: n.last,
  });
}

/**
 * One result as a list item: port number and service, title, and the excerpt. In the header combobox it is an
 * option whose link is reached with the arrow keys (`id` set); on the search page, a plain link.
 */
export function renderHit(hit: Hit, options: { id?: string; title?: string } = {}): HTMLLIElement {
  const item = document.createElement('li');
  const link = document.createElement('a');
  link.href = hit.url;
  if (options.id) {
    item.id = options.id;
    item.setAttribute('role', 'option');
    item.setAttribute('aria-selected', 'false');
    link.tabIndex = -1;
  }
  const title = document.createElement('span');
  title.className = 'title';
  title.textContent = options.title ?? hit.title;
  link.append(title);
  if (hit.port || hit.service) {
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = [hit.port && `Port ${hit.port}`, hit.service].filter(Boolean).join(' · ');
    link.append(meta);
  }
  if (hit.excerpt) {
    const excerpt = document.createElement('span');
    excerpt.className = 'excerpt';
    appendExcerpt(excerpt, hit.excerpt);
    link.append(excerpt);
  }
  item.append(link);
  return item;
}

/** The result items for an outcome, the exact number match first. */
export function renderOutcome(outcome: Outcome, s: SearchStrings, idPrefix?: string): HTMLLIElement[] {
  const items: HTMLLIElement[] = [];
  const id = (suffix: string) => (idPrefix ? { id: `${idPrefix}-${suffix}` } : {});
  if (outcome.number?.kind === 'page') {
    const { hit, port } = outcome.number;
    const registered = hit.registered ? format(s.registered, { date: hit.registered }) : '';
    items.push(renderHit(hit, { ...id('exact'), title: format(s.exact, { port, title: hit.title }) + registered }));
  }
  outcome.hits.forEach((hit, i) => items.push(renderHit(hit, id(String(i)))));
  return items;
}

/** What to say besides the results: about the number, or that nothing matched. */
export function notice(outcome: Outcome, count: number, s: SearchStrings): string | undefined {
  return numberNotice(outcome, s) ?? (count === 0 ? format(s.none, { query: outcome.query.trim() }) : undefined);
}

/** The live-region text: how many results, and any notice. */
export function summary(outcome: Outcome, count: number, s: SearchStrings): string {
  return [count === 1 ? s.one : format(s.many, { count }), notice(outcome, count, s)].filter(Boolean).join('. ');
}
