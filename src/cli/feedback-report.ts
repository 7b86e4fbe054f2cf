/**
 * `npm run feedback:report [-- --json | --csv]`: votes per page and per locale, helpful share, last vote and
 * recent comments, counted by the database the server writes (FEEDBACK_DB_URL, default data/feedback.db).
 * Written out a batch of pages at a time, so its memory does not grow with the store.
 */
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { toCsv, toJson, toText } from '../lib/feedback/report.ts';
import { DEFAULT_DB_URL, openStore } from '../lib/feedback/store.ts';

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
