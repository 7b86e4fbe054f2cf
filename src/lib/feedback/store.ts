/**
 * Where votes live, behind one interface with two backends chosen by the URL scheme of FEEDBACK_DB_URL: an
 * embedded SQLite file (the default, `data/feedback.db`, for one machine) or a PostgreSQL server
 * (`postgres://…`, for several API instances). Both keep the vote, the per-network cap and the per-minute rate
 * limit in one transaction, so the rules hold across every process and instance that shares the store.
 *
 * This module is the contract only; the backends (sqlite.ts, postgres.ts) import it, and open.ts, which imports
 * them, picks one. Imports point one way: open.ts → backends → store.ts.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locale } from '../../i18n/locales.ts';
import type { PageReport, ReportOptions } from './report.ts';
import type { Rating, Reason } from './ratings.ts';

/** One vote as the store keeps it: the answer, and the keyed hashes that stand for the reader (identity.ts). */
export interface Ballot {
  port: number;
  locale: Locale;
  rating: Rating;
  /** Undefined keeps an earlier comment when the same reader votes again. */
  comment?: string | undefined;
  reasons?: Reason[] | undefined;
  voter: string;
  /** The network: an IPv4 address, or an IPv6 /64. */
  network: string;
  /** An IPv6 vote's wider blocks, its /56 and /48; an IPv4 vote has none. */
  network56?: string | undefined;
  network48?: string | undefined;
  rateKey: string;
  at: Date;
}

export interface Limits {
  /** Different readers counted per page, network (an IPv4 address, an IPv6 /64) and day. */
  perNetwork: number;
  /**
   * And per IPv6 /56 and /48 (default 2× and 4× perNetwork): whoever holds a wider block holds 256 or 65,536
   * /64s, which would otherwise each count as a network of their own.
   */
  perNetwork56?: number;
  perNetwork48?: number;
  /** Votes per network per minute. */
  perMinute: number;
}

export type CastOutcome =
  | { kind: 'stored' }
  | { kind: 'replaced' }
  | { kind: 'network-limit'; limit: number }
  | { kind: 'rate-limit'; retryAfter: number };

/** The store cannot take votes just now; the caller answers 503 and the reader may try again. */
export class StoreUnavailableError extends Error {}

export interface FeedbackStore {
  readonly backend: 'sqlite' | 'postgres';
  /** Opens the store and brings its schema up to date. */
  ready(): Promise<void>;
  /** Records a vote, or says which limit refused it. Resolves only once the vote is durably stored. */
  cast(ballot: Ballot, limits: Limits): Promise<CastOutcome>;
  /**
   * The visitor key of `day`, wrapped (identity.ts): the one the store holds, or `candidate`, stored as the day's
   * key when it has none yet, so that every process and instance agrees on one. Keys of earlier days are deleted.
   */
  dayKey(day: string, candidate: string): Promise<string>;
  /**
   * Every page with votes, in port order: votes per rating and locale, and the most recent comments, counted by
   * the database a batch of pages at a time (report.ts), as one consistent snapshot. `Array.fromAsync()` collects
   * it where a small store is read whole (tests).
   */
  report(options?: ReportOptions): AsyncIterable<PageReport>;
  /** Stored votes, for tests and benchmarks. */
  count(): Promise<number>;
  close(): Promise<void>;
}

export const DEFAULT_DB_URL = 'file:data/feedback.db';

export interface StoreOptions {
  /** How long a write waits for another process's transaction, in ms, before the vote gets 503. */
  busyTimeout?: number;
  /** PostgreSQL only: connections per process. */
  poolSize?: number;
  /** PostgreSQL only: `require`, `verify-full`, or a CA file, as in `sslmode` / `sslrootcert`. */
  ssl?: string | undefined;
}

/** `file:data/feedback.db`, `file:///abs/path.db` or a plain path, relative to the working directory. */
export function sqlitePath(url: string): string {
  if (url.startsWith('file://')) return fileURLToPath(url);
  return resolve(url.replace(/^file:/, ''));
}

/** Which backend a FEEDBACK_DB_URL names: `file:…` or a path for SQLite, `postgres://` or `postgresql://` for PostgreSQL. */
export function backendOf(url: string): FeedbackStore['backend'] {
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgres';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith('file:')) {
    throw new Error(`FEEDBACK_DB_URL: unsupported store ${url.split(':')[0]}:// (use a file path or postgres://)`);
  }
  return 'sqlite';
}
