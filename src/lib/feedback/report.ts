/**
 * Per-page results for the site's owner: `npm run feedback:report` and `GET /api/feedback/summary`. The database
 * does the counting (`GROUP BY port`, over covering indexes) and picks the recent comments (over a partial index);
 * this module reads the pages a batch at a time and writes each batch out before reading the next, so a store of
 * a million votes on every port number is reported in a second or two and a flat ~100 MB (`npm run bench:report`).
 *
 * Pages come in port order, or sorted by what needs attention (`sort`: most "not helpful" first): then a few
 * numbers per page are read for every page and sorted first, and the pages read whole a batch at a time in that
 * order. A date window (`since`, `until`) keeps the votes of those days (UTC) only. When the list of pages
 * is known (`pages`), numbers without a page of their own come after the others.
 */
import { stringify } from 'csv-stringify/sync';
import { LOCALES, type Locale } from '../../i18n/locales.ts';
import { RATINGS, type Rating } from './ratings.ts';

export interface PageReport {
  port: number;
  votes: Record<Rating, number>;
  total: number;
  /**
   * How many networks the votes came from, each counted once a day (a network's code changes with the day's
   * key): votes far above it mean a few networks voted a lot. A count, never a network.
   */
  networks: number;
  /**
   * Whether the number has a page of its own on the site (feedback:report reads the build's list); absent when
   * unknown. Votes on a number without one are about the site's answer for any number, not an article or a
   * registry entry, so such numbers come after the others in every order.
   */
  hasPage?: boolean;
  /** Share of votes that said "helpful", 0–1. */
  helpfulShare: number;
  /** Votes by the language of the page they were cast on. */
  locales: Record<Locale, number>;
  lastVote: string;
  recentComments: { at: string; rating: Rating; locale: Locale; comment: string; reasons: string[] }[];
}

export const RECENT_COMMENTS = 5;

/** Pages read per batch: few enough that memory stays flat (see `npm run bench:report`). */
export const REPORT_BATCH = 250;

/** `AND day BETWEEN …` for a date window, with the parameter numbers it takes; nothing without one. */
const windowed = (window: boolean, from: number) => (window ? ` AND day BETWEEN $${from} AND $${from + 1}` : '');

/** `port IN` the ports of the JSON array `$n`, as each database reads one. */
const inList = (dialect: Dialect, n: number) =>
  dialect === 'sqlite'
    ? `port IN (SELECT value FROM json_each($${n}))`
    : `port IN (SELECT value::integer FROM jsonb_array_elements_text($${n}::jsonb))`;

/**
 * One row per page: its votes by rating and by locale, and its newest vote; for the `$2` pages after port `$1`
 * (`after`, in port order) or the pages in the JSON array `$1` (`list`). Read from the covering index
 * `votes_by_port_locale`, so a batch touches only its own pages' index entries and never the rows (a date
 * window, the two parameters after those, reads the rows). The column names come from the constant lists, never
 * from input.
 */
export const countsSql = (dialect: Dialect, pages: 'after' | 'list', window = false) => `SELECT port,
    COUNT(*) AS total, MAX(updated_at) AS last_vote,
    ${RATINGS.map((rating, i) => `COUNT(*) FILTER (WHERE rating = '${rating}') AS rating_${i}`).join(',\n    ')},
    ${LOCALES.map((locale, i) => `COUNT(*) FILTER (WHERE locale = '${locale}') AS locale_${i}`).join(',\n    ')}
  FROM votes WHERE ${pages === 'after' ? 'port > $1' : inList(dialect, 1)}${windowed(window, pages === 'after' ? 3 : 2)}
  GROUP BY port ORDER BY port${pages === 'after' ? ' LIMIT $2' : ''}`;

/** The networks of the pages in the JSON array `$1`, from the index `votes_by_network` alone. */
export const networksSql = (dialect: Dialect, window = false) => `SELECT port, COUNT(DISTINCT network) AS networks
  FROM votes WHERE ${inList(dialect, 1)}${windowed(window, 2)} GROUP BY port`;

/**
 * The newest comments of the pages in the JSON array `$2`, at most `$1` each, read from the partial index
 * `votes_by_comment` (only votes with a comment are in it). Each with the answer and the time it was written
 * with: a reader who comments under "Not helpful" and later answers "Helpful" said the comment about the page
 * they found not helpful.
 */
export const commentsSql = (dialect: Dialect, window = false) => `SELECT port, commented_at, comment_rating, locale,
    comment, reasons FROM (
    SELECT port, commented_at, comment_rating, locale, comment, reasons,
           ROW_NUMBER() OVER (PARTITION BY port ORDER BY commented_at DESC) AS n
    FROM votes WHERE comment IS NOT NULL AND ${inList(dialect, 2)}${windowed(window, 3)}) ranked
  WHERE n <= $1 ORDER BY port, n`;

export type Dialect = 'sqlite' | 'postgres';

/** PostgreSQL sends integers as numbers, counts (bigint) as text; SQLite sends both as numbers. */
type Count = number | string;
export type CountRow = { port: Count; total: Count; last_vote: string } & Record<
  `rating_${number}` | `locale_${number}`,
  Count
>;

export interface CommentRow {
  port: Count;
  commented_at: string;
  comment_rating: string;
  locale: string;
  comment: string;
  reasons: string;
}

/** Runs one of the report's queries with its parameters and returns the rows. */
export type ReportQuery = <Row>(sql: string, args: readonly (number | string)[]) => Promise<Iterable<Row>>;

/** How the pages are ordered: by port, or most in need of attention first. */
export const SORTS = ['problems', 'port', 'votes', 'recent'] as const;
export type Sort = (typeof SORTS)[number];

export interface ReportOptions {
  /** Newest comments shown per page. */
  recentComments?: number;
  /** Pages per batch (one round trip each to PostgreSQL). */
  batch?: number;
  /** `port` (the default) streams in port order; the others sort every page first (see the module's comment). */
  sort?: Sort;
  /** Only the votes of these days, `YYYY-MM-DD`, both included. */
  since?: string | undefined;
  until?: string | undefined;
  /** Port numbers that have a page on the site, when known: each page says whether it has one. */
  pages?: ReadonlySet<number> | undefined;
}

/** What a sorted report keeps of every page until it is read whole: a few numbers. */
interface SortKey {
  port: number;
  notHelpful: number;
  helpfulShare: number;
  total: number;
  lastVote: string;
  pageless: boolean;
}

/**
 * Most "not helpful" votes first, then the lowest helpful share, the most votes, the lowest port: what a maintainer
 * should read first. `votes` by most votes, `recent` by newest vote.
 */
const ORDER: Record<Exclude<Sort, 'port'>, (a: SortKey, b: SortKey) => number> = {
  problems: (a, b) =>
    b.notHelpful - a.notHelpful || a.helpfulShare - b.helpfulShare || b.total - a.total || a.port - b.port,
  votes: (a, b) => b.total - a.total || a.port - b.port,
  recent: (a, b) => (a.lastVote < b.lastVote ? 1 : a.lastVote > b.lastVote ? -1 : a.port - b.port),
};

/**
 * Every page with votes, a batch of pages at a time: memory holds one batch, and when sorted a few numbers for
 * every page. Numbers without a page (when the pages are known) are kept back as port numbers and read after
 * the others, a batch at a time. Both backends and both readers (`feedback:report`, the summary endpoint) use
 * this, inside one read transaction, so every query sees the same votes.
 */
export async function* readReport(
  query: ReportQuery,
  dialect: Dialect,
  options: ReportOptions = {},
): AsyncGenerator<PageReport> {
  const { recentComments = RECENT_COMMENTS, batch = REPORT_BATCH, sort = 'port', pages: known } = options;
  const window = options.since !== undefined || options.until !== undefined;
  const days = window ? [options.since ?? '0000-00-00', options.until ?? '9999-12-31'] : [];
  const countsAfter = (after: number) => query<CountRow>(countsSql(dialect, 'after', window), [after, batch, ...days]);
  /** Adds networks and comments to counted pages. */
  const complete = async (pages: PageReport[]): Promise<PageReport[]> => {
    if (pages.length === 0) return pages;
    const byPort = new Map(pages.map((p) => [p.port, p]));
    const list = JSON.stringify(pages.map((p) => p.port));
    for (const row of await query<{ port: Count; networks: Count }>(networksSql(dialect, window), [list, ...days])) {
      const found = byPort.get(Number(row.port));
      if (found) found.networks = Number(row.networks);
    }
    if (recentComments === 0) return pages;
    for (const row of await query<CommentRow>(commentsSql(dialect, window), [recentComments, list, ...days])) {
      byPort.get(Number(row.port))?.recentComments.push({
        at: row.commented_at,
        rating: row.comment_rating as Rating,
        locale: row.locale as Locale,
        comment: row.comment,
        reasons: JSON.parse(row.reasons) as string[],
      });
    }
    return pages;
  };
  /** The pages of these ports, whole, in the order given. */
  const whole = async (ports: number[]): Promise<PageReport[]> => {
    const rows = await query<CountRow>(countsSql(dialect, 'list', window), [JSON.stringify(ports), ...days]);
    const byPort = new Map([...rows].map((row) => [Number(row.port), page(row, known)]));
    return complete(ports.flatMap((port) => byPort.get(port) ?? []));
  };

  const later: number[] = [];
  if (sort === 'port') {
    for (let after = -1; ;) {
      const counts = [...(await countsAfter(after))];
      const pages = counts.map((row) => page(row, known));
      yield* await complete(pages.filter((p) => p.hasPage !== false));
      later.push(...pages.filter((p) => p.hasPage === false).map((p) => p.port));
      if (counts.length < batch) break;
      after = pages.at(-1)!.port;
    }
  } else {
    const keys: SortKey[] = [];
    for (let after = -1; ;) {
      const counts = [...(await countsAfter(after))];
      for (const row of counts) {
        const { port, votes, helpfulShare, total, lastVote, hasPage } = page(row, known);
        keys.push({
          port,
          notHelpful: votes['not-helpful'],
          helpfulShare,
          total,
          lastVote,
          pageless: hasPage === false,
        });
      }
      if (counts.length < batch) break;
      after = keys.at(-1)!.port;
    }
    keys.sort(ORDER[sort]);
    const ports = (pageless: boolean) => keys.filter((k) => k.pageless === pageless).map((k) => k.port);
    for (let start = 0, first = ports(false); start < first.length; start += batch) {
      yield* await whole(first.slice(start, start + batch));
    }
    later.push(...ports(true));
  }
  for (let start = 0; start < later.length; start += batch) yield* await whole(later.slice(start, start + batch));
}

function page(row: CountRow, pages: ReadonlySet<number> | undefined): PageReport {
  const votes = Object.fromEntries(RATINGS.map((r, i) => [r, Number(row[`rating_${i}`])])) as Record<Rating, number>;
  const total = Number(row.total);
  const port = Number(row.port);
  return {
    port,
    votes,
    total,
    networks: 0,
    ...(pages ? { hasPage: pages.has(port) } : {}),
    helpfulShare: Number((votes.helpful / total).toFixed(3)),
    locales: Object.fromEntries(LOCALES.map((l, i) => [l, Number(row[`locale_${i}`])])) as Record<Locale, number>,
    lastVote: row.last_vote,
    recentComments: [],
  };
}

/** Joins what `parts` yields into strings of about `size` characters, so a long report is written in few calls. */
async function* chunked(parts: AsyncIterable<string>, size = 64 * 1024): AsyncGenerator<string> {
  let buffer = '';
  for await (const part of parts) {
    buffer += part;
    if (buffer.length >= size) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer) yield buffer;
}

/** The report as one JSON array, written as it is read; `indent` as in JSON.stringify. */
export function toJson(pages: AsyncIterable<PageReport>, indent = 0): AsyncGenerator<string> {
  return chunked(
    (async function* () {
      const pad = indent > 0 ? `\n${' '.repeat(indent)}` : '';
      let first = true;
      for await (const page of pages) {
        const json = JSON.stringify(page, null, indent);
        yield `${first ? '[' : ','}${pad}${indent > 0 ? json.replaceAll('\n', pad) : json}`;
        first = false;
      }
      yield first ? '[]' : `${indent > 0 ? '\n' : ''}]`;
      if (indent > 0) yield '\n';
    })(),
  );
}

/** Named, so a store without votes still gets its header line. */
const CSV_COLUMNS = [
  'port',
  'has_page',
  ...RATINGS,
  'total',
  'networks',
  'helpful_share',
  ...LOCALES.map((locale) => `votes_${locale}`),
  'last_vote',
  'recent_comments',
];

/**
 * A cell a spreadsheet would take for a formula (`=HYPERLINK(…)`, `+`, `-`, `@`, or a tab or carriage return
 * before one) is written with a leading apostrophe, which spreadsheets show as text: a reader's comment must not
 * run in the maintainer's spreadsheet. https://owasp.org/www-community/attacks/CSV_Injection
 */
export function csvText(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function csvRow(page: PageReport) {
  return {
    port: page.port,
    // Empty when the report did not know which numbers have pages.
    has_page: page.hasPage === undefined ? '' : page.hasPage ? 'yes' : 'no',
    'not-helpful': page.votes['not-helpful'],
    somewhat: page.votes.somewhat,
    helpful: page.votes.helpful,
    total: page.total,
    networks: page.networks,
    helpful_share: page.helpfulShare,
    ...Object.fromEntries(LOCALES.map((locale) => [`votes_${locale}`, page.locales[locale]])),
    last_vote: page.lastVote,
    recent_comments: csvText(page.recentComments.map((c) => c.comment).join(' | ')),
  };
}

/** The report as CSV with a header line, written as it is read. */
export async function* toCsv(pages: AsyncIterable<PageReport>): AsyncGenerator<string> {
  let rows: ReturnType<typeof csvRow>[] = [];
  let header = true;
  for await (const page of pages) {
    rows.push(csvRow(page));
    if (rows.length === REPORT_BATCH) {
      yield stringify(rows, { header, columns: CSV_COLUMNS });
      header = false;
      rows = [];
    }
  }
  // The last rows or, with no votes at all, the header alone.
  if (rows.length > 0 || header) yield stringify(rows, { header, columns: CSV_COLUMNS });
}

function textOf(page: PageReport): string {
  const locales = LOCALES.filter((l) => page.locales[l] > 0)
    .map((l) => `${l} ${page.locales[l]}`)
    .join(', ');
  let text =
    `Port ${page.port}: ${page.total} vote${page.total === 1 ? '' : 's'} from ${page.networks} network${page.networks === 1 ? '' : 's'}` +
    ` — 😔 ${page.votes['not-helpful']}  🤨 ${page.votes.somewhat}  😃 ${page.votes.helpful}` +
    `  (${Math.round(page.helpfulShare * 100)}% helpful; ${locales}; last ${page.lastVote})\n`;
  for (const c of page.recentComments) {
    text += `    ${c.at.slice(0, 16).replace('T', ' ')} [${c.locale}, ${c.rating}${c.reasons.length ? `; ${c.reasons.join(', ')}` : ''}] ${c.comment.replace(/\s+/g, ' ')}\n`;
  }
  return text;
}

/**
 * The report as text for a terminal, a line per page and one per recent comment, written as it is read. Numbers
 * without a page of their own (they come last, when the report knows which have one) are under a heading.
 */
export function toText(pages: AsyncIterable<PageReport>): AsyncGenerator<string> {
  return chunked(
    (async function* () {
      let empty = true;
      let pageless = false;
      for await (const page of pages) {
        empty = false;
        if (page.hasPage === false && !pageless) {
          pageless = true;
          yield '\nNumbers without a page of their own:\n';
        }
        yield textOf(page);
      }
      if (empty) yield 'No votes yet.\n';
    })(),
  );
}
