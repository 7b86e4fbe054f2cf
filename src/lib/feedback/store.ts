/**
 * Where votes live: SQLite through @libsql/client. By default an embedded file (`data/feedback.db`); with
 * FEEDBACK_DB_URL (and FEEDBACK_DB_TOKEN) a libSQL server that several web nodes can share.
 *
 * No IP address is stored. A visitor is a hash of the day's random salt with their address and browser id;
 * salts older than yesterday are deleted, so old hashes cannot be tied back to anyone.
 */
import { createClient, type Client, type InStatement } from '@libsql/client';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Rating, Vote } from './schema.ts';

/** Ordered schema changes; a database records how many it has applied in `schema_migrations`. */
const MIGRATIONS: readonly (readonly string[])[] = [
  [
    `CREATE TABLE votes (
       port INTEGER NOT NULL,
       visitor TEXT NOT NULL,
       day TEXT NOT NULL,
       rating TEXT NOT NULL CHECK (rating IN ('not-helpful', 'somewhat', 'helpful')),
       comment TEXT,
       reasons TEXT NOT NULL DEFAULT '[]',
       created_at TEXT NOT NULL,
       updated_at TEXT NOT NULL,
       PRIMARY KEY (port, visitor, day)
     )`,
    `CREATE TABLE salts (day TEXT PRIMARY KEY, salt TEXT NOT NULL)`,
  ],
  [`CREATE INDEX votes_by_port_time ON votes (port, updated_at)`],
];

const UPSERT_VOTE = `INSERT INTO votes (port, visitor, day, rating, comment, reasons, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (port, visitor, day) DO UPDATE SET
    rating = excluded.rating,
    comment = COALESCE(excluded.comment, votes.comment),
    reasons = CASE WHEN excluded.comment IS NULL AND excluded.reasons = '[]' THEN votes.reasons ELSE excluded.reasons END,
    updated_at = excluded.updated_at`;

/** Votes written in one transaction at most; keeps a burst from holding the write lock for long. */
const MAX_BATCH = 500;

export const DEFAULT_DB_URL = 'file:data/feedback.db';

export interface StoreOptions {
  url?: string;
  authToken?: string;
}

export interface StoredVote {
  port: number;
  rating: Rating;
  comment: string | null;
  reasons: string[];
  updatedAt: string;
}

export class FeedbackStore {
  readonly #options: StoreOptions;
  #opened: Client | undefined;
  #ready: Promise<void> | undefined;
  #salt: { day: string; salt: Promise<string> } | undefined;
  #pending: { statement: InStatement; resolve: () => void; reject: (error: unknown) => void }[] = [];
  #writing = false;

  /** Opens nothing yet: a store that cannot be reached must not stop the server from starting. */
  constructor(options: StoreOptions = {}) {
    this.#options = options;
  }

  get #client(): Client {
    if (!this.#opened) {
      const { url = DEFAULT_DB_URL, authToken } = this.#options;
      if (url.startsWith('file:'))
        mkdirSync(dirname(fileURLToPath(new URL(url, `file://${process.cwd()}/`))), { recursive: true });
      // One connection per process, so the settings made in #migrate hold for every statement; writes are
      // grouped anyway (see save). `timeout` is SQLite's busy timeout: with several server processes writing,
      // a vote waits for the lock instead of failing.
      this.#opened = createClient(authToken ? { url, authToken } : { url, timeout: 5000, concurrency: 1 });
    }
    return this.#opened;
  }

  static fromEnv(env: Record<string, string | undefined> = process.env): FeedbackStore {
    const url = env['FEEDBACK_DB_URL'] || DEFAULT_DB_URL;
    const authToken = env['FEEDBACK_DB_TOKEN'];
    return new FeedbackStore(authToken ? { url, authToken } : { url });
  }

  /** Creates or upgrades the schema once; a failure is retried on the next call rather than remembered. */
  ready(): Promise<void> {
    this.#ready ??= Promise.resolve()
      .then(() => this.#migrate())
      .catch((error: unknown) => {
        this.#ready = undefined;
        throw error;
      });
    return this.#ready;
  }

  async #migrate(): Promise<void> {
    const local = this.#client.protocol === 'file';
    if (local) {
      // WAL lets readers and the writer work at once. With WAL, synchronous=NORMAL keeps every committed vote
      // through a crash of the server process (what SQLite and e.g. Rails recommend); only a power cut in the
      // moment after a commit can undo it. It applies to this one connection (see the constructor).
      await this.#client.execute('PRAGMA journal_mode = WAL');
      await this.#client.execute('PRAGMA synchronous = NORMAL');
    }
    await this.#client.execute(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
    );
    const done = await this.#client.execute('SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations');
    const current = Number(done.rows[0]?.['version'] ?? 0);
    for (let version = current + 1; version <= MIGRATIONS.length; version++) {
      const statements: InStatement[] = [
        ...MIGRATIONS[version - 1]!,
        {
          sql: 'INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)',
          args: [version, new Date().toISOString()],
        },
      ];
      await this.#client.batch(statements, 'write');
    }
  }

  /** The hash that stands for one visitor on one day. */
  async visitor(address: string, browserId: string, now: Date): Promise<string> {
    const salt = await this.#daySalt(now);
    return createHash('sha256').update(`${salt}\n${address}\n${browserId}`).digest('base64url');
  }

  async #daySalt(now: Date): Promise<string> {
    const day = now.toISOString().slice(0, 10);
    if (this.#salt?.day !== day) {
      const salt = (async () => {
        await this.ready();
        // Every node of a deployment must hash with the same salt, so the first one to ask creates it.
        await this.#client.execute({
          sql: 'INSERT INTO salts (day, salt) VALUES (?, ?) ON CONFLICT (day) DO NOTHING',
          args: [day, randomBytes(32).toString('base64')],
        });
        const yesterday = new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
        await this.#client.execute({ sql: 'DELETE FROM salts WHERE day < ?', args: [yesterday] });
        const row = await this.#client.execute({ sql: 'SELECT salt FROM salts WHERE day = ?', args: [day] });
        return row.rows[0]?.['salt'] as string;
      })();
      this.#salt = { day, salt };
      salt.catch(() => {
        if (this.#salt?.salt === salt) this.#salt = undefined;
      });
    }
    return this.#salt.salt;
  }

  /**
   * Records a vote; the same visitor voting again on the same page the same day replaces their vote.
   * Votes that arrive while a write is in progress are committed together in the next transaction (group
   * commit): each promise resolves only after its transaction has committed, so an acknowledged vote is stored.
   */
  save(vote: Vote, visitor: string, now: Date): Promise<void> {
    const at = now.toISOString();
    return new Promise((resolve, reject) => {
      this.#pending.push({
        statement: {
          sql: UPSERT_VOTE,
          args: [
            vote.port,
            visitor,
            at.slice(0, 10),
            vote.rating,
            vote.comment || null,
            JSON.stringify(vote.reasons ?? []),
            at,
            at,
          ],
        },
        resolve,
        reject,
      });
      if (!this.#writing) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, MAX_BATCH);
        try {
          await this.ready();
          await this.#client.batch(
            batch.map((p) => p.statement),
            'write',
          );
          batch.forEach((p) => {
            p.resolve();
          });
        } catch (error) {
          batch.forEach((p) => {
            p.reject(error);
          });
        }
      }
    } finally {
      this.#writing = false;
    }
  }

  async votes(): Promise<StoredVote[]> {
    await this.ready();
    const result = await this.#client.execute(
      'SELECT port, rating, comment, reasons, updated_at FROM votes ORDER BY port, updated_at',
    );
    return result.rows.map((row) => ({
      port: Number(row['port']),
      rating: row['rating'] as Rating,
      comment: row['comment'] as string | null,
      reasons: JSON.parse(row['reasons'] as string) as string[],
      updatedAt: row['updated_at'] as string,
    }));
  }

  async count(): Promise<number> {
    await this.ready();
    const result = await this.#client.execute('SELECT COUNT(*) AS n FROM votes');
    return Number(result.rows[0]?.['n'] ?? 0);
  }

  close(): void {
    this.#opened?.close();
  }
}
