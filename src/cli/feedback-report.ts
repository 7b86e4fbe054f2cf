/**
 * `npm run feedback:report [-- --json | --csv]`: votes per page and per locale, helpful share, last vote and
 * recent comments, counted by the database the server writes (FEEDBACK_DB_URL, default data/feedback.db).
 * Written out a batch of pages at a time, so its memory does not grow with the store. The npm script caps V8's
 * young generation at 4 MB a half (`--max-semi-space-size=4`): on a machine with much memory V8 otherwise lets it
 * grow to 64 MB a half for this stream of short-lived rows and strings, which doubles the peak RSS for no gain
 * (`npm run bench:report`: 1,000,000 votes on every port number in ~1.2 s and ~130 MB, instead of ~270 MB).
 */
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { toCsv, toJson, toText } from '../lib/feedback/report.ts';
import { openStore } from '../lib/feedback/open.ts';
import { DEFAULT_DB_URL } from '../lib/feedback/store.ts';

const { values } = parseArgs({ options: { json: { type: 'boolean' }, csv: { type: 'boolean' } } });
const store = await openStore(process.env['FEEDBACK_DB_URL'] || DEFAULT_DB_URL, {
  ssl: process.env['FEEDBACK_DB_SSL'],
});
try {
  const pages = store.report();
  const output = values.json ? toJson(pages, 2) : values.csv ? toCsv(pages) : toText(pages);
  for await (const chunk of output) {
    if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
  }
} catch (error) {
  console.error(`feedback:report: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await store.close();
}
