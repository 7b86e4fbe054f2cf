/**
 * The command line of `npm run feedback:report`, read without touching the store, so a mistyped flag costs no
 * connection and the help works without a database. A mistake is a `UsageError`: the command prints it with a
 * pointer to `--help` and exits with status 2, the usual status for a bad command line.
 */
import { parseArgs } from 'node:util';
import { SORTS, type Sort } from './report.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ReportArgs {
  format: 'text' | 'json' | 'csv';
  sort: Sort;
  since?: string | undefined;
  until?: string | undefined;
  /** The build's `/ports.json`, for which numbers have a page; `undefined` when not asked for by name. */
  pagesFile?: string | undefined;
  /** Skip the list of pages: every number is listed alike. */
  noPages: boolean;
}

/** Where `npm run build` writes the list of pages (src/pages/ports.json.ts), from the project's folder. */
export const DEFAULT_PAGES_FILE = 'dist/ports.json';

export const HELP = `Usage: npm run feedback:report [-- options]

Votes per page of the site: counts by answer and language, how many networks they came
from, the helpful share, the last vote and each page's newest comments. Reads the store
the server writes: FEEDBACK_DB_URL (default file:data/feedback.db), FEEDBACK_DB_SSL.

Options:
  --json               JSON array, one object per page
  --csv                CSV, one row per page (a comment that looks like a formula is text)
  --sort ORDER         problems  most "not helpful" first, then lowest helpful share (default)
                       port      by port number
                       votes     most votes first
                       recent    newest vote first
  --since YYYY-MM-DD   only votes from this day on (UTC)
  --until YYYY-MM-DD   only votes up to and including this day (UTC)
  --pages FILE         the build's list of pages (default ${DEFAULT_PAGES_FILE}, if present):
                       numbers without a page of their own are listed last, apart
  --no-pages           do not read the list; every number is listed alike
  -h, --help           this help

"networks" counts the networks a page's votes came from (an IPv4 address, an IPv6 /64),
each once per day it voted: a network's code changes every day, by design.

Examples:
  npm run feedback:report -- --since 2026-11-01 --until 2026-11-30
  npm run feedback:report -- --csv --sort port > feedback.csv
`;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A `YYYY-MM-DD` that is a day of the calendar (2026-02-30 is not). */
function day(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const match = DAY.exec(value);
  const date = match ? new Date(`${value}T00:00:00Z`) : undefined;
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw new UsageError(`${flag} wants a day as YYYY-MM-DD, such as 2026-11-30, not '${value}'`);
  }
  return value;
}

/** Reads the report's arguments; `'help'` when help was asked for, whatever else was given. */
export function parseReportArgs(args: readonly string[]): ReportArgs | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        json: { type: 'boolean' },
        csv: { type: 'boolean' },
        sort: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        pages: { type: 'string' },
        'no-pages': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // parseArgs says what was wrong ("Unknown option '--jsn'") and then how to pass it as a value; the first
    // sentence is the useful one here.
    if (args.includes('--help') || args.includes('-h')) return 'help';
    throw new UsageError((error as Error).message.split('. ')[0]!.replace(/\.$/, ''));
  }
  if (values.help) return 'help';
  if (values.json && values.csv) throw new UsageError('--json and --csv: choose one format');
  const sort = values.sort ?? 'problems';
  if (!(SORTS as readonly string[]).includes(sort)) {
    throw new UsageError(`--sort is one of ${SORTS.join(', ')}, not '${sort}'`);
  }
  if (values.pages !== undefined && values['no-pages']) throw new UsageError('--pages and --no-pages: choose one');
  const since = day('--since', values.since);
  const until = day('--until', values.until);
  if (since && until && since > until) throw new UsageError(`--since ${since} is after --until ${until}`);
  return {
    format: values.json ? 'json' : values.csv ? 'csv' : 'text',
    sort: sort as Sort,
    since,
    until,
    pagesFile: values.pages,
    noPages: values['no-pages'] ?? false,
  };
}

/** The port numbers listed in a `/ports.json` (`{ ports: [{ port }] }`); a UsageError if it is not one. */
export function pagesFrom(text: string, file: string): Set<number> {
  let ports: unknown;
  try {
    ports = (JSON.parse(text) as { ports?: unknown }).ports;
  } catch {
    ports = undefined;
  }
  if (!Array.isArray(ports) || !ports.every((p) => Number.isInteger((p as { port?: unknown } | null)?.port))) {
    throw new UsageError(`${file} is not the build's ports.json (an object with a 'ports' list of { port })`);
  }
  return new Set(ports.map((p) => (p as { port: number }).port));
}
