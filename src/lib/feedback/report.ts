/**
 * Per-page results for the site's owner: `npm run feedback:report` and `GET /api/feedback/summary`. The database
 * does the counting (`GROUP BY port`, over a covering index) and picks the recent comments (over a partial index);
 * this module reads the pages a batch at a time and writes each batch out before reading the next, so a store of
 * a million votes on every port number is reported in a second or two and a flat ~100 MB (`npm run bench:report`).
 */
import { stringify } from 'csv-stringify/sync';
import { LOCALES, type Locale } from '../../i18n/locales.ts';
import { RATINGS, type Rating } from './ratings.ts';

export interface PageReport {
  port: number;
  votes: Record<Rating, number>;
  total: number;
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

/**
 * One row per page, for the `$2` pages after port `$1`: its votes by rating and by locale, and its newest vote.
 * Read in port order from the covering index `votes_by_port_locale`, so a batch touches only its own pages'
 * index entries and never the rows. The column names come from the constant lists, never from input.
 */
export const COUNTS_SQL = `SELECT port, COUNT(*) AS total, MAX(updated_at) AS last_vote,
    ${RATINGS.map((rating, i) => `COUNT(*) FILTER (WHERE rating = '${rating}') AS rating_${i}`).join(',\n    ')},
    ${LOCALES.map((locale, i) => `COUNT(*) FILTER (WHERE locale = '${locale}') AS locale_${i}`).join(',\n    ')}
  FROM votes WHERE port > $1 GROUP BY port ORDER BY port LIMIT $2`;

/**
 * The newest comments of the pages from port `$1` to `$2`, at most `$3` each, read from the partial index
 * `votes_by_comment` (only votes with a comment are in it). Each with the answer and the time it was written
 * with: a reader who comments under "Not helpful" and later answers "Helpful" said the comment about the page
 * they found not helpful.
 */
export const COMMENTS_SQL = `SELECT port, commented_at, comment_rating, locale, comment, reasons FROM (
    SELECT port, commented_at, comment_rating, locale, comment, reasons,
           ROW_NUMBER() OVER (PARTITION BY port ORDER BY commented_at DESC) AS n
    FROM votes WHERE comment IS NOT NULL AND port BETWEEN $1 AND $2) ranked
  WHERE n <= $3 ORDER BY port, n`;

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
export type ReportQuery = <Row>(sql: string, args: readonly number[]) => Promise<Iterable<Row>>;

/**
 * Every page with votes, in port order, a batch of pages at a time: memory holds one batch, however many votes
 * and pages the store has. Both backends and both readers (`feedback:report`, the summary endpoint) use this.
 */
export async function* readReport(
  query: ReportQuery,
  { recentComments = RECENT_COMMENTS, batch = REPORT_BATCH }: ReportOptions = {},
): AsyncGenerator<PageReport> {
  for (let after = -1; ;) {
    const counts = [...(await query<CountRow>(COUNTS_SQL, [after, batch]))];
    if (counts.length === 0) return;
    const pages = new Map(counts.map((row) => [Number(row.port), page(row)]));
    const first = Number(counts[0]!.port);
    const last = Number(counts.at(-1)!.port);
    if (recentComments > 0) {
      for (const row of await query<CommentRow>(COMMENTS_SQL, [first, last, recentComments])) {
        pages.get(Number(row.port))?.recentComments.push({
          at: row.commented_at,
          rating: row.comment_rating as Rating,
          locale: row.locale as Locale,
          comment: row.comment,
          reasons: JSON.parse(row.reasons) as string[],
        });
      }
    }
    yield* pages.values();
    if (counts.length < batch) return;
    after = last;
  }
}

export interface ReportOptions {
  /** Newest comments shown per page. */
  recentComments?: number;
  /** Pages per batch (one round trip each to PostgreSQL). */
  batch?: number;
}

function page(row: CountRow): PageReport {
  const votes = Object.fromEntries(RATINGS.map((r, i) => [r, Number(row[`rating_${i}`])])) as Record<Rating, number>;
  const total = Number(row.total);
  return {
    port: Number(row.port),
    votes,
    total,
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
  ...RATINGS,
  'total',
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
    'not-helpful': page.votes['not-helpful'],
    somewhat: page.votes.somewhat,
    helpful: page.votes.helpful,
    total: page.total,
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
    `Port ${page.port}: ${page.total} vote${page.total === 1 ? '' : 's'} — 😔 ${page.votes['not-helpful']}  🤨 ${page.votes.somewhat}  😃 ${page.votes.helpful}` +
    `  (${Math.round(page.helpfulShare * 100)}% helpful; ${locales}; last ${page.lastVote})\n`;
  for (const c of page.recentComments) {
    text += `    ${c.at.slice(0, 16).replace('T', ' ')} [${c.locale}, ${c.rating}${c.reasons.length ? `; ${c.reasons.join(', ')}` : ''}] ${c.comment.replace(/\s+/g, ' ')}\n`;
  }
  return text;
}

/** The report as text for a terminal, a line per page and one per recent comment, written as it is read. */
export function toText(pages: AsyncIterable<PageReport>): AsyncGenerator<string> {
  return chunked(
    (async function* () {
      let empty = true;
      for await (const page of pages) {
        empty = false;
        yield textOf(page);
      }
      if (empty) yield 'No votes yet.\n';
    })(),
  );
}
