/**
 * The shared store for several API instances: a PostgreSQL server through `pg`, with a connection pool per
 * process. Every vote is one transaction that first takes an advisory lock for its page, day and network, so two
 * instances counting the same network's votes at once still keep its cap; the rate limit is a row per network
 * and minute in the same transaction. A vote is acknowledged after COMMIT returns, that is once PostgreSQL has
 * made it durable. While the server is down or restarting, votes fail fast with StoreUnavailableError (503)
 * and the pool reconnects by itself when it is back.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { castBallot, dayKey, lockId, SQL, type Run } from './cast.ts';
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

export class PostgresStore implements FeedbackStore {
  readonly backend = 'postgres';
  readonly #pool: pg.Pool;
  #ready: Promise<void> | undefined;
  #prunedMinute = 0;

  constructor(url: string, { poolSize = 10, ssl }: StoreOptions = {}) {
    this.#pool = new pg.Pool({
      connectionString: url,
      max: poolSize,
      ssl: tls(ssl),
      // A vote waits at most this long for a connection or a statement; then the reader gets 503, not a hang.
      connectionTimeoutMillis: 2000,
      statement_timeout: 5000,
      query_timeout: 6000,
      idleTimeoutMillis: 30_000,
      application_name: 'dormant-ports',
    });
    // An idle connection the server closed (a restart) is reported here; the pool replaces it on next use.
    // A connection that is checked out reports to its own listeners instead (pg-pool listens only while it is
    // idle), so cast() and #migrate() listen while they hold one: an 'error' nobody hears is an uncaught
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

  async #migrate(): Promise<void> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    const lost = (error: Error) => {
      broken ??= error;
    };
    client.on('error', lost);
    try {
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
      }
    } catch (error) {
      broken ??= error as Error;
      throw error;
    } finally {
      client.removeListener('error', lost);
      client.release(broken);
    }
  }

  async cast(ballot: Ballot, limits: Limits): Promise<CastOutcome> {
    let client: pg.PoolClient;
    try {
      await this.ready();
      client = await this.#pool.connect();
    } catch (error) {
      throw error instanceof StoreUnavailableError ? error : unavailable('cannot reach PostgreSQL', error);
    }
    const run: Run = async (sql, args) =>
      (await client.query(sql, args as unknown[])).rows as Record<string, unknown>[];
    let broken: Error | undefined;
    const lost = (error: Error) => {
      broken ??= error;
    };
    client.on('error', lost);
    try {
      // One round trip for both; the lock id is a number this process computed, never text from a client.
      await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${lockId(ballot).toString()})`);
      const outcome = await castBallot(run, ballot, limits, 'postgres');
      // Once per process and minute, as the SQLite store does: pruning on every vote of a minute's first second
      // made all of them wait in turn for the same rows, and a quiet site might never vote in that second.
      const minute = Math.floor(ballot.at.getTime() / 60_000);
      if (minute !== this.#prunedMinute) {
        this.#prunedMinute = minute;
        await run(SQL.prune, [minute - 1]);
      }
      await client.query('COMMIT');
      return outcome;
    } catch (error) {
      broken = error as Error;
      await client.query('ROLLBACK').catch(() => undefined);
      throw unavailable('could not store the vote', error);
    } finally {
      client.removeListener('error', lost);
      // A connection that failed mid-transaction is not given back for reuse.
      client.release(broken);
    }
  }

  async dayKey(day: string, candidate: string): Promise<string> {
    let client: pg.PoolClient;
    try {
      await this.ready();
      client = await this.#pool.connect();
    } catch (error) {
      throw error instanceof StoreUnavailableError ? error : unavailable('cannot reach PostgreSQL', error);
    }
    let broken: Error | undefined;
    const lost = (error: Error) => {
      broken ??= error;
    };
    client.on('error', lost);
    const run: Run = async (sql, args) =>
      (await client.query(sql, args as unknown[])).rows as Record<string, unknown>[];
    try {
      await client.query('BEGIN');
      const { wrapped, forgot } = await dayKey(run, day, candidate);
      await client.query('COMMIT');
      // PostgreSQL keeps a deleted row in the table's file until the space is reused; VACUUM FULL writes the
      // table (a row or two) into a new file and deletes the old one, with yesterday's key in it.
      if (forgot) await client.query('VACUUM FULL day_keys');
      return wrapped;
    } catch (error) {
      broken = error as Error;
      await client.query('ROLLBACK').catch(() => undefined);
      throw error instanceof StoreUnavailableError ? error : unavailable('could not read the day key', error);
    } finally {
      client.removeListener('error', lost);
      client.release(broken);
    }
  }

  /** Reads the report on one connection, in one read-only snapshot (REPEATABLE READ) however long it takes. */
  async *report(options: ReportOptions = {}): AsyncGenerator<PageReport> {
    let client: pg.PoolClient;
    try {
      await this.ready();
      client = await this.#pool.connect();
    } catch (error) {
      throw error instanceof StoreUnavailableError ? error : unavailable('cannot reach PostgreSQL', error);
    }
    let broken: Error | undefined;
    let done = false;
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
      // Each batch is a round trip here, so batches are larger than SQLite's.
      yield* readReport(async <Row>(text: string, args: readonly number[]) => (await run(text, args)) as Row[], {
        batch: 4 * REPORT_BATCH,
        ...options,
      });
      await run('COMMIT');
      done = true;
    } finally {
      // A reader that stopped early (or a query that failed) leaves the transaction open; it ends here.
      if (!done && !broken) await client.query('ROLLBACK').catch((error: unknown) => (broken = error as Error));
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
