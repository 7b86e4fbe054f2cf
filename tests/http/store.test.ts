/**
 * The feedback store's contract, as the same cases on both backends: SQLite in a temporary file, and a real
 * PostgreSQL server (a throwaway cluster, tests/support/postgres.ts). Each case gets an empty database of its
 * own; the votes are built directly (the handler's input checks and the visitor keys have their own tests), so
 * what is tested is exactly what the store promises: migrations, one reader one vote, the per-network cap, the
 * rate limit kept in the database, the report, and StoreUnavailableError when the database cannot be used.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chownSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, afterEach, before, describe, test } from 'node:test';
import pg from 'pg';
import { MIGRATIONS } from '../../src/lib/feedback/migrations.ts';
import type { PageReport } from '../../src/lib/feedback/report.ts';
import { openStore } from '../../src/lib/feedback/open.ts';
import {
  StoreUnavailableError,
  type Ballot,
  type FeedbackStore,
  type Limits,
  type StoreOptions,
} from '../../src/lib/feedback/store.ts';
import { postgresUnavailable, startPostgres, type PostgresCluster } from '../support/postgres.ts';
import { requires } from '../support/requires.ts';
import { freePort, ROOT, waitFor } from '../support/server.ts';

type Row = Record<string, unknown>;

/** One empty database, and ways to look at it from outside the store. */
interface Database {
  url: string;
  /** Opens a store on this database; it is closed after the test. */
  open(options?: StoreOptions): Promise<FeedbackStore>;
  /** Rows of one query, run on a connection of its own. */
  rows(sql: string): Promise<Row[]>;
  /** Statements run on a connection of their own, in order. */
  exec(statements: readonly string[]): Promise<void>;
}

interface Backend {
  name: string;
  dialect: 'sqlite' | 'postgres';
  skip: string | false;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  fresh(): Promise<Database>;
  /** A URL naming a database that cannot be reached. */
  unreachable(): Promise<string>;
  /**
   * Takes `db` away from the stores already open on it (SQLite: another process holds the write lock;
   * PostgreSQL: the server crashes), and resolves to the function that brings it back.
   */
  outage(db: Database): Promise<() => Promise<void>>;
}

const opened: FeedbackStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

async function openTracked(url: string, options?: StoreOptions): Promise<FeedbackStore> {
  const store = await openStore(url, options);
  opened.push(store);
  return store;
}

function sqliteBackend(): Backend {
  let dir = '';
  let n = 0;
  return {
    name: 'SQLite',
    dialect: 'sqlite',
    skip: false,
    setup: () => {
      dir = mkdtempSync(join(tmpdir(), 'dormant-ports-store-'));
      return Promise.resolve();
    },
    teardown: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
    fresh: () => {
      const file = join(dir, `feedback-${++n}.db`);
      const connect = () => new DatabaseSync(file);
      return Promise.resolve({
        url: `file:${file}`,
        // A short busy timeout, so the locked-database outage answers quickly.
        open: (options) => openTracked(`file:${file}`, { busyTimeout: 200, ...options }),
        rows: (sql) => {
          const db = connect();
          try {
            return Promise.resolve(
              db
                .prepare(sql)
                .all()
                .map((row) => ({ ...row })),
            );
          } finally {
            db.close();
          }
        },
        exec: (statements) => {
          const db = connect();
          try {
            for (const statement of statements) db.exec(statement);
          } finally {
            db.close();
          }
          return Promise.resolve();
        },
      });
    },
    unreachable: () => Promise.resolve('file:/dev/null/feedback.db'),
    outage: (db) => {
      const holder = new DatabaseSync(db.url.replace(/^file:/, ''));
      holder.exec('BEGIN EXCLUSIVE');
      return Promise.resolve(() => {
        holder.exec('ROLLBACK');
        holder.close();
        return Promise.resolve();
      });
    },
  };
}

function postgresBackend(): Backend {
  let cluster: PostgresCluster | undefined;
  let n = 0;
  const withClient = async <T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    name: 'PostgreSQL',
    dialect: 'postgres',
    skip: requires(postgresUnavailable()),
    setup: async () => {
      cluster = await startPostgres();
    },
    teardown: async () => {
      await cluster?.destroy();
    },
    fresh: async () => {
      // A schema of its own is an empty database to the store, and takes milliseconds where CREATE DATABASE
      // takes a quarter of a second.
      const name = `store_${++n}`;
      await cluster!.psql(`CREATE SCHEMA ${name} AUTHORIZATION ${cluster!.user}`);
      const url = `${cluster!.url}?options=${encodeURIComponent(`-c search_path=${name}`)}`;
      return {
        url,
        open: (options) => openTracked(url, options),
        rows: (sql) => withClient(url, async (client) => (await client.query<Row>(sql)).rows),
        exec: (statements) =>
          withClient(url, async (client) => {
            for (const statement of statements) await client.query(statement);
          }),
      };
    },
    unreachable: async () => `postgres://nobody:secret@127.0.0.1:${await freePort()}/nothing`,
    outage: async () => {
      // A crash, not a shutdown: committed votes must come back through crash recovery.
      await cluster!.stop('immediate');
      return () => cluster!.start();
    },
  };
}

const AT = new Date('2026-12-01T12:00:30Z');
const LIMITS: Limits = { perNetwork: 3, perMinute: 1000 };
let seq = 0;

/** A vote from a new reader on a network of its own, unless the fields say otherwise. */
function ballot(fields: Partial<Ballot> = {}): Ballot {
  seq++;
  return {
    port: 3515,
    locale: 'en',
    rating: 'helpful',
    voter: `voter-${seq}`,
    network: `network-${seq}`,
    rateKey: `rate-${seq}`,
    at: AT,
    ...fields,
  };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const minutes = (date: Date, n: number) => new Date(date.getTime() + n * 60_000);

for (const backend of [sqliteBackend(), postgresBackend()]) {
  describe(`the ${backend.name} store`, { skip: backend.skip }, () => {
    before(() => backend.setup());
    after(() => backend.teardown());

    describe('migrations', () => {
      test('bring an empty database to the latest version, each version recorded once', async () => {
        const db = await backend.fresh();
        const store = await db.open();
        await store.ready();
        await store.ready();
        const versions = await db.rows('SELECT version FROM schema_migrations ORDER BY version');
        assert.deepEqual(
          versions.map((row) => Number(row['version'])),
          MIGRATIONS.map((m) => m.version),
        );
        assert.equal(store.backend, backend.dialect);
        assert.equal(await store.count(), 0);
        assert.deepEqual(await Array.fromAsync(store.report()), []);
      });

      test('run once when two stores open one empty database at the same moment', async () => {
        const db = await backend.fresh();
        const [a, b] = await Promise.all([db.open(), db.open()]);
        await Promise.all([a.ready(), b.ready()]);
        const versions = await db.rows('SELECT version FROM schema_migrations');
        assert.equal(versions.length, MIGRATIONS.length);
        assert.deepEqual(await a.cast(ballot(), LIMITS), { kind: 'stored' });
        assert.equal(await b.count(), 1);
      });

      test('bring an older database up to date and keep its votes', async () => {
        const db = await backend.fresh();
        const older = MIGRATIONS.filter((m) => m.version <= 2);
        await db.exec([
          'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
          ...older.flatMap((m) => m[backend.dialect]),
          ...older.map((m) => `INSERT INTO schema_migrations VALUES (${m.version}, '2026-11-01')`),
          `INSERT INTO votes (port, visitor, day, rating, comment, reasons, created_at, updated_at)
             VALUES (3515, 'old-visitor', '2026-11-30', 'somewhat', 'From before.', '[]', 't1', 't1')`,
        ]);
        const store = await db.open();
        await store.ready();
        const versions = await db.rows('SELECT version FROM schema_migrations ORDER BY version');
        assert.equal(Number(versions.at(-1)?.['version']), MIGRATIONS.at(-1)!.version);
        const rows = await db.rows('SELECT voter, locale, network FROM votes');
        assert.deepEqual(rows, [{ voter: 'old-visitor', locale: 'en', network: null }]);
        assert.equal((await Array.fromAsync(store.report()))[0]?.total, 1);
        assert.deepEqual(await db.rows(tableNamed('salts', backend.dialect)), []);
      });
    });

    describe('one reader, one vote', () => {
      test('stores a new reader’s vote; the same reader’s next vote that day replaces it', async () => {
        const db = await backend.fresh();
        const store = await db.open();
        const first = ballot({ rating: 'not-helpful', comment: 'Unclear.', reasons: ['command-failed'] });
        assert.deepEqual(await store.cast(first, LIMITS), { kind: 'stored' });
        const later = { ...first, rating: 'helpful' as const, locale: 'fa' as const, at: minutes(AT, 5) };
        assert.deepEqual(await store.cast({ ...later, comment: 'Clear now.', reasons: [] }, LIMITS), {
          kind: 'replaced',
        });
        assert.equal(await store.count(), 1);
        const [row] = await db.rows('SELECT rating, locale, comment, reasons, created_at, updated_at FROM votes');
        assert.deepEqual(row, {
          rating: 'helpful',
          locale: 'fa',
          comment: 'Clear now.',
          reasons: '[]',
          created_at: AT.toISOString(),
          updated_at: minutes(AT, 5).toISOString(),
        });
      });

      test('a repeat vote without a comment or reasons keeps the ones given before', async () => {
        const db = await backend.fresh();
        const store = await db.open();
        const first = ballot({ rating: 'somewhat', comment: 'Stale.', reasons: ['out-of-date'] });
        await store.cast(first, LIMITS);
        await store.cast({ ...first, rating: 'helpful', comment: undefined, reasons: undefined }, LIMITS);
        const [row] = await db.rows('SELECT rating, comment, reasons FROM votes');
        assert.deepEqual(row, { rating: 'helpful', comment: 'Stale.', reasons: '["out-of-date"]' });
      });

      test('the same reader counts again on another page and on another day', async () => {
        const db = await backend.fresh();
        const store = await db.open();
        const first = ballot();
        await store.cast(first, LIMITS);
        assert.deepEqual(await store.cast({ ...first, port: 3521 }, LIMITS), { kind: 'stored' });
        assert.deepEqual(await store.cast({ ...first, at: minutes(AT, 24 * 60) }, LIMITS), { kind: 'stored' });
        assert.equal(await store.count(), 3);
      });

      test('a vote is acknowledged once it is in the database, for any other store to read', async () => {
        const db = await backend.fresh();
        const [writer, reader] = [await db.open(), await db.open()];
        for (let i = 0; i < 20; i++) await writer.cast(ballot({ port: i }), LIMITS);
        assert.equal(await reader.count(), 20);
        assert.equal(Number((await db.rows('SELECT COUNT(*) AS n FROM votes'))[0]?.['n']), 20);
      });
    });

    describe('the per-network cap', () => {
      test('counts a few readers of one network per page and day, and still lets them change their vote', async () => {
        const db = await backend.fresh();
        const store = await db.open();
        const readers = Array.from({ length: 4 }, () => ballot({ network: 'household' }));
        const outcomes = [];
        for (const reader of readers) outcomes.push((await store.cast(reader, LIMITS)).kind);
        assert.deepEqual(outcomes, ['stored', 'stored', 'stored', 'network-limit']);
        assert.deepEqual(await store.cast(readers[3]!, LIMITS), { kind: 'network-limit', limit: 3 });
        assert.deepEqual(await store.cast({ ...readers[0]!, rating: 'somewhat' }, LIMITS), { kind: 'replaced' });
        // Another page, another network, or the next day is not affected.
        assert.equal((await store.cast({ ...readers[3]!, port: 3521 }, LIMITS)).kind, 'stored');
        assert.equal((await store.cast(ballot(), LIMITS)).kind, 'stored');
        assert.equal((await store.cast({ ...readers[3]!, at: minutes(AT, 24 * 60) }, LIMITS)).kind, 'stored');
        assert.equal(await store.count(), 6);
      });

      test('caps an IPv6 /56 and /48 as well as each /64, also when they vote at once through two stores', async () => {
        const db = await backend.fresh();
        const stores = [await db.open(), await db.open()];
        await Promise.all(stores.map((store) => store.ready()));
        const limits = { ...LIMITS, perNetwork56: 4, perNetwork48: 6 };
        // Twelve readers, each on a /64 of its own: three /56s of four /64s each, all in one /48.
        const outcomes = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            stores[i % 2]!.cast(
              ballot({ network: `n64-${i}`, network56: `n56-${i % 3}`, network48: 'n48', port: 3600 }),
              limits,
            ),
          ),
        );
        assert.equal(outcomes.filter((o) => o.kind === 'stored').length, 6);
        assert.ok(outcomes.filter((o) => o.kind === 'network-limit').every((o) => o.limit === 6 || o.limit === 4));
        const per56 = await db.rows(
          'SELECT network56, COUNT(*) AS n FROM votes WHERE port = 3600 GROUP BY network56 ORDER BY network56',
        );
        assert.ok(per56.every((row) => Number(row['n']) <= 4));
        // Another /48, and an IPv4 network (no wider blocks), are not affected.
        assert.equal(
          (await stores[0]!.cast(ballot({ network56: 'other56', network48: 'other48', port: 3600 }), limits)).kind,
          'stored',
        );
        assert.equal((await stores[1]!.cast(ballot({ port: 3600 }), limits)).kind, 'stored');
      });

      test('holds when many readers of one network vote at once through two stores', async () => {
        const db = await backend.fresh();
        const stores = [await db.open(), await db.open()];
        await Promise.all(stores.map((store) => store.ready()));
        const outcomes = await Promise.all(
          Array.from({ length: 24 }, (_, i) => stores[i % 2]!.cast(ballot({ network: 'office' }), LIMITS)),
        );
        assert.equal(outcomes.filter((o) => o.kind === 'stored').length, 3);
        assert.equal(outcomes.filter((o) => o.kind === 'network-limit').length, 21);
        assert.equal(await stores[0]!.count(), 3);
      });
    });

    describe('the rate limit', () => {
      test('is counted in the database, so it holds across stores, and starts again the next minute', async () => {
        const db = await backend.fresh();
        const stores = [await db.open(), await db.open()];
        const limits = { perNetwork: 100, perMinute: 5 };
        const outcomes = [];
        for (let i = 0; i < 8; i++) {
          outcomes.push(await stores[i % 2]!.cast(ballot({ port: i, rateKey: 'busy' }), limits));
        }
        assert.deepEqual(
          outcomes.map((o) => o.kind),
          ['stored', 'stored', 'stored', 'stored', 'stored', 'rate-limit', 'rate-limit', 'rate-limit'],
        );
        // 12:00:30: the next minute starts in 30 s.
        assert.deepEqual(outcomes[5], { kind: 'rate-limit', retryAfter: 30 });
        assert.equal((await stores[0]!.cast(ballot({ rateKey: 'busy', at: minutes(AT, 1) }), limits)).kind, 'stored');
        assert.equal((await stores[1]!.cast(ballot({ rateKey: 'calm' }), limits)).kind, 'stored');
        assert.equal(await stores[0]!.count(), 7);
      });

      test('keeps no counts older than the minute before', async () => {
        const db = await backend.fresh();
        const store = await db.open();
        for (let i = 0; i < 5; i++) await store.cast(ballot({ at: minutes(AT, i) }), LIMITS);
        await store.cast(ballot({ at: minutes(AT, 10) }), LIMITS);
        const kept = await db.rows('SELECT minute FROM rate_limits');
        const oldest = Math.floor(minutes(AT, 9).getTime() / 60_000);
        assert.ok(
          kept.every((row) => Number(row['minute']) >= oldest),
          `minutes kept: ${kept.map((row) => String(row['minute'])).join(', ')}`,
        );
      });
    });

    describe('the report', () => {
      test('counts votes per page, rating and locale, with each page’s newest comments', async () => {
        const db = await backend.fresh();
        const store = await db.open();
        const votes: Partial<Ballot>[] = [
          { port: 3515, rating: 'helpful', locale: 'en' },
          { port: 3515, rating: 'helpful', locale: 'fa', comment: 'مفید بود' },
          { port: 3515, rating: 'somewhat', locale: 'bg', comment: 'Добре.', reasons: ['wrong-attribution'] },
          {
            port: 3515,
            rating: 'not-helpful',
            locale: 'en',
            comment: 'Too short.',
            reasons: ['command-failed', 'other'],
          },
          { port: 22, rating: 'helpful', locale: 'en' },
        ];
        for (const [i, fields] of votes.entries()) await store.cast(ballot({ ...fields, at: minutes(AT, i) }), LIMITS);
        for (let i = 0; i < 6; i++) {
          await store.cast(ballot({ port: 4000, comment: `comment ${i}`, at: minutes(AT, 10 + i) }), LIMITS);
        }
        const report = await Array.fromAsync(store.report({ recentComments: 5 }));
        const expected: PageReport[] = [
          {
            port: 22,
            votes: { 'not-helpful': 0, somewhat: 0, helpful: 1 },
            total: 1,
            networks: 1,
            helpfulShare: 1,
            locales: { en: 1, fa: 0, bg: 0 },
            lastVote: minutes(AT, 4).toISOString(),
            recentComments: [],
          },
          {
            port: 3515,
            votes: { 'not-helpful': 1, somewhat: 1, helpful: 2 },
            total: 4,
            networks: 4,
            helpfulShare: 0.5,
            locales: { en: 2, fa: 1, bg: 1 },
            lastVote: minutes(AT, 3).toISOString(),
            recentComments: [
              {
                at: minutes(AT, 3).toISOString(),
                rating: 'not-helpful',
                locale: 'en',
                comment: 'Too short.',
                reasons: ['command-failed', 'other'],
              },
              {
                at: minutes(AT, 2).toISOString(),
                rating: 'somewhat',
                locale: 'bg',
                comment: 'Добре.',
                reasons: ['wrong-attribution'],
              },
              { at: minutes(AT, 1).toISOString(), rating: 'helpful', locale: 'fa', comment: 'مفید بود', reasons: [] },
            ],
          },
          {
            port: 4000,
            votes: { 'not-helpful': 0, somewhat: 0, helpful: 6 },
            total: 6,
            networks: 6,
            helpfulShare: 1,
            locales: { en: 6, fa: 0, bg: 0 },
            lastVote: minutes(AT, 15).toISOString(),
            recentComments: [5, 4, 3, 2, 1].map((i) => ({
              at: minutes(AT, 10 + i).toISOString(),
              rating: 'helpful' as const,
              locale: 'en' as const,
              comment: `comment ${i}`,
              reasons: [],
            })),
          },
        ];
        assert.deepEqual(report, expected);
        assert.equal((await Array.fromAsync(store.report({ recentComments: 1 })))[2]?.recentComments.length, 1);
      });

      test('lists a comment under the answer and time it was written with, though the reader answered again since', async () => {
        const db = await backend.fresh();
        const store = await db.open();
        const first = ballot({ port: 3700, rating: 'not-helpful', comment: 'The command failed.' });
        await store.cast(first, LIMITS);
        await store.cast({ ...first, rating: 'helpful', comment: undefined, at: minutes(AT, 5) }, LIMITS);
        const [page] = await Array.fromAsync(store.report());
        assert.deepEqual(page?.votes, { 'not-helpful': 0, somewhat: 0, helpful: 1 });
        assert.deepEqual(
          page.recentComments.map(({ rating, at, comment }) => ({ rating, at, comment })),
          [{ rating: 'not-helpful', at: AT.toISOString(), comment: 'The command failed.' }],
        );
        // A new comment is listed under the answer it came with.
        await store.cast({ ...first, rating: 'somewhat', comment: 'Better now.', at: minutes(AT, 9) }, LIMITS);
        const [again] = await Array.fromAsync(store.report());
        assert.deepEqual(
          again?.recentComments.map(({ rating, at }) => ({ rating, at })),
          [{ rating: 'somewhat', at: minutes(AT, 9).toISOString() }],
        );
      });

      test('counts networks, keeps a window of days, sorts by problems and puts numbers without a page last', async () => {
        const db = await backend.fresh();
        const store = await db.open();
        const day = (d: number, h = 12) => new Date(Date.UTC(2026, 10, d, h));
        const votes: Partial<Ballot>[] = [
          { port: 80, rating: 'helpful', network: 'a', at: day(1) },
          { port: 80, rating: 'helpful', network: 'a', at: day(1, 13) },
          { port: 80, rating: 'not-helpful', network: 'b', at: day(2), comment: 'Outdated.' },
          { port: 443, rating: 'not-helpful', network: 'c', at: day(1), comment: 'Wrong service.' },
          { port: 443, rating: 'not-helpful', network: 'c', at: day(1, 14) },
          { port: 7, rating: 'not-helpful', network: 'e', at: day(2) },
          { port: 7, rating: 'not-helpful', network: 'e', at: day(2, 13) },
          { port: 7, rating: 'not-helpful', network: 'f', at: day(2, 14) },
        ];
        for (const fields of votes) await store.cast(ballot(fields), LIMITS);
        const read = async (options: Parameters<FeedbackStore['report']>[0]) =>
          (await Array.fromAsync(store.report({ batch: 1, ...options }))).map((p) => ({
            port: p.port,
            total: p.total,
            networks: p.networks,
            comments: p.recentComments.map((c) => c.comment),
          }));
        assert.deepEqual(await read({ sort: 'port' }), [
          { port: 7, total: 3, networks: 2, comments: [] },
          { port: 80, total: 3, networks: 2, comments: ['Outdated.'] },
          { port: 443, total: 2, networks: 1, comments: ['Wrong service.'] },
        ]);
        assert.deepEqual(await read({ sort: 'problems', since: '2026-11-02', until: '2026-11-02' }), [
          { port: 7, total: 3, networks: 2, comments: [] },
          { port: 80, total: 1, networks: 1, comments: ['Outdated.'] },
        ]);
        assert.deepEqual(
          (await read({ sort: 'problems', until: '2026-11-01', pages: new Set([80, 443]) })).map((p) => p.port),
          [443, 80],
        );
        assert.deepEqual(
          (await read({ sort: 'problems', pages: new Set([80, 443]) })).map((p) => p.port),
          [443, 80, 7],
        );
        assert.deepEqual(
          (await read({ sort: 'port', pages: new Set([80, 443]) })).map((p) => p.port),
          [80, 443, 7],
        );
      });

      test('npm run feedback:report -- --json reads the same database', async () => {
        const db = await backend.fresh();
        const store = await db.open();
        await store.cast(ballot({ port: 3515 }), LIMITS);
        await store.cast(ballot({ port: 3515, rating: 'somewhat' }), LIMITS);
        await store.cast(ballot({ port: 3521 }), LIMITS);
        const out = execFileSync(process.execPath, [join(ROOT, 'src/cli/feedback-report.ts'), '--json'], {
          cwd: ROOT,
          env: { ...process.env, FEEDBACK_DB_URL: db.url },
          encoding: 'utf8',
        });
        const report = JSON.parse(out) as { port: number; total: number }[];
        assert.deepEqual(
          report.map(({ port, total }) => ({ port, total })),
          [
            { port: 3515, total: 2 },
            { port: 3521, total: 1 },
          ],
        );
      });
    });

    describe('day keys', () => {
      test('keep the first key offered for a day, delete earlier days’ keys, and give a day that is over none', async () => {
        const db = await backend.fresh();
        const [a, b] = [await db.open(), await db.open()];
        assert.equal(await a.dayKey('2026-12-01', 'first'), 'first');
        assert.equal(await b.dayKey('2026-12-01', 'second'), 'first');
        assert.equal(await b.dayKey('2026-12-02', 'next'), 'next');
        assert.deepEqual(await db.rows('SELECT day, wrapped FROM day_keys'), [{ day: '2026-12-02', wrapped: 'next' }]);
        await assert.rejects(a.dayKey('2026-12-01', 'again'), /is over/);
        assert.deepEqual(await db.rows('SELECT day FROM day_keys'), [{ day: '2026-12-02' }]);
      });

      test('agree when many processes ask for a new day at once', async () => {
        const db = await backend.fresh();
        const stores = [await db.open(), await db.open()];
        const answers = await Promise.all(
          Array.from({ length: 16 }, (_, i) => stores[i % 2]!.dayKey('2026-12-03', `candidate-${i}`)),
        );
        assert.equal(new Set(answers).size, 1);
      });
    });

    describe('when the database cannot be used', () => {
      test('a store that cannot reach its database says StoreUnavailableError, quickly', async () => {
        const store = await openTracked(await backend.unreachable());
        const started = Date.now();
        await assert.rejects(store.ready(), StoreUnavailableError);
        await assert.rejects(store.cast(ballot(), LIMITS), StoreUnavailableError);
        await assert.rejects(Array.fromAsync(store.report()), StoreUnavailableError);
        assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
      });

      test('refuses votes with StoreUnavailableError during an outage and takes them again after it, keeping every vote it acknowledged', async () => {
        const db = await backend.fresh();
        const store = await db.open();
        for (let i = 0; i < 10; i++) await store.cast(ballot({ port: i }), LIMITS);
        const restore = await backend.outage(db);
        try {
          const started = Date.now();
          await assert.rejects(store.cast(ballot(), LIMITS), StoreUnavailableError);
          await assert.rejects(store.cast(ballot(), LIMITS), StoreUnavailableError);
          assert.ok(Date.now() - started < 5000, `refusing took ${Date.now() - started} ms`);
        } finally {
          await restore();
        }
        assert.deepEqual(await store.cast(ballot(), LIMITS), { kind: 'stored' });
        assert.equal(await store.count(), 11);
      });

      test('a store first opened during an outage takes votes once it is over', async () => {
        const db = await backend.fresh();
        await (await db.open()).cast(ballot(), LIMITS);
        const restore = await backend.outage(db);
        let late: FeedbackStore;
        try {
          late = await db.open();
          await assert.rejects(late.cast(ballot(), LIMITS), StoreUnavailableError);
        } finally {
          await restore();
        }
        assert.deepEqual(await late.cast(ballot(), LIMITS), { kind: 'stored' });
        assert.equal(await late.count(), 2);
      });

      test('votes under way when an outage begins are each either stored or refused with StoreUnavailableError', async () => {
        const db = await backend.fresh();
        const store = await db.open();
        await store.ready();
        let running = true;
        const acknowledged: string[] = [];
        const refusals: unknown[] = [];
        // Readers voting one after another, so that some votes are inside a transaction when the database goes.
        const readers = Array.from({ length: 8 }, async () => {
          while (running) {
            const one = ballot();
            try {
              await store.cast(one, LIMITS);
              acknowledged.push(one.voter);
            } catch (error) {
              refusals.push(error);
            }
          }
        });
        await pause(150);
        const restore = await backend.outage(db);
        await pause(300);
        running = false;
        await Promise.all(readers);
        await restore();
        assert.ok(acknowledged.length > 0 && refusals.length > 0, `${acknowledged.length} / ${refusals.length}`);
        for (const error of refusals) assert.ok(error instanceof StoreUnavailableError, String(error));
        const kept = new Set((await db.rows('SELECT voter FROM votes')).map((row) => row['voter']));
        assert.deepEqual(
          acknowledged.filter((voter) => !kept.has(voter)),
          [],
        );
      });
    });
  });
}

function tableNamed(name: string, dialect: 'sqlite' | 'postgres'): string {
  return dialect === 'sqlite'
    ? `SELECT name FROM sqlite_master WHERE type = 'table' AND name = '${name}'`
    : `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename = '${name}'`;
}

/**
 * FEEDBACK_DB_SSL and the URL's own sslmode reach PostgreSQL: a server that takes only TLS connections, with a
 * self-signed certificate for 127.0.0.1.
 */
describe('the PostgreSQL store over TLS', { skip: requires(postgresUnavailable(), opensslUnavailable()) }, () => {
  let cluster: PostgresCluster;
  let dir: string;
  let ca: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dormant-ports-tls-'));
    execFileSync('chmod', ['755', dir]);
    ca = join(dir, 'server.crt');
    const key = join(dir, 'server.key');
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2'],
        ...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', ca],
      ],
      { stdio: 'ignore' },
    );
    // PostgreSQL insists on a private key only its own user can read.
    execFileSync('chmod', ['600', key]);
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(key, uid, gid);
    }
    cluster = await startPostgres({ settings: { ssl: 'on', ssl_cert_file: ca, ssl_key_file: key } });
    // TCP connections only with TLS, so a store that connects at all used it.
    const hba = join(cluster.dataDir, 'pg_hba.conf');
    writeFileSync(hba, readFileSync(hba, 'utf8').replace(/^host(\s)/gm, 'hostssl$1'));
    await cluster.psql('SELECT pg_reload_conf()');
  });
  after(async () => {
    await cluster.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const castOne = async (url: string, ssl?: string) => {
    const store = await openTracked(url, { ssl });
    return store.cast(ballot(), LIMITS);
  };

  test('without TLS the server refuses the store, and the store says StoreUnavailableError', async () => {
    await assert.rejects(castOne(cluster.url), StoreUnavailableError);
  });

  test('FEEDBACK_DB_SSL=require encrypts without checking the certificate', async () => {
    assert.equal((await castOne(cluster.url, 'require')).kind, 'stored');
  });

  test('FEEDBACK_DB_SSL=verify-full refuses a certificate no trusted CA signed', async () => {
    await assert.rejects(castOne(cluster.url, 'verify-full'), StoreUnavailableError);
  });

  test('FEEDBACK_DB_SSL set to a CA file verifies the server against it', async () => {
    assert.equal((await castOne(cluster.url, ca)).kind, 'stored');
  });

  test('sslmode and sslrootcert in FEEDBACK_DB_URL work as in libpq', async () => {
    const url = `${cluster.url}?sslmode=verify-full&sslrootcert=${encodeURIComponent(ca)}`;
    assert.equal((await castOne(url)).kind, 'stored');
  });
});

/**
 * What SQLite deletes is overwritten (secure_delete), and the old page images in the write-ahead log go soon
 * after: a replaced comment and a day's key once the day is over are in neither file a second or two later.
 */
describe('what the SQLite store deletes', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dormant-ports-scrub-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const inFiles = (file: string, text: string) =>
    ['', '-wal'].filter((suffix) => {
      try {
        return readFileSync(`${file}${suffix}`).includes(text);
      } catch {
        return false;
      }
    });

  test('a replaced comment is in neither the file nor its log once the log has been emptied', async () => {
    const file = join(dir, 'comment.db');
    const store = await openTracked(`file:${file}`);
    const first = ballot({ comment: 'SECRET-FIRST-THOUGHT' });
    await store.cast(first, LIMITS);
    assert.deepEqual(inFiles(file, 'SECRET-FIRST-THOUGHT'), ['-wal']);
    await store.cast({ ...first, comment: 'a second thought' }, LIMITS);
    await waitFor(() => inFiles(file, 'SECRET-FIRST-THOUGHT').length === 0, 'the old comment to be overwritten', 5000);
    assert.deepEqual(inFiles(file, 'a second thought').length > 0, true);
  });

  test('a day’s key is in neither the file nor its log once the next day has one', async () => {
    const file = join(dir, 'keys.db');
    const store = await openTracked(`file:${file}`);
    const yesterday = `YESTERDAY-KEY-${randomUUID()}`;
    await store.dayKey('2026-12-01', yesterday);
    assert.ok(inFiles(file, yesterday).length > 0);
    await store.dayKey('2026-12-02', `TODAY-KEY-${randomUUID()}`);
    await waitFor(() => inFiles(file, yesterday).length === 0, 'yesterday’s key to be overwritten', 5000);
  });
});

/**
 * A SQLite store file that loses its contents (truncated, or an empty file put in its place) is not a new store:
 * votes acknowledged into a fresh one would pass for the store's while every earlier vote is gone.
 */
describe('a truncated SQLite store', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dormant-ports-truncated-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('is refused on opening, and left as it is rather than made into a new store', async () => {
    const file = join(dir, 'at-rest.db');
    const first = await openTracked(`file:${file}`);
    await first.cast(ballot(), LIMITS);
    await first.close();
    truncateSync(file, 0);
    const store = await openTracked(`file:${file}`);
    await assert.rejects(store.ready(), /is empty \(truncated/);
    await assert.rejects(store.cast(ballot(), LIMITS), StoreUnavailableError);
    assert.equal(statSync(file).size, 0);
  });

  test('is refused from the moment it is truncated while open, and the server is told why', async () => {
    const file = join(dir, 'in-use.db');
    const store = await openTracked(`file:${file}`);
    for (let i = 0; i < 20; i++) await store.cast(ballot({ port: i }), LIMITS);
    // What the votes above made of the main file once copied there, as a running server's file would be.
    await (await openTracked(`file:${file}`)).count();
    new DatabaseSync(file).exec('PRAGMA wal_checkpoint(TRUNCATE)');
    truncateSync(file, 0);
    const refusals = await Promise.allSettled(Array.from({ length: 5 }, () => store.cast(ballot(), LIMITS)));
    assert.deepEqual(
      refusals.map((r) => r.status),
      Array(5).fill('rejected'),
    );
    for (const r of refusals)
      assert.match(String((r as PromiseRejectedResult).reason), /truncated|holds no feedback store/);
    await assert.rejects(store.cast(ballot(), LIMITS), StoreUnavailableError);
  });
});

/**
 * What "durably stored" means for a vote on SQLite: the write-ahead log that holds it has been flushed to the
 * disk (fsync or fdatasync) before the vote is acknowledged, so a power cut cannot take back an answer of 200.
 * A child process casts votes a batch at a time and prints "ack N" as each one resolves; strace records, in
 * order, its writes to the log, its flushes and those prints.
 */
describe('the SQLite store on disk', { skip: requires(straceUnavailable()) }, () => {
  test('acknowledges a vote only after the log that holds it has been flushed to the disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dormant-ports-durable-'));
    try {
      const child = `
        import { writeSync } from 'node:fs';
        const { SqliteStore } = await import(${JSON.stringify(join(ROOT, 'src/lib/feedback/sqlite.ts'))});
        const store = new SqliteStore(${JSON.stringify(`file:${join(dir, 'feedback.db')}`)});
        await store.ready();
        let n = 0;
        for (let round = 0; round < 5; round++) {
          await Promise.all(Array.from({ length: 10 }, async () => {
            const i = n++;
            await store.cast({ port: i, locale: 'en', rating: 'helpful', voter: 'v' + i, network: 'n' + i,
              rateKey: 'r' + i, at: new Date() }, { perNetwork: 3, perMinute: 1000 });
            writeSync(1, 'ack ' + i + '\\n');
          }));
        }
        await store.close();`;
      const log = join(dir, 'strace.log');
      execFileSync(
        'strace',
        [...['-f', '-y', '-qq', '-o', log, '-e', 'trace=pwrite64,pwritev,write,fsync,fdatasync'], process.execPath],
        {
          input: child,
          stdio: ['pipe', 'ignore', 'inherit'],
          env: { ...process.env, NODE_OPTIONS: '--input-type=module' },
        },
      );
      const wal = `${join(dir, 'feedback.db')}-wal>`;
      let unflushed = false;
      const early: string[] = [];
      let acks = 0;
      for (const line of readFileSync(log, 'utf8').split('\n')) {
        if (/\bpwrite(64|v)\(/.test(line) && line.includes(wal)) unflushed = true;
        else if (/\b(fsync|fdatasync)\(/.test(line) && line.includes(wal)) unflushed = false;
        else if (/\bwrite\(1</.test(line) && line.includes('"ack ')) {
          acks++;
          if (unflushed) early.push(/"ack (\d+)/.exec(line)?.[1] ?? '?');
        }
      }
      assert.equal(acks, 50);
      assert.deepEqual(early, [], 'votes acknowledged before the log holding them was flushed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function straceUnavailable(): string | undefined {
  return spawnSync('strace', ['-V']).status === 0
    ? undefined
    : 'strace not installed: apt-get install strace (to see when the store flushes to the disk)';
}

function opensslUnavailable(): string | undefined {
  return spawnSync('openssl', ['version']).status === 0
    ? undefined
    : 'openssl not installed: apt-get install openssl (to make a test certificate)';
}
