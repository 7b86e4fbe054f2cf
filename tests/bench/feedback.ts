/**
 * `npm run bench:feedback`: votes per second the production server stores on loopback, with p50/p99 latency,
 * then a check that every accepted vote is in the database. Each request is a different reader (its own
 * voter id), so every accepted vote must become its own row. Needs a build (`npm run build`).
 */
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FeedbackStore } from '../../src/lib/feedback/store.ts';
import { startServer } from '../support/server.ts';

const { values } = parseArgs({
  options: { votes: { type: 'string', default: '20000' }, connections: { type: 'string', default: '64' } },
});
const dir = mkdtempSync(join(tmpdir(), 'dormant-ports-bench-'));
const dbUrl = `file:${join(dir, 'feedback.db')}`;
const server = await startServer({
  FEEDBACK_DB_URL: dbUrl,
  FEEDBACK_RATE_LIMIT: '100000000',
  SERVE_WORKERS: process.env['SERVE_WORKERS'] ?? '2',
});

try {
  const result = await autocannon({
    url: `${server.origin}/api/feedback`,
    connections: Number(values.connections),
    // A fixed number of votes, so every request completes and each answer can be checked against the store.
    amount: Number(values.votes),
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // autocannon puts a fresh id in place of [<id>] in every request: each vote is a different reader.
    idReplacement: true,
    body: JSON.stringify({ port: 3515, rating: 'helpful', voter: '[<id>]' }),
  });
  await server.stop();

  const store = new FeedbackStore({ url: dbUrl });
  const stored = await store.count();
  store.close();
  const accepted = result['2xx'];
  const lost = accepted - stored;
  console.table({
    'votes/s (accepted)': Math.round(accepted / result.duration),
    seconds: result.duration,
    'requests sent': result.requests.sent,
    'accepted (200)': accepted,
    'refused or failed (non-2xx)': result.non2xx,
    errors: result.errors,
    'p50 latency ms': result.latency.p50,
    'p99 latency ms': result.latency.p99,
    'stored rows': stored,
    lost,
  });
  if (lost !== 0 || result.non2xx > 0 || result.errors > 0) {
    console.error(`Votes lost or refused: ${lost} lost, ${result.non2xx} non-2xx, ${result.errors} errors.`);
    process.exitCode = 1;
  }
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
