/**
 * The embedded store: one SQLite file (default `data/feedback.db`) through Node's built-in `node:sqlite`, shared
 * by every server process on the machine. WAL lets readers and the writer work at once; `synchronous = FULL`
 * makes each commit wait for the log to reach the disk, so an acknowledged vote survives a power cut too;
 * `secure_delete` overwrites what is deleted.
 *
 * Votes that arrive together are committed in one transaction (group commit): one flush to the disk for all of
 * them, which is what keeps FULL as fast as NORMAL was (`npm run bench:feedback`). A vote's promise resolves
 * only after its transaction has committed to the file that is still at the store's path: a file deleted or
 * replaced while the server runs is noticed, and its votes are refused rather than acknowledged into a file
 * nobody will read again.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { castBallot, SQL, type Run } from './cast.ts';
import { MIGRATIONS } from './migrations.ts';
import { readReport, type PageReport, type ReportOptions } from './report.ts';
import {
  StoreUnavailableError,
  type Ballot,
  type CastOutcome,
  type FeedbackStore,
  type Limits,
  type StoreOptions,
} from './store.ts';

/** Votes written in one transaction at most, so a burst never holds the write lock for long. */
const MAX_BATCH = 256;

/** `file:data/feedback.db`, `file:///abs/path.db` or a plain path, relative to the working directory. */
export function sqlitePath(url: string): string {
  if (url.startsWith('file://')) return fileURLToPath(url);
  return resolve(url.replace(/^file:/, ''));
}

interface Pending {
  ballot: Ballot;
  limits: Limits;
  resolve: (outcome: CastOutcome) => void;
  reject: (error: unknown) => void;
}

/** SQLite numbers its parameters `?1`, PostgreSQL `$1`; the shared SQL is written the PostgreSQL way. */
const sql = (text: string) => text.replace(/\$(\d+)/g, '?$1');

export class SqliteStore implements FeedbackStore {
  readonly backend = 'sqlite';
  readonly path: string;
  #db: DatabaseSync | undefined;
  #statements = new Map<string, StatementSync>();
  /** The file the store opened; another file at the path later means the store was deleted or replaced. */
  #file: { dev: number; ino: number } | undefined;
  /** Set once the file is gone or replaced: votes are refused until the server restarts. */
  #lost: string | undefined;
  #pending: Pending[] = [];
  #scheduled = false;
  #writing = false;
  #prunedMinute = 0;

  readonly #busyTimeout: number;

  constructor(url: string, { busyTimeout = 5000 }: StoreOptions = {}) {
    this.path = sqlitePath(url);
    this.#busyTimeout = busyTimeout;
  }

  async ready(): Promise<void> {
    // Workers starting together on a new file race to create it and switch it to WAL, which SQLite answers
    // "database is locked" without waiting for the lock; the loser tries again instead of starting unready.
    for (let attempt = 1; ; attempt++) {
      try {
        this.#open();
        return;
      } catch (error) {
        const locked = /database is locked|SQLITE_BUSY/i.test(String((error as Error).cause ?? error));
        if (!locked || attempt >= 20) throw error instanceof Error ? error : new Error(String(error));
        await new Promise((resolve) => setTimeout(resolve, 25 * attempt));
      }
    }
  }

  #open(): DatabaseSync {
    if (this.#lost) throw new StoreUnavailableError(this.#lost);
    if (this.#db) return this.#db;
    const first = this.#file === undefined;
    // Only the first open may create the file: reopening after an error must find the same file, not start a
    // new, empty store beside the votes that were acknowledged.
    const url = pathToFileURL(this.path);
    url.searchParams.set('mode', first ? 'rwc' : 'rw');
    let db: DatabaseSync;
    try {
      if (first) mkdirSync(dirname(this.path), { recursive: true });
      db = new DatabaseSync(url, { timeout: this.#busyTimeout });
    } catch (error) {
      throw unavailable(`cannot open ${this.path}`, error);
    }
    try {
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = FULL');
      db.exec('PRAGMA secure_delete = ON');
      // Without a limit the write-ahead log keeps its largest size on disk after every checkpoint.
      db.exec('PRAGMA journal_size_limit = 8388608');
      this.#migrate(db);
      // From here on a busy lock is waited for without blocking the process (see #begin).
      db.exec('PRAGMA busy_timeout = 0');
      const identity = statSync(this.path);
      if (this.#file && (this.#file.dev !== identity.dev || this.#file.ino !== identity.ino)) {
        this.#lost = `${this.path} was replaced while the server was running; restart the server to use the new file`;
        throw new StoreUnavailableError(this.#lost);
      }
      this.#file = { dev: identity.dev, ino: identity.ino };
    } catch (error) {
      db.close();
      throw error instanceof StoreUnavailableError ? error : unavailable(`cannot use ${this.path}`, error);
    }
    this.#db = db;
    return db;
  }

  #migrate(db: DatabaseSync): void {
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    db.exec('BEGIN IMMEDIATE');
    try {
      const row = db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number };
      for (const migration of MIGRATIONS.filter((m) => m.version > row.v)) {
        for (const statement of migration.sqlite) db.exec(statement);
        db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(
          migration.version,
          new Date().toISOString(),
        );
      }
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Throws when the file at the path is no longer the one this store writes to. */
  #checkFile(): void {
    let now: { dev: number; ino: number } | undefined;
    try {
      now = statSync(this.path);
    } catch {
      now = undefined;
    }
    if (!now || now.dev !== this.#file?.dev || now.ino !== this.#file.ino) {
      this.#lost = `${this.path} was ${now ? 'replaced' : 'deleted'} while the server was running; votes are refused until the server restarts`;
      this.#drop();
      throw new StoreUnavailableError(this.#lost);
    }
  }

  #drop(): void {
    try {
      this.#db?.close();
    } catch {
      // Closing a handle whose file is gone can fail; it is being thrown away either way.
    }
    this.#db = undefined;
    this.#statements.clear();
  }

  #statement(text: string): StatementSync {
    let statement = this.#statements.get(text);
    if (!statement) {
      statement = this.#db!.prepare(sql(text));
      this.#statements.set(text, statement);
    }
    return statement;
  }

  /** Runs one shared statement on the open connection; synchronous underneath, as node:sqlite is. */
  readonly #run: Run = (text, args) => {
    const statement = this.#statement(text);
    if (/^\s*(SELECT|INSERT[\s\S]*RETURNING)/i.test(text)) {
      return Promise.resolve(statement.all(...args) as Record<string, unknown>[]);
    }
    statement.run(...args);
    return Promise.resolve([]);
  };

  cast(ballot: Ballot, limits: Limits): Promise<CastOutcome> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ ballot, limits, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        // Votes that arrive while this I/O turn is being handled join the same transaction.
        setImmediate(() => {
          this.#scheduled = false;
          this.#flush();
        });
      }
    });
  }

  #flush(): void {
    if (this.#writing) return;
    this.#writing = true;
    void this.#flushAll().finally(() => {
      this.#writing = false;
    });
  }

  /**
   * Takes the write lock. Another process holding it (the other workers share the file) is waited for here, a
   * millisecond at a time on the event loop, rather than by SQLite's own busy handler: that one sleeps inside the
   * call — the whole worker stalls, every request on it waits — and backs off to 25, 50, then 100 ms sleeps, which
   * made the slowest votes 130 ms at 64 connections. Votes that arrive meanwhile join the batch.
   */
  async #begin(db: DatabaseSync): Promise<void> {
    const deadline = performance.now() + this.#busyTimeout;
    for (;;) {
      try {
        db.exec('BEGIN IMMEDIATE');
        return;
      } catch (error) {
        if (!isBusy(error) || performance.now() >= deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  async #flushAll(): Promise<void> {
    while (this.#pending.length > 0) {
      let batch: Pending[] = [];
      const outcomes: CastOutcome[] = [];
      try {
        const db = this.#open();
        this.#checkFile();
        await this.#begin(db);
        // Taken once the lock is held, so the votes that came in while it was being waited for go in too.
        batch = this.#pending.splice(0, MAX_BATCH);
        try {
          // One connection, one transaction at a time: the statements run synchronously, so no other batch can
          // interleave while this one awaits them.
          for (const { ballot, limits } of batch) outcomes.push(await castBallot(this.#run, ballot, limits));
          await this.#prune(batch[0]!.ballot.at);
          db.exec('COMMIT');
        } catch (error) {
          if (db.isTransaction) db.exec('ROLLBACK');
          throw error;
        }
        // The commit went to the file that was open; make sure that is still the store's file.
        this.#checkFile();
      } catch (error) {
        const refusal = error instanceof StoreUnavailableError ? error : unavailable('could not store votes', error);
        // A handle that has seen an I/O error is reopened for the next batch; one that only waited too long for
        // the lock is fine as it is.
        if (!this.#lost && !isBusy(error)) this.#drop();
        if (batch.length === 0) batch = this.#pending.splice(0, MAX_BATCH);
        batch.forEach((p) => {
          p.reject(refusal);
        });
        continue;
      }
      batch.forEach((p, i) => {
        p.resolve(outcomes[i]!);
      });
    }
  }

  /** Rate-limit counts older than the last minute say nothing any more. */
  async #prune(at: Date): Promise<void> {
    const minute = Math.floor(at.getTime() / 60_000);
    if (minute === this.#prunedMinute) return;
    this.#prunedMinute = minute;
    await this.#run(SQL.prune, [minute - 1]);
  }

  /**
   * Reads the report on a read-only connection of its own, in one read transaction: a snapshot, however long the
   * reader takes, and the writer's connection (whose group commit opens transactions of its own) is left alone.
   */
  async *report(options: ReportOptions = {}): AsyncGenerator<PageReport> {
    let reader: DatabaseSync;
    try {
      // Opening the store first makes sure the file is the store's and its schema is current.
      this.#open();
      reader = new DatabaseSync(this.path, { readOnly: true, timeout: this.#busyTimeout });
      reader.exec('BEGIN');
    } catch (error) {
      throw error instanceof StoreUnavailableError ? error : unavailable('cannot read votes', error);
    }
    const statements = new Map<string, StatementSync>();
    try {
      yield* readReport(<Row>(text: string, args: readonly number[]) => {
        try {
          let statement = statements.get(text);
          if (!statement) {
            statement = reader.prepare(sql(text));
            statements.set(text, statement);
          }
          return Promise.resolve(statement.all(...args) as Iterable<Row>);
        } catch (error) {
          return Promise.reject(unavailable('cannot read votes', error));
        }
      }, options);
    } finally {
      reader.close();
    }
  }

  count(): Promise<number> {
    try {
      const row = this.#open().prepare('SELECT COUNT(*) AS n FROM votes').get() as { n: number };
      return Promise.resolve(row.n);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  close(): Promise<void> {
    this.#drop();
    return Promise.resolve();
  }
}

/** SQLITE_BUSY (5), in any of its extended forms: another connection holds the lock. */
function isBusy(error: unknown): boolean {
  return (Number((error as { errcode?: unknown }).errcode) & 0xff) === 5;
}

function unavailable(what: string, error: unknown): StoreUnavailableError {
  const detail = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError(`${what}: ${detail}`, { cause: error });
}
