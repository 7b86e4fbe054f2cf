/**
 * `npm run bench:feedback`: votes per second the feedback API stores on loopback, with p50/p99 latency, then a
 * check that every accepted vote is in the database. Each request is a new reader (no cookie) on a random network
 * voting on a random port; the cap and the rate limit are raised all the same, in case two of them coincide.
 *
 *   npm run bench:feedback                                   SQLite, one machine (one server, a worker per core)
 *   npm run bench:feedback -- --store postgres --instances 2  and, in the same run, PostgreSQL behind nginx, with
 *                                                            its votes/s as a multiple of SQLite's
 *
 * Needs a build (`npm run build`); the PostgreSQL run needs Debian's postgresql and nginx packages.
 */
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { openStore } from '../../src/lib/feedback/open.ts';
import { renderTemplate, SITE_CONFIG, startNginx, nginxUnavailable } from '../support/nginx.ts';
import { postgresUnavailable, startPostgres } from '../support/postgres.ts';
import { DIST, startServer, type RunningServer } from '../support/server.ts';

const { values } = parseArgs({
  options: {
    votes: { type: 'string', default: '20000' },
    connections: { type: 'string', default: '64' },
    store: { type: 'string', default: 'sqlite' },
    instances: { type: 'string', default: '2' },
  },
});

const OPEN = { FEEDBACK_RATE_LIMIT: '1000000000', FEEDBACK_VOTES_PER_NETWORK: '1000000000', TRUST_PROXY: 'loopback' };
const byte = () => Math.floor(Math.random() * 256);

interface Row {
  setup: string;
  'votes/s': number;
  'p50 ms': number;
  'p99 ms': number;
  accepted: number;
  'non-2xx': number;
  errors: number;
  stored: number;
  lost: number;
}

async function load(url: string): Promise<autocannon.Result> {
  return autocannon({
    url,
    connections: Number(values.connections),
    // A fixed number of votes, so every request completes and each answer can be checked against the store.
    amount: Number(values.votes),
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // Readers on many networks voting on many pages, as they do: votes from one network on one page wait for
    // each other, and one network's votes in a minute share a counter. The server trusts X-Forwarded-For from
    // loopback for the benchmark, as it would from its nginx.
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          headers: { ...request.headers, 'x-forwarded-for': `10.${byte()}.${byte()}.${byte()}` },
          body: JSON.stringify({ port: Math.floor(Math.random() * 65536), rating: 'helpful' }),
        }),
      },
    ],
  });
}

function row(setup: string, result: autocannon.Result, stored: number): Row {
  const accepted = result['2xx'];
  return {
    setup,
    'votes/s': Math.round(accepted / result.duration),
    'p50 ms': result.latency.p50,
    'p99 ms': result.latency.p99,
    accepted,
    'non-2xx': result.non2xx,
    errors: result.errors,
    stored,
    lost: accepted - stored,
  };
}

async function sqlite(): Promise<Row> {
  const server = await startServer({ ...OPEN, SERVE_WORKERS: process.env['SERVE_WORKERS'] ?? '2' });
  try {
    const result = await load(`${server.origin}/api/feedback`);
    const store = await openStore(server.env['FEEDBACK_DB_URL']);
    const stored = await store.count();
    await store.close();
    return row(`SQLite, one server (${process.env['SERVE_WORKERS'] ?? '2'} workers)`, result, stored);
  } finally {
    await server.stop();
  }
}

async function postgres(instances: number): Promise<Row> {
  const missing = postgresUnavailable() ?? nginxUnavailable();
  if (missing) throw new Error(missing);
  const cluster = await startPostgres({
    settings: { max_connections: 200, ...(process.env['BENCH_PG_ASYNC'] ? { synchronous_commit: 'off' } : {}) },
  });
  const servers: RunningServer[] = [];
  try {
    const secret = 'a'.repeat(64);
    for (let i = 0; i < instances; i++) {
      servers.push(
        await startServer({
          ...OPEN,
          FEEDBACK_DB_URL: cluster.url,
          FEEDBACK_SECRET: secret,
          TRUST_PROXY: 'loopback',
          SERVE_WORKERS: '1',
        }),
      );
    }
    const nginx = await startNginx({
      config: ({ port }) =>
        renderTemplate(readFileSync(SITE_CONFIG, 'utf8'), {
          listen: `127.0.0.1:${port}`,
          server_name: '_',
          root: DIST,
          upstreams: servers.map((s) => `server 127.0.0.1:${s.port};`).join('\n    '),
          headers: `${DIST}/_nginx-headers.conf`,
        }),
    });
    try {
      const result = await load(`${nginx.origin}/api/feedback`);
      const store = await openStore(cluster.url);
      const stored = await store.count();
      await store.close();
      return row(`PostgreSQL, ${instances} instances (1 worker each) behind nginx`, result, stored);
    } finally {
      await nginx.stop();
    }
  } finally {
    for (const server of servers) await server.stop();
    await cluster.destroy();
  }
}

console.log(
  `${values.votes} votes from new readers over ${values.connections} connections, on ${availableParallelism()} cores`,
);
const rows = [await sqlite()];
if (values.store === 'postgres') rows.push(await postgres(Number(values.instances)));
console.table(Object.fromEntries(rows.map(({ setup, ...rest }) => [setup, rest])));
if (rows.length === 2) {
  // Issue 26, finding 3: several instances exist to serve more readers, not fewer.
  const [sqliteRow, postgresRow] = rows as [Row, Row];
  const ratio = postgresRow['votes/s'] / sqliteRow['votes/s'];
  const met = ratio >= 1 && postgresRow['p99 ms'] <= 50 && postgresRow.lost === 0;
  console.log(
    `PostgreSQL behind nginx: ${ratio.toFixed(2)}× SQLite's votes/s, p99 ${postgresRow['p99 ms']} ms, ` +
      `${postgresRow.lost} lost (target: ≥ 1.0×, p99 ≤ 50 ms, 0 lost: ${met ? 'met' : 'missed'})`,
  );
}
const bad = rows.filter((r) => r.lost !== 0 || r['non-2xx'] > 0 || r.errors > 0);
if (bad.length > 0) {
  console.error(`Votes lost or refused in: ${bad.map((r) => r.setup).join(', ')}`);
  process.exitCode = 1;
}
