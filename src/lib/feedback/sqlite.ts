/**
 * The embedded store: one SQLite file (default `data/feedback.db`) through Node's built-in `node:sqlite`, shared
 * by every server process on the machine. WAL lets readers and the writer work at once; `synchronous = FULL`
 * makes each commit wait for the log to reach the disk, so an acknowledged vote survives a power cut too;
 * `secure_delete` overwrites what is deleted.
 *
 * Votes that arrive together are committed in one transaction (group commit): one flush to the disk for all of
 * them. A vote's promise resolves only after its transaction has committed to the files that are still at the
 * store's paths:
 *
 * - the main file deleted, replaced or truncated while the server runs is noticed, and its votes are refused
 *   (and logged) rather than acknowledged into a file nobody will read again, or into an empty store made in
 *   its place;
 * - a side file (`-wal`, `-shm`) deleted or replaced is noticed too (sqlite-files.ts says why that matters): the
 *   store copies every committed vote into the main file, lets go of the old side files, and takes votes again
 *   once every process has done the same; a process that opens the store meanwhile waits rather than making new
 *   side files beside the ones the others still use.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, rmSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import { castBallot, dayKey, SQL, type Run } from './cast.ts';
import { logStore } from './log.ts';
import { MIGRATIONS } from './migrations.ts';
import { readReport, type PageReport, type ReportOptions } from './report.ts';
import { aloneOn, identityOf, sameFile, sideFilesAgree, type FileIdentity } from './sqlite-files.ts';
import {
  sqlitePath,
  StoreUnavailableError,
  type Ballot,
  type CastOutcome,
  type FeedbackStore,
  type Limits,
  type StoreOptions,
} from './store.ts';

/** Votes written in one transaction at most, so a burst never holds the write lock for long. */
const MAX_BATCH = 256;
/** How often an idle store looks at its files (a busy one looks before and after every transaction). */
const CHECK_MS = 1000;
/** How often a store waiting for other processes to let go of deleted side files tries to open again. */
const REOPEN_MS = 50;
/** How soon after a vote replaced an earlier one, or a day key was deleted, the log is emptied (see #scrub). */
const SCRUB_MS = 1000;

/** A vote, or another piece of work, waiting for the next transaction. */
interface Pending {
  work: (run: Run) => Promise<unknown>;
  /** A vote's time: rate-limit counts are pruned by the votes' own clock. */
  at?: Date;
  resolve: (value: never) => void;
  reject: (error: unknown) => void;
}

/** The files an open connection uses: the main file, the write-ahead log and the shared index. */
interface StoreFiles {
  db: FileIdentity;
  wal: FileIdentity;
  shm: FileIdentity;
}

/** Other processes have the store open on side files that are no longer at their paths; try again shortly. */
class SideFilesInUse extends StoreUnavailableError {}

/** SQLite numbers its parameters `?1`, PostgreSQL `$1`; the shared SQL is written the PostgreSQL way. */
const sql = (text: string) => text.replace(/\$(\d+)/g, '?$1');
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class SqliteStore implements FeedbackStore {
  readonly backend = 'sqlite';
  readonly path: string;
  #db: DatabaseSync | undefined;
  #statements = new Map<string, StatementSync>();
  /** The files the open connection uses. */
  #files: StoreFiles | undefined;
  /** The main file the store first opened; another one at the path later is not this store. */
  #main: FileIdentity | undefined;
  /** Set once the main file is gone, replaced or truncated: votes are refused until the server restarts. */
  #lost: string | undefined;
  /**
   * Connections to a main file that is lost are never closed: the last connection to close a file deletes the
   * side files at its paths, which by then may belong to a new store made there.
   */
  #abandoned: DatabaseSync[] = [];
  /** Report connections open in this process; they share the writer's index, so they go when it goes. */
  #readers = new Set<DatabaseSync>();
  /** Not before this time does a store that found the side files in use try to open again. */
  #reopenAt = 0;
  #pending: Pending[] = [];
  #scheduled = false;
  #writing = false;
  /** A side file may have changed since the last look (the folder watcher or the timer says so). */
  #look = false;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** The log holds the old version of something deleted: empty it between transactions. */
  #scrub = false;
  #scrubTimer: NodeJS.Timeout | undefined;
  #prunedMinute = 0;

  readonly #busyTimeout: number;

  constructor(url: string, { busyTimeout = 5000 }: StoreOptions = {}) {
    this.path = sqlitePath(url);
    this.#busyTimeout = busyTimeout;
  }

  async ready(): Promise<void> {
    // Workers starting together race to create a new file and to switch it to WAL, which SQLite answers
    // "database is locked" without waiting for the lock, and a worker may open the store while another is
    // still letting go of deleted side files; either tries again instead of starting unready.
    for (let attempt = 1; ; attempt++) {
      try {
        this.#open();
        return;
      } catch (error) {
        const retry =
          error instanceof SideFilesInUse ||
          /database is locked|SQLITE_BUSY/i.test(String((error as Error).cause ?? error));
        if (!retry || attempt >= 20) throw error instanceof Error ? error : new Error(String(error));
        this.#reopenAt = 0;
        await pause(25 * attempt);
      }
    }
  }

  #open(): DatabaseSync {
    if (this.#lost) throw new StoreUnavailableError(this.#lost);
    if (this.#db) return this.#db;
    const main = identityOf(this.path);
    if (!main && this.#main) {
      throw this.#lose(`${this.path} was deleted while the server was running; votes are refused until it restarts`);
    }
    if (main && this.#main && !sameFile(main, this.#main)) {
      throw this.#lose(
        `${this.path} was replaced while the server was running; restart the server to use the new file`,
      );
    }
    if (main?.size === 0) {
      // What a truncated store looks like; making a new store in it would acknowledge votes as if nothing had
      // happened. Nothing here writes to it: it stays as it was found.
      throw this.#lose(
        `${this.path} is empty (truncated, or an empty file put in its place); votes are refused until it is ` +
          'restored or moved away and the server restarts',
      );
    }
    if (performance.now() < this.#reopenAt) throw new SideFilesInUse(this.#waitingReason());
    let db: DatabaseSync;
    try {
      if (!main) this.#create();
      // A process that opened the store before its side files were deleted still writes to them. SQLite would
      // give this connection new ones, and the two would overwrite each other's votes; wait for that process
      // to let go instead (it notices within a second and copies its votes into the main file).
      if (!aloneOn(this.path) && !this.#sideFilesUsable()) {
        this.#reopenAt = performance.now() + REOPEN_MS;
        throw new SideFilesInUse(this.#waitingReason());
      }
      const url = pathToFileURL(this.path);
      // Never `rwc`: a missing file is made whole by #create(), never by opening it.
      url.searchParams.set('mode', 'rw');
      db = new DatabaseSync(url, { timeout: this.#busyTimeout });
    } catch (error) {
      throw error instanceof StoreUnavailableError ? error : unavailable(`cannot open ${this.path}`, error);
    }
    try {
      // Before anything that writes: another kind of file is refused as it is.
      if (!isStore(db)) {
        throw this.#lose(
          `${this.path} holds no feedback store (another file put in its place); votes are refused until it is ` +
            'restored or moved away and the server restarts',
        );
      }
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = FULL');
      db.exec('PRAGMA secure_delete = ON');
      // Without a limit the write-ahead log keeps its largest size on disk after every checkpoint.
      db.exec('PRAGMA journal_size_limit = 8388608');
      this.#migrate(db);
      // From here on a busy lock is waited for without blocking the process (see #begin).
      db.exec('PRAGMA busy_timeout = 0');
      const files = this.#sideFilesNow(db);
      if (this.#main && !sameFile(files.db, this.#main)) {
        throw this.#lose(`${this.path} was replaced while the server was running; restart the server to use it`);
      }
      this.#main ??= files.db;
      this.#files = files;
    } catch (error) {
      if (!this.#lost) db.close();
      else this.#abandoned.push(db);
      throw error instanceof StoreUnavailableError ? error : unavailable(`cannot use ${this.path}`, error);
    }
    this.#db = db;
    this.#watch();
    return db;
  }

  #waitingReason(): string {
    return `${basename(this.path)}-wal or -shm was deleted or replaced while another process had the store open; waiting for it to let go of them`;
  }

  /** When not alone, the side files must be there and describe each other: the ones the others use. */
  #sideFilesUsable(): boolean {
    return (
      identityOf(`${this.path}-wal`) !== undefined &&
      identityOf(`${this.path}-shm`) !== undefined &&
      sideFilesAgree(this.path)
    );
  }

  /** The three files as they are now; the connection has read the store, so it has opened both side files. */
  #sideFilesNow(db: DatabaseSync): StoreFiles {
    db.prepare('SELECT COUNT(*) FROM schema_migrations').get();
    const [main, wal, shm] = ['', '-wal', '-shm'].map((suffix) => identityOf(`${this.path}${suffix}`));
    if (!main || !wal || !shm) throw new StoreUnavailableError(`${this.path}: the store's files vanished as it opened`);
    return { db: main, wal, shm };
  }

  /**
   * A new store, made whole under a temporary name and then linked into place, so that no process ever sees a
   * half-made store at the path — and an empty file there always means one that was truncated.
   */
  #create(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const db = new DatabaseSync(temporary);
      try {
        db.exec('PRAGMA journal_mode = WAL');
        db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
        this.#migrate(db);
      } finally {
        // Alone on it, so closing copies the log into the file and removes the side files.
        db.close();
      }
      try {
        linkSync(temporary, this.path);
      } catch (error) {
        // Another process made the store first; this one uses that.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      // The new name reaches the disk now, not with whatever the file system writes next.
      const folder = openSync(dirname(this.path), 'r');
      try {
        fsyncSync(folder);
      } finally {
        closeSync(folder);
      }
    } finally {
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${temporary}${suffix}`, { force: true });
    }
  }

  #migrate(db: DatabaseSync): void {
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

  /** Notices a side file deleted or replaced while the store is idle: a folder watcher, and a timer behind it. */
  #watch(): void {
    const look = () => {
      this.#look = true;
      this.#flush();
    };
    if (!this.#watcher) {
      try {
        const name = basename(this.path);
        this.#watcher = watch(dirname(this.path), { persistent: false }, (event, file) => {
          // Writes to the files come as 'change'; deletions and new files as 'rename'.
          if (event === 'rename' && file?.startsWith(name)) look();
        });
        this.#watcher.on('error', () => undefined);
      } catch {
        // A file system without change notifications (some network ones): the timer is enough.
      }
    }
    this.#timer ??= setInterval(look, CHECK_MS).unref();
  }

  /** Stops the watcher and the timer. */
  #unwatch(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * What happened to the store's files since the connection opened them: `lost` when the main file itself is
   * gone, replaced or shorter than it was (nothing in SQLite makes it shorter here: no VACUUM, no auto_vacuum);
   * `side` when the log or the index is.
   */
  #drift(): { lost: string } | { side: string } | undefined {
    const files = this.#files!;
    const main = identityOf(this.path);
    if (!main || !sameFile(main, files.db)) {
      return {
        lost: `${this.path} was ${main ? 'replaced' : 'deleted'} while the server was running; votes are refused until the server restarts`,
      };
    }
    if (main.size < files.db.size) {
      return {
        lost:
          `${this.path} was truncated (${files.db.size} → ${main.size} bytes) while the server was running; votes ` +
          'are refused until it is restored and the server restarts',
      };
    }
    files.db.size = main.size;
    const changed = (['wal', 'shm'] as const).flatMap((side) => {
      const now = identityOf(`${this.path}-${side}`);
      return sameFile(now, files[side]) ? [] : [`${basename(this.path)}-${side} was ${now ? 'replaced' : 'deleted'}`];
    });
    return changed.length > 0 ? { side: changed.join(', and ') } : undefined;
  }

  /** Refuses votes from now on and lets go of the main file without closing it (see #abandoned). */
  #lose(reason: string): StoreUnavailableError {
    if (!this.#lost) logStore('error', reason);
    this.#lost = reason;
    this.#unwatch();
    for (const reader of this.#readers) reader.close();
    this.#readers.clear();
    if (this.#db) this.#abandoned.push(this.#db);
    this.#db = undefined;
    this.#statements.clear();
    return new StoreUnavailableError(reason);
  }

  /**
   * A side file was deleted or replaced. Every process that has the store open shares this connection's log and
   * index (#open keeps any other from making new ones beside them), so this one can copy every committed vote
   * into the main file: a checkpoint that also truncates the log. Then the connection goes; the next open joins
   * the others or, once none is left, starts new side files. True when every vote reached the main file.
   */
  async #recover(db: DatabaseSync, why: string): Promise<boolean> {
    for (const reader of this.#readers) reader.close();
    this.#readers.clear();
    const deadline = performance.now() + this.#busyTimeout;
    let saved = false;
    let failure: unknown;
    for (;;) {
      try {
        const row = db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get() as {
          busy: number;
          log: number;
          checkpointed: number;
        };
        if (row.busy === 0 && row.log === row.checkpointed) saved = true;
      } catch (error) {
        if (!isBusy(error)) failure = error;
      }
      if (saved || failure !== undefined || performance.now() >= deadline) break;
      await pause(1);
    }
    logStore(
      saved ? 'warn' : 'error',
      `${why} while the server was running; ${
        saved
          ? `every vote is in ${basename(this.path)}, and the store reopens once no process uses the old side files`
          : `could not copy the votes in the log into ${basename(this.path)}${failure ? `: ${(failure as Error).message}` : ''}`
      }`,
    );
    this.#drop();
    return saved;
  }

  #drop(): void {
    this.#unwatch();
    for (const reader of this.#readers) reader.close();
    this.#readers.clear();
    try {
      this.#db?.close();
    } catch {
      // Closing a handle that has seen an I/O error can fail; it is being thrown away either way.
    }
    this.#db = undefined;
    this.#files = undefined;
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
    if (/^\s*SELECT|\bRETURNING\b/i.test(text)) {
      return Promise.resolve(statement.all(...args) as Record<string, unknown>[]);
    }
    statement.run(...args);
    return Promise.resolve([]);
  };

  cast(ballot: Ballot, limits: Limits): Promise<CastOutcome> {
    return this.#queue(async (run) => {
      const outcome = await castBallot(run, ballot, limits);
      // The page image with the vote's earlier comment stays in the log until the log is emptied.
      if (outcome.kind === 'replaced') this.#scrubSoon();
      return outcome;
    }, ballot.at);
  }

  dayKey(day: string, candidate: string): Promise<string> {
    return this.#queue(async (run) => {
      const { wrapped, forgot } = await dayKey(run, day, candidate);
      // secure_delete overwrote the earlier days' keys in the page; the log still has the page as it was.
      if (forgot) this.#scrubSoon();
      return wrapped;
    });
  }

  #queue<T>(work: (run: Run) => Promise<T>, at?: Date): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ work, ...(at ? { at } : {}), resolve, reject });
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
      // A look asked for while the last batch was being written.
      if (this.#look && this.#db) this.#flush();
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
      await pause(1);
    }
  }

  /** Looks at the files between transactions (the watcher or the timer asked), and deals with what changed. */
  async #lookNow(): Promise<void> {
    this.#look = false;
    const db = this.#db;
    if (!db) return;
    const drift = this.#drift();
    if (drift && 'lost' in drift) this.#lose(drift.lost);
    else if (drift) await this.#recover(db, drift.side);
  }

  async #flushAll(): Promise<void> {
    if (this.#look) await this.#lookNow();
    if (this.#scrub) this.#scrubLog();
    while (this.#pending.length > 0) {
      let batch: Pending[] = [];
      const outcomes: unknown[] = [];
      let db: DatabaseSync | undefined;
      /** A side file that changed before the commit: nothing of this batch was written. */
      let before: string | undefined;
      try {
        db = this.#open();
        // A look before waiting for the lock, so a file that is gone is said to be gone rather than reported as
        // whatever error SQLite meets reading it; and again with the lock held, when no process of this store
        // writes, and just before the commit.
        before = this.#sideDrift();
        if (before) throw refusedWhileRecovering(before);
        await this.#begin(db);
        // Taken once the lock is held, so the votes that came in while it was being waited for go in too.
        batch = this.#pending.splice(0, MAX_BATCH);
        try {
          before = this.#sideDrift();
          if (before) throw refusedWhileRecovering(before);
          // One connection, one transaction at a time: the statements run synchronously, so no other batch can
          // interleave while this one awaits them.
          for (const { work } of batch) outcomes.push(await work(this.#run));
          const voted = batch.find((p) => p.at)?.at;
          if (voted) await this.#prune(voted);
          before = this.#sideDrift();
          if (before) throw refusedWhileRecovering(before);
          db.exec('COMMIT');
        } catch (error) {
          if (db.isTransaction) db.exec('ROLLBACK');
          throw error;
        }
        // The commit went to the files that were open; make sure those are still the store's.
        const after = this.#sideDrift();
        // A side file went during the commit: the votes are acknowledged once they are in the main file.
        if (after && !(await this.#recover(db, after))) {
          throw new StoreUnavailableError(`${after}, and the last votes may not have been kept`);
        }
      } catch (error) {
        let refusal = error instanceof StoreUnavailableError ? error : unavailable('could not store votes', error);
        // An error met because the main file went (SQLite reading a truncated file: "file is not a database") is
        // reported as that.
        if (!(error instanceof StoreUnavailableError) && db && this.#db === db) {
          const drift = this.#drift();
          if (drift && 'lost' in drift) refusal = this.#lose(drift.lost);
        }
        if (before && db && this.#db === db) {
          // Votes acknowledged before the side file went are still in its log: copy them into the main file.
          await this.#recover(db, before);
        } else if (!this.#lost && !isBusy(error) && !(error instanceof SideFilesInUse) && this.#db === db) {
          // A handle that has seen an I/O error is reopened for the next batch; one that only waited too long
          // for the lock is fine as it is.
          this.#drop();
        }
        if (batch.length === 0) batch = this.#pending.splice(0, MAX_BATCH);
        batch.forEach((p) => {
          p.reject(refusal);
        });
        continue;
      }
      batch.forEach((p, i) => {
        p.resolve(outcomes[i] as never);
      });
    }
  }

  /** The side files that changed, if any; a lost main file throws (the transaction is rolled back). */
  #sideDrift(): string | undefined {
    const drift = this.#drift();
    if (drift && 'lost' in drift) throw this.#lose(drift.lost);
    return drift?.side;
  }

  #scrubSoon(): void {
    this.#scrubTimer ??= setTimeout(() => {
      this.#scrubTimer = undefined;
      this.#scrub = true;
      this.#flush();
    }, SCRUB_MS).unref();
  }

  /**
   * Empties the log: every page goes into the main file, where secure_delete has overwritten what was deleted,
   * and the log is truncated, taking the old page images with it (a replaced comment, yesterday's day key).
   * Between transactions; when another connection is reading, it is tried again a second later.
   */
  #scrubLog(): void {
    this.#scrub = false;
    const db = this.#db;
    if (!db) return;
    try {
      const row = db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get() as { busy: number };
      if (row.busy !== 0) this.#scrubSoon();
    } catch {
      this.#scrubSoon();
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
      this.#readers.add(reader);
      reader.exec('BEGIN');
    } catch (error) {
      throw error instanceof StoreUnavailableError ? error : unavailable('cannot read votes', error);
    }
    const statements = new Map<string, StatementSync>();
    try {
      yield* readReport(
        <Row>(text: string, args: readonly (number | string)[]) => {
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
        },
        'sqlite',
        options,
      );
    } finally {
      if (this.#readers.delete(reader)) reader.close();
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
    clearTimeout(this.#scrubTimer);
    this.#scrubTimer = undefined;
    this.#drop();
    return Promise.resolve();
  }
}

const refusedWhileRecovering = (why: string) =>
  new StoreUnavailableError(`${why} while the server was running; votes are refused while the store recovers`);

/** Whether the file holds a feedback store: every store has its migrations table from the moment it exists. */
function isStore(db: DatabaseSync): boolean {
  return (
    db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).get() !== undefined
  );
}

/** SQLITE_BUSY (5), in any of its extended forms: another connection holds the lock. */
function isBusy(error: unknown): boolean {
  return (Number((error as { errcode?: unknown }).errcode) & 0xff) === 5;
}

function unavailable(what: string, error: unknown): StoreUnavailableError {
  const detail = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError(`${what}: ${detail}`, { cause: error });
}
