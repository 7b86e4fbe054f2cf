/**
 * `npm run feedback:report [-- --json | --csv]`: votes per page, helpful share, last vote and recent comments,
 * read from the store the server writes (FEEDBACK_DB_URL, default data/feedback.db).
 */
import { parseArgs } from 'node:util';
import { summarize, toCsv, toText } from '../lib/feedback/report.ts';
import { FeedbackStore } from '../lib/feedback/store.ts';

const { values } = parseArgs({ options: { json: { type: 'boolean' }, csv: { type: 'boolean' } } });
const store = FeedbackStore.fromEnv();
try {
  const report = summarize(await store.votes());
  if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else if (values.csv) process.stdout.write(toCsv(report));
  else process.stdout.write(toText(report));
} finally {
  store.close();
}
