/**
 * The shared store for several API instances: a PostgreSQL server through `pg`, with a connection pool per
 * process.
 *
 * Votes that arrive together are recorded together: one call of `cast_votes` (migrations.ts), one transaction,
 * one commit and one flush of PostgreSQL's log for the whole batch, as the SQLite store does with its group
 * commit. Inside, every vote still takes the locks that keep the per-network cap and the rate limit across
 * instances, and is recorded as it would be alone. A vote is acknowledged after the call returns, that is once
 * PostgreSQL has committed it and made it durable (`synchronous_commit` on, its default).
 *
 * No vote waits longer than VOTE_DEADLINE_MS for an answer: the proxy in front gives up on an instance after 10
 * seconds and then sends nothing to it for a while (deploy/nginx/), so a stalled database must cost readers a
 * 503, not the site its instances. While PostgreSQL is not answering, one batch at a time tries it again and the
 * votes that arrive meanwhile are refused at once (503); the pool reconnects by itself when it is back.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { blockLimits, dayKey, type Run } from './cast.ts';
import { MIGRATIONS } from './migrations.ts';
import { readReport, REPORT_BATCH, type PageReport, type ReportOptions } from './report.ts';
import {
  StoreUnavailableError,
  type Ballot,
  type CastOutcome,
  type FeedbackStore,
  type Limits,
  type StoreOptions,
} from './store.ts';

/** Any two instances applying migrations at once wait for each other on this advisory lock. */
const MIGRATION_LOCK = 7_351_521;
/**
 * The longest a vote waits for its answer, from the moment it is cast: waiting for a connection, for the batch
 * before it, and for its own. Well below the proxy's 10 s, with room for the request around it.
 */
export const VOTE_DEADLINE_MS = 4000;
/** Opening a connection to a database on the same network takes milliseconds; one that takes a second is down. */
const CONNECT_MS = 1000;
/** PostgreSQL ends any statement of the store's that runs longer (the report sets its own). */
const STATEMENT_MS = 3500;
/** Votes recorded by one call at most. */
const MAX_BATCH = 256;
/** Batches of one process under way at once: one being committed while the next is recorded. */
const IN_FLIGHT = 4;

/**
 * TLS as libpq's `sslmode` says it: `disable`, `require` (encrypt, do not verify), `verify-full` (verify the
 * certificate and host name), or a path to a CA certificate to verify against.
 */
function tls(setting: string | undefined): pg.PoolConfig['ssl'] {
  if (!setting || setting === 'disable') return undefined;
  if (setting === 'require') return { rejectUnauthorized: false };
  if (setting === 'verify-full') return { rejectUnauthorized: true };
  return { rejectUnauthorized: true, ca: readFileSync(setting, 'utf8') };
}

function unavailable(what: string, error: unknown): StoreUnavailableError {
  const detail =
    error instanceof Error ? error.message || (error as { code?: string }).code || error.name : String(error);
  return new StoreUnavailableError(`${what}: ${detail}`, { cause: error });
}

/**
 * Whether an error says the database is away — unreachable, restarting, out of connections, or not answering in
 * time — rather than that PostgreSQL refused a statement, which the next batch would not change.
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
function databaseAway(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return /^(08|53|57|58)/.test(code);
  return true;
}

/** `promise`, or a rejection after `ms`; what it resolves to later is given to `late` (a connection to release). */
function within<T>(promise: Promise<T>, ms: number, what: string, late?: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      reject(new StoreUnavailableError(`${what}: no answer within ${ms} ms`));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        if (settled) late?.(value);
        else resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (!settled) reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * A query that the client abandons after `ms` (pg's per-query `query_timeout`, which its types leave out); the
 * caller then destroys the connection, so a statement still running there ends too.
 */
function timed(text: string, values: unknown[], ms: number): pg.QueryConfig {
  const config: pg.QueryConfig & { query_timeout: number } = {
    text,
    values,
    query_timeout: Math.max(1, Math.ceil(ms)),
  };
  return config;
}

/** A signed 64-bit advisory lock id for a text key, computed here, never taken from a client. */
function lockOf(key: string): string {
  return createHash('sha256').update(key).digest().readBigInt64BE(0).toString();
}

/**
 * The locks a vote's transaction takes: its page, day and widest network block (votes that count against the
 * same caps wait for each other), and its network's minute (votes that count against the same rate limit do).
 */
export function locksOf(ballot: Ballot): string[] {
  const minute = Math.floor(ballot.at.getTime() / 60_000);
  return [
    lockOf(`${ballot.port}:${ballot.at.toISOString().slice(0, 10)}:${ballot.network48 ?? ballot.network}`),
    lockOf(`rate:${ballot.rateKey}:${minute}`),
  ];
}

/** One vote as `cast_votes` reads it. */
function asJson(n: number, ballot: Ballot, limits: Limits) {
  const at = ballot.at.toISOString();
  const { per56, per48 } = blockLimits(limits);
  return {
    n,
    locks: locksOf(ballot),
    port: ballot.port,
    voter: ballot.voter,
    day: at.slice(0, 10),
    network: ballot.network,
    network56: ballot.network56 ?? null,
    network48: ballot.network48 ?? null,
    rate_key: ballot.rateKey,
    minute: Math.floor(ballot.at.getTime() / 60_000),
    retry: 60 - ballot.at.getUTCSeconds(),
    locale: ballot.locale,
    rating: ballot.rating,
    comment: ballot.comment || null,
    keep_comment: ballot.comment === undefined,
    reasons: ballot.reasons === undefined ? null : JSON.stringify(ballot.reasons),
    at,
    per_network: limits.perNetwork,
    per_56: per56,
    per_48: per48,
    per_minute: limits.perMinute,
  };
}

/** What `cast_votes` says of each vote of a batch, by its index. */
interface CastRow {
  i: number;
  kind: CastOutcome['kind'];
  /** bigint, which pg hands over as text. */
  detail: string | null;
}

interface Pending {
  ballot: Ballot;
  limits: Limits;
  /** performance.now() past which the vote is refused rather than kept waiting. */
  deadline: number;
  resolve: (outcome: CastOutcome) => void;
  reject: (error: unknown) => void;
}

export class PostgresStore implements FeedbackStore {
  readonly backend = 'postgres';
  readonly #pool: pg.Pool;
  #ready: Promise<void> | undefined;
  #prunedMinute = 0;
  #pending: Pending[] = [];
  #scheduled = false;
  #inFlight = 0;
  /** Why the last batch failed, while PostgreSQL has not answered since; undefined while all is well. */
  #away: string | undefined;

  constructor(url: string, { poolSize = 10, ssl }: StoreOptions = {}) {
    this.#pool = new pg.Pool({
      connectionString: url,
      max: poolSize,
      ssl: tls(ssl),
      connectionTimeoutMillis: CONNECT_MS,
      statement_timeout: STATEMENT_MS,
      idleTimeoutMillis: 30_000,
      application_name: 'dormant-ports',
    });
    // An idle connection the server closed (a restart) is reported here; the pool replaces it on next use.
    // A connection that is checked out reports to its own listeners instead (pg-pool listens only while it is
    // idle), so every user listens while it holds one (#withClient): an 'error' nobody hears is an uncaught
    // exception, and a PostgreSQL restart would end every worker that was between two statements.
    this.#pool.on('error', () => undefined);
  }

  /** Brings the schema up to date once; a failure is retried on the next call rather than remembered. */
  ready(): Promise<void> {
    this.#ready ??= this.#migrate().catch((error: unknown) => {
      this.#ready = undefined;
      throw error instanceof StoreUnavailableError ? error : unavailable('cannot prepare the PostgreSQL store', error);
    });
    return this.#ready;
  }

  /**
   * Runs `work` on a connection of the pool, handing it back afterwards, or destroying it when it failed or was
   * abandoned: a connection that failed mid-transaction, or that still runs a query nobody waits for, is not
   * given to the next user.
   */
  async #withClient<T>(work: (client: pg.PoolClient) => Promise<T>, ms = CONNECT_MS): Promise<T> {
    const client = await within(this.#pool.connect(), ms, 'cannot reach PostgreSQL', (late) => {
      late.release();
    });
    let broken: Error | undefined;
    const lost = (error: Error) => {
      broken ??= error;
    };
    client.on('error', lost);
    try {
      return await work(client);
    } catch (error) {
      broken ??= error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      client.removeListener('error', lost);
      client.release(broken);
    }
  }

  async #migrate(): Promise<void> {
    await this.#withClient(async (client) => {
      // A migration may build an index over every vote: it gets all the time it needs, unlike a vote.
      await client.query('SET statement_timeout = 0');
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      try {
        await client.query(
          'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
        );
        const { rows } = await client.query<{ v: number }>(
          'SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations',
        );
        for (const migration of MIGRATIONS.filter((m) => m.version > (rows[0]?.v ?? 0))) {
          await client.query('BEGIN');
          try {
            for (const statement of migration.postgres) await client.query(statement);
            await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
              migration.version,
              new Date().toISOString(),
            ]);
            await client.query('COMMIT');
          } catch (error) {
            await client.query('ROLLBACK');
            throw error;
          }
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
        await client.query('RESET statement_timeout');
      }
    });
  }

  cast(ballot: Ballot, limits: Limits): Promise<CastOutcome> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ ballot, limits, deadline: performance.now() + VOTE_DEADLINE_MS, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        // Votes that arrive while this I/O turn is being handled join the same batch.
        setImmediate(() => {
          this.#scheduled = false;
          this.#flush();
        });
      }
    });
  }

  #flush(): void {
    // While PostgreSQL is away, one batch tries it again and the others are not kept waiting behind it.
    const room = this.#away ? 1 : IN_FLIGHT;
    while (this.#pending.length > 0 && this.#inFlight < room) {
      const batch = this.#pending.splice(0, MAX_BATCH);
      this.#inFlight++;
      void this.#commit(batch).finally(() => {
        this.#inFlight--;
        this.#flush();
      });
    }
    if (this.#away && this.#inFlight > 0) {
      const refusal = new StoreUnavailableError(
        `PostgreSQL is not answering (${this.#away}); votes are refused until it does`,
      );
      for (const p of this.#pending.splice(0)) p.reject(refusal);
    }
  }

  async #commit(batch: Pending[]): Promise<void> {
    const now = performance.now();
    const expired = batch.filter((p) => p.deadline <= now);
    if (expired.length > 0) {
      const refusal = new StoreUnavailableError(`no answer from PostgreSQL within ${VOTE_DEADLINE_MS} ms`);
      for (const p of expired) p.reject(refusal);
      batch = batch.filter((p) => p.deadline > now);
      if (batch.length === 0) return;
    }
    const deadline = Math.min(...batch.map((p) => p.deadline));
    const minute = Math.floor(batch[0]!.ballot.at.getTime() / 60_000);
    // Once per process and minute, as the SQLite store does.
    const prune = minute === this.#prunedMinute ? null : minute - 1;
    try {
      const rows = await within(
        this.ready().then(() =>
          this.#withClient(
            async (client) => {
              const { rows } = await client.query<CastRow>(
                timed(
                  'SELECT i, kind, detail FROM cast_votes($1::jsonb, $2)',
                  [JSON.stringify(batch.map((p, i) => asJson(i, p.ballot, p.limits))), prune],
                  // A call that has not answered by the deadline is abandoned, and its connection destroyed.
                  deadline - performance.now(),
                ),
              );
              return rows;
            },
            Math.min(CONNECT_MS, Math.max(1, deadline - performance.now())),
          ),
        ),
        Math.max(1, deadline - performance.now()),
        'no answer from PostgreSQL',
      );
      this.#away = undefined;
      if (prune !== null) this.#prunedMinute = minute;
      const outcomes = new Map(rows.map((row) => [row.i, row]));
      batch.forEach((p, i) => {
        const row = outcomes.get(i);
        if (!row) p.reject(new StoreUnavailableError('PostgreSQL did not say what became of the vote'));
        else if (row.kind === 'rate-limit') p.resolve({ kind: 'rate-limit', retryAfter: Number(row.detail) });
        else if (row.kind === 'network-limit') p.resolve({ kind: 'network-limit', limit: Number(row.detail) });
        else p.resolve({ kind: row.kind });
      });
    } catch (error) {
      const refusal = error instanceof StoreUnavailableError ? error : unavailable('could not store the votes', error);
      if (databaseAway(error)) this.#away = refusal.message;
      for (const p of batch) p.reject(refusal);
    }
  }

  async dayKey(day: string, candidate: string): Promise<string> {
    if (this.#away && this.#inFlight > 0) {
      throw new StoreUnavailableError(`PostgreSQL is not answering (${this.#away})`);
    }
    try {
      await within(this.ready(), VOTE_DEADLINE_MS, 'cannot prepare the PostgreSQL store');
      return await this.#withClient(async (client) => {
        const run: Run = async (sql, args) =>
          (await client.query<Record<string, unknown>>(timed(sql, [...args], VOTE_DEADLINE_MS))).rows;
        await client.query('BEGIN');
        try {
          const { wrapped, forgot } = await dayKey(run, day, candidate);
          await client.query('COMMIT');
          // PostgreSQL keeps a deleted row in the table's file until the space is reused; VACUUM FULL writes the
          // table (a row or two) into a new file and deletes the old one, with yesterday's key in it.
          if (forgot) await client.query('VACUUM FULL day_keys');
          return wrapped;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      });
    } catch (error) {
      throw error instanceof StoreUnavailableError ? error : unavailable('could not read the day key', error);
    }
  }

  /** Reads the report on one connection, in one read-only snapshot (REPEATABLE READ) however long it takes. */
  async *report(options: ReportOptions = {}): AsyncGenerator<PageReport> {
    let client: pg.PoolClient;
    try {
      await within(this.ready(), VOTE_DEADLINE_MS, 'cannot prepare the PostgreSQL store');
      client = await within(this.#pool.connect(), CONNECT_MS, 'cannot reach PostgreSQL', (late) => {
        late.release();
      });
    } catch (error) {
      throw error instanceof StoreUnavailableError ? error : unavailable('cannot reach PostgreSQL', error);
    }
    let broken: Error | undefined;
    let done = false;
    const lost = (error: Error) => {
      broken ??= error;
    };
    client.on('error', lost);
    try {
      const run = async (text: string, args: readonly unknown[] = []) => {
        try {
          return (await client.query(text, args as unknown[])).rows as unknown[];
        } catch (error) {
          broken = error as Error;
          throw unavailable('cannot read votes', error);
        }
      };
      await run('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      // A report of a large store reads for longer than a vote may take.
      await run(`SET LOCAL statement_timeout = '60s'`);
      // Each batch is a round trip here, so batches are larger than SQLite's.
      yield* readReport(
        async <Row>(text: string, args: readonly (number | string)[]) => (await run(text, args)) as Row[],
        'postgres',
        { batch: 4 * REPORT_BATCH, ...options },
      );
      await run('COMMIT');
      done = true;
    } finally {
      // A reader that stopped early (or a query that failed) leaves the transaction open; it ends here.
      if (!done && !broken) await client.query('ROLLBACK').catch((error: unknown) => (broken = error as Error));
      client.removeListener('error', lost);
      client.release(broken);
    }
  }

  async count(): Promise<number> {
    await this.ready();
    const { rows } = await this.#pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM votes');
    return Number(rows[0]?.n ?? 0);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
