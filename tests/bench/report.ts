/**
 * `npm run bench:report`: seeds a throwaway store with 1,000,000 votes and times `npm run feedback:report` on it
 * — the real command, in a child process, so its peak RSS is its own. Seeding is done by the database itself in
 * one statement and timed apart. Targets: ≤ 2 s and ≤ 150 MB for the report.
 *
 *   npm run bench:report                               SQLite (a temp file)
 *   npm run bench:report -- --store postgres           and PostgreSQL (a throwaway cluster), in the same run
 *   npm run bench:report -- --votes 300000 --ports 6400
 *
 * The votes fall on `--ports` port numbers (default: all 65,536, the worst case for the number of groups), in
 * the three locales, over a year of days; one vote in ten carries a comment.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openStore } from '../../src/lib/feedback/open.ts';
import { postgresUnavailable, startPostgres } from '../support/postgres.ts';
import { ROOT } from '../support/server.ts';

const { values } = parseArgs({
  options: {
    votes: { type: 'string', default: '1000000' },
    ports: { type: 'string', default: '65536' },
    store: { type: 'string', default: 'sqlite' },
  },
});
const VOTES = Number(values.votes);
const PORTS = Number(values.ports);
const TARGET_SECONDS = 2;
const TARGET_MB = 150;

/**
 * Row `i` (1…VOTES) of the seed, as SQL both databases understand: `i` is the row number, `h` a well-mixed
 * hash of it (so the values are spread but the same on every run and backend). Voters are unique, as every
 * new reader is, so the primary key never collides.
 */
const seedColumns = (stamp: string) => `(h % ${PORTS}) AS port,
  'seed-' || i AS voter,
  day,
  'net-' || (h % 50000) AS network,
  CASE WHEN h % 20 < 14 THEN 'en' WHEN h % 20 < 17 THEN 'fa' ELSE 'bg' END AS locale,
  CASE WHEN h % 7 < 4 THEN 'helpful' WHEN h % 7 < 6 THEN 'somewhat' ELSE 'not-helpful' END AS rating,
  CASE WHEN h % 10 = 0 THEN 'Seed comment ' || i || ': the command on this page worked, but the note is old.' END
    AS comment,
  CASE WHEN h % 10 = 0 THEN '["out-of-date"]' ELSE '[]' END AS reasons,
  ${stamp} AS created_at,
  ${stamp} AS updated_at,
  CASE WHEN h % 10 = 0 THEN CASE WHEN h % 7 < 4 THEN 'helpful' WHEN h % 7 < 6 THEN 'somewhat' ELSE 'not-helpful' END
    END AS comment_rating,
  CASE WHEN h % 10 = 0 THEN ${stamp} END AS commented_at`;
const INSERT = `INSERT INTO votes (port, voter, day, network, locale, rating, comment, reasons, created_at, updated_at,
  comment_rating, commented_at)`;

/** Knuth's multiplicative hash, kept below 2^31 so neither database overflows. */
const HASH = (i: string) => `((${i} * 2654435761) % 2147483647)`;

function seedSqlite(file: string): void {
  const db = new DatabaseSync(file);
  db.exec('PRAGMA synchronous = OFF');
  db.exec('BEGIN');
  db.exec(`${INSERT}
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${VOTES}),
    rows AS (SELECT i, ${HASH('i')} AS h FROM n),
    dated AS (SELECT i, h, date('2025-01-01', '+' || (h % 365) || ' days') AS day FROM rows)
    SELECT ${seedColumns(`day || printf('T%02d:%02d:%02d.000Z', h % 24, h % 60, (h / 60) % 60)`)}
    FROM dated`);
  db.exec('COMMIT');
  db.close();
}

async function seedPostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`${INSERT}
      SELECT ${seedColumns(`day || format('T%s:%s:%s.000Z', lpad((h % 24)::text, 2, '0'), lpad((h % 60)::text, 2, '0'), lpad(((h / 60) % 60)::text, 2, '0'))`)}
      FROM (SELECT i, h, to_char(DATE '2025-01-01' + (h % 365)::int, 'YYYY-MM-DD') AS day
            FROM (SELECT i, ${HASH('i::bigint')} AS h FROM generate_series(1, ${VOTES}) AS i) hashed) dated`);
    // What autovacuum does on a live server soon after a load like this.
    await client.query('VACUUM ANALYZE votes');
  } finally {
    await client.end();
  }
}

interface Run {
  seconds: number;
  rssMb: number;
  bytes: number;
}

/** `npm run feedback:report` as package.json has it (`node <flags> src/cli/…`), so the flags it runs with count. */
function reportCommand(): string[] {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts;
  const [node, ...args] = (scripts['feedback:report'] ?? '').split(/\s+/);
  if (node !== 'node') throw new Error('expected the feedback:report script to be `node …`');
  return args;
}

/**
 * Runs the report command against `url` in its own Node process and measures it from spawn to exit. A preloaded
 * one-liner writes the child's peak RSS (getrusage's ru_maxrss) to stderr as it exits.
 */
function report(url: string, args: string[]): Promise<Run> {
  const preload = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\nmaxrss-kb '+process.resourceUsage().maxRSS+'\\n'))`;
  const [flags, script] = [reportCommand().slice(0, -1), reportCommand().at(-1)!];
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...flags, '--import', preload, script, ...args], {
      cwd: ROOT,
      env: { ...process.env, FEEDBACK_DB_URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const kb = /maxrss-kb (\d+)/.exec(stderr)?.[1];
      if (code !== 0 || !kb) {
        fail(new Error(`feedback:report ${args.join(' ')} exited with ${code}:\n${stderr}`));
        return;
      }
      done({ seconds, rssMb: Number(kb) / 1024, bytes });
    });
  });
}

interface Row {
  'seed s': number;
  votes: number;
  pages: number;
  'report s': number;
  'peak RSS MB': number;
  'output KB': number;
  'json s': number;
  'json peak RSS MB': number;
}

async function measure(url: string, seed: () => Promise<void> | void): Promise<Row> {
  // The store creates its schema (every migration, indexes included) before the votes go in, as on a live site.
  const store = await openStore(url);
  await store.ready();
  await store.close();
  const seeding = performance.now();
  await seed();
  const seedSeconds = (performance.now() - seeding) / 1000;
  const check = await openStore(url);
  const votes = await check.count();
  const pages = (await Array.fromAsync(check.report({ recentComments: 0 }))).length;
  await check.close();
  // The first run warms the OS cache, as a store in use is warm; the median of three counts.
  await report(url, []);
  const runs: Run[] = [];
  for (let i = 0; i < 3; i++) runs.push(await report(url, []));
  runs.sort((a, b) => a.seconds - b.seconds);
  const text = runs[1]!;
  const json = await report(url, ['--json']);
  return {
    'seed s': round(seedSeconds),
    votes,
    pages,
    'report s': round(text.seconds, 2),
    'peak RSS MB': Math.round(Math.max(...runs.map((r) => r.rssMb))),
    'output KB': Math.round(text.bytes / 1024),
    'json s': round(json.seconds, 2),
    'json peak RSS MB': Math.round(json.rssMb),
  };
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

async function sqlite(): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'dormant-ports-report-'));
  try {
    const file = join(dir, 'feedback.db');
    return await measure(`file:${file}`, () => {
      seedSqlite(file);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres(): Promise<Row> {
  const missing = postgresUnavailable();
  if (missing) throw new Error(missing);
  const cluster = await startPostgres();
  try {
    return await measure(cluster.url, () => seedPostgres(cluster.url));
  } finally {
    await cluster.destroy();
  }
}

const rows: Record<string, Row> = { SQLite: await sqlite() };
if (values.store === 'postgres') rows['PostgreSQL'] = await postgres();
console.table(rows);
console.log(
  `Targets for the report of ${VOTES.toLocaleString('en')} votes: ≤ ${TARGET_SECONDS} s, ≤ ${TARGET_MB} MB peak RSS.`,
);
const missed = Object.entries(rows).filter(
  ([, row]) => row['report s'] > TARGET_SECONDS || row['peak RSS MB'] > TARGET_MB,
);
if (missed.length > 0) console.log(`Missed by: ${missed.map(([name]) => name).join(', ')}`);
