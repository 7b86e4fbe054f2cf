/** Per-page results for the site's owner: the CLI (`npm run feedback:report`) and the summary endpoint share it. */
import { stringify } from 'csv-stringify/sync';
import { RATINGS, type Rating } from './schema.ts';
import type { StoredVote } from './store.ts';

export interface PageReport {
  port: number;
  votes: Record<Rating, number>;
  total: number;
  /** Share of votes that said "helpful", 0–1. */
  helpfulShare: number;
  lastVote: string;
  recentComments: { at: string; rating: Rating; comment: string; reasons: string[] }[];
}

const RECENT = 5;

export function summarize(votes: readonly StoredVote[]): PageReport[] {
  const pages = new Map<number, StoredVote[]>();
  for (const vote of votes) pages.set(vote.port, [...(pages.get(vote.port) ?? []), vote]);
  return [...pages]
    .sort(([a], [b]) => a - b)
    .map(([port, list]) => {
      const counts = Object.fromEntries(RATINGS.map((r) => [r, list.filter((v) => v.rating === r).length])) as Record<
        Rating,
        number
      >;
      const sorted = [...list].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
      return {
        port,
        votes: counts,
        total: list.length,
        helpfulShare: Number((counts.helpful / list.length).toFixed(3)),
        lastVote: sorted[0]!.updatedAt,
        recentComments: sorted
          .filter((v) => v.comment)
          .slice(0, RECENT)
          .map((v) => ({ at: v.updatedAt, rating: v.rating, comment: v.comment!, reasons: v.reasons })),
      };
    });
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
    lines.push(
      `Port ${page.port}: ${page.total} vote${page.total === 1 ? '' : 's'} — 😔 ${page.votes['not-helpful']}  🤨 ${page.votes.somewhat}  😃 ${page.votes.helpful}` +
        `  (${Math.round(page.helpfulShare * 100)}% helpful; last ${page.lastVote})`,
    );
    for (const c of page.recentComments) {
      lines.push(
        `    ${c.at.slice(0, 16).replace('T', ' ')} [${c.rating}${c.reasons.length ? `; ${c.reasons.join(', ')}` : ''}] ${c.comment.replace(/\s+/g, ' ')}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
