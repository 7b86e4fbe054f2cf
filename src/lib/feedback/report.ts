/**
 * Per-page results for the site's owner: `npm run feedback:report` and `GET /api/feedback/summary`. The database
 * does the counting (`GROUP BY`, over an index); this module only shapes what the two queries return, so a
 * store of a million votes is reported in one pass without loading the votes.
 */
import { stringify } from 'csv-stringify/sync';
import { LOCALES, type Locale } from '../../i18n/locales.ts';
import { RATINGS, type Rating } from './schema.ts';

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

/** Votes per page, locale and rating: at most a few rows per page, whatever the number of votes. */
export const COUNTS_SQL = `SELECT port, locale, rating, COUNT(*) AS n, MAX(updated_at) AS last_vote
  FROM votes GROUP BY port, locale, rating ORDER BY port`;

/** The newest comments of every page, at most `$1` each. */
export const COMMENTS_SQL = `SELECT port, updated_at, rating, locale, comment, reasons FROM (
    SELECT port, updated_at, rating, locale, comment, reasons,
           ROW_NUMBER() OVER (PARTITION BY port ORDER BY updated_at DESC) AS n
    FROM votes WHERE comment IS NOT NULL) ranked
  WHERE n <= $1 ORDER BY port, n`;

/** PostgreSQL sends integers as numbers, counts (bigint) as text; SQLite sends both as numbers. */
export interface CountRow {
  port: number | string;
  locale: string;
  rating: string;
  n: number | string;
  last_vote: string;
}

export interface CommentRow {
  port: number | string;
  updated_at: string;
  rating: string;
  locale: string;
  comment: string;
  reasons: string;
}

const zero = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** Shapes the two queries' rows into one report entry per page, in port order. */
export function buildReport(counts: Iterable<CountRow>, comments: Iterable<CommentRow>): PageReport[] {
  const pages = new Map<number, PageReport>();
  for (const row of counts) {
    const port = Number(row.port);
    let page = pages.get(port);
    if (!page) {
      page = {
        port,
        votes: zero(RATINGS),
        total: 0,
        helpfulShare: 0,
        locales: zero(LOCALES),
        lastVote: '',
        recentComments: [],
      };
      pages.set(port, page);
    }
    const n = Number(row.n);
    page.votes[row.rating as Rating] += n;
    if (row.locale in page.locales) page.locales[row.locale as Locale] += n;
    page.total += n;
    if (row.last_vote > page.lastVote) page.lastVote = row.last_vote;
  }
  for (const page of pages.values()) page.helpfulShare = Number((page.votes.helpful / page.total).toFixed(3));
  for (const row of comments) {
    pages.get(Number(row.port))?.recentComments.push({
      at: row.updated_at,
      rating: row.rating as Rating,
      locale: row.locale as Locale,
      comment: row.comment,
      reasons: JSON.parse(row.reasons) as string[],
    });
  }
  return [...pages.values()].sort((a, b) => a.port - b.port);
}

export function toCsv(report: readonly PageReport[]): string {
  return stringify(
    report.map((page) => ({
      port: page.port,
      'not-helpful': page.votes['not-helpful'],
      somewhat: page.votes.somewhat,
      helpful: page.votes.helpful,
      total: page.total,
      helpful_share: page.helpfulShare,
      ...Object.fromEntries(LOCALES.map((locale) => [`votes_${locale}`, page.locales[locale]])),
      last_vote: page.lastVote,
      recent_comments: page.recentComments.map((c) => c.comment).join(' | '),
    })),
    { header: true },
  );
}

export function toText(report: readonly PageReport[]): string {
  if (report.length === 0) return 'No votes yet.\n';
  const lines: string[] = [];
  for (const page of report) {
    const locales = LOCALES.filter((l) => page.locales[l] > 0)
      .map((l) => `${l} ${page.locales[l]}`)
      .join(', ');
    lines.push(
      `Port ${page.port}: ${page.total} vote${page.total === 1 ? '' : 's'} — 😔 ${page.votes['not-helpful']}  🤨 ${page.votes.somewhat}  😃 ${page.votes.helpful}` +
        `  (${Math.round(page.helpfulShare * 100)}% helpful; ${locales}; last ${page.lastVote})`,
    );
    for (const c of page.recentComments) {
      lines.push(
        `    ${c.at.slice(0, 16).replace('T', ' ')} [${c.locale}, ${c.rating}${c.reasons.length ? `; ${c.reasons.join(', ')}` : ''}] ${c.comment.replace(/\s+/g, ' ')}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
