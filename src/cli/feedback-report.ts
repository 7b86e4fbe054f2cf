/**
 * `npm run feedback:report [-- --json | --csv]`: votes per page and per locale, helpful share, last vote and
 * recent comments, counted by the database the server writes (FEEDBACK_DB_URL, default data/feedback.db).
 */
import { parseArgs } from 'node:util';
import { toCsv, toText } from '../lib/feedback/report.ts';
import { DEFAULT_DB_URL, openStore } from '../lib/feedback/store.ts';

const { values } = parseArgs({ options: { json: { type: 'boolean' }, csv: { type: 'boolean' } } });
const store = await openStore(process.env['FEEDBACK_DB_URL'] || DEFAULT_DB_URL, {
  ssl: process.env['FEEDBACK_DB_SSL'],
});
try {
  const report = await store.report();
  if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else if (values.csv) process.stdout.write(toCsv(report));
  else process.stdout.write(toText(report));
} catch (error) {
  console.error(`feedback:report: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await store.close();
}
