/**
 * `npm run feedback:report [-- options]` (`-- --help` lists them: format, order, date window, list of pages):
 * votes per page and per locale, networks, helpful share, last vote and recent comments, counted by the database
 * the server writes (FEEDBACK_DB_URL, default data/feedback.db). Written out a batch of pages at a time, so its
 * memory does not grow with the store. The npm script caps V8's young generation at 4 MB a half
 * (`--max-semi-space-size=4`): on a machine with much memory V8 otherwise lets it grow to 64 MB a half for this
 * stream of short-lived rows and strings, which doubles the peak RSS for no gain (`npm run bench:report`:
 * 1,000,000 votes on every port number in ~1.2 s and ~130 MB, instead of ~270 MB).
 *
 * Exit status: 0 done, 1 the store could not be read, 2 a bad command line (nothing is opened then).
 */
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { toCsv, toJson, toText } from '../lib/feedback/report.ts';
import { DEFAULT_PAGES_FILE, HELP, pagesFrom, parseReportArgs, UsageError } from '../lib/feedback/report-args.ts';
import { openStore } from '../lib/feedback/open.ts';
import { DEFAULT_DB_URL } from '../lib/feedback/store.ts';

const write = async (chunk: string) => {
  if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
};

/** The list of pages named, or the build's when there is one; undefined: every number listed alike. */
function readPages(file: string | undefined, noPages: boolean): Set<number> | undefined {
  if (noPages) return undefined;
  if (file === undefined && !existsSync(DEFAULT_PAGES_FILE)) {
    console.error(
      `feedback:report: no ${DEFAULT_PAGES_FILE} (npm run build writes it), so numbers without a page are listed with the others; --pages FILE names one`,
    );
    return undefined;
  }
  const path = file ?? DEFAULT_PAGES_FILE;
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --pages ${path}: ${(error as Error).message}`);
  }
  return pagesFrom(text, path);
}

let args;
let pages;
try {
  args = parseReportArgs(process.argv.slice(2));
  if (args !== 'help') pages = readPages(args.pagesFile, args.noPages);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`feedback:report: ${error.message}\nTry 'npm run feedback:report -- --help'.`);
  process.exit(2);
}

if (args === 'help') {
  await write(HELP);
} else {
  const store = await openStore(process.env['FEEDBACK_DB_URL'] || DEFAULT_DB_URL, {
    ssl: process.env['FEEDBACK_DB_SSL'],
  });
  try {
    const report = store.report({ sort: args.sort, since: args.since, until: args.until, pages });
    const output = args.format === 'json' ? toJson(report, 2) : args.format === 'csv' ? toCsv(report) : toText(report);
    for await (const chunk of output) await write(chunk);
  } catch (error) {
    console.error(`feedback:report: ${(error as Error).message}`);
    process.exitCode = 1;
  } finally {
    await store.close();
  }
}
